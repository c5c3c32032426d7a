"""The engine: a checked Ruleset and tables → a Result, vectorised with Polars."""
