"""Data in: reading tables (CSV, JSON, Parquet, in-memory) into raw frames."""
