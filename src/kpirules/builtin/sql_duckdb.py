"""DuckDB's tables and Parquet files as tables of the ``sql`` connector.

SQLAlchemy's reflection does not work on DuckDB (it queries PostgreSQL's
catalog), so a table's columns and types are read from DuckDB's
``information_schema`` with bound parameters. DuckDB reads a Parquet file or a glob of them in place with ``read_parquet``;
the connector treats the call as a table, so the rollup and the aggregate
metrics are pushed down to DuckDB as for any table (:mod:`sql_pushdown`) and
only the cells come back. The path is a bound parameter; the columns and
their types come from DuckDB's ``DESCRIBE`` of the same call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlalchemy as sa

#: DuckDB's type names (their first word) → the SQLAlchemy type the push-down reasons with
_TYPES = {"DATE": "Date", "TIMESTAMP": "DateTime", "TIMESTAMP_NS": "DateTime", "TIMESTAMP_MS": "DateTime",
          "TIMESTAMP_S": "DateTime", "BOOLEAN": "Boolean", "DOUBLE": "Float", "FLOAT": "Float",
          "REAL": "Float", "DECIMAL": "Float", "TINYINT": "Integer", "SMALLINT": "Integer",
          "INTEGER": "Integer", "BIGINT": "BigInteger", "HUGEINT": "BigInteger", "UTINYINT": "Integer",
          "USMALLINT": "Integer", "UINTEGER": "Integer", "UBIGINT": "BigInteger"}


def _column(name: Any, type_name: Any) -> sa.ColumnClause[Any]:
    import sqlalchemy as sa

    kind = _TYPES.get(str(type_name).split("(")[0].split(" ")[0].upper(), "String")
    return sa.column(str(name), getattr(sa, kind)())


def duckdb_table(conn: sa.Connection, name: str, schema: str | None) -> Any | None:
    """A table or view of the database with typed columns, or ``None`` when there is none of that name."""
    import sqlalchemy as sa

    found = conn.execute(sa.text(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = :name "
        "AND table_schema = coalesce(:schema, current_schema()) ORDER BY ordinal_position"),
        {"name": name, "schema": schema}).fetchall()
    if not found:
        return None
    return sa.table(name, *(_column(n, t) for n, t in found), schema=schema)


def parquet_table(conn: sa.Connection, pattern: str) -> Any:
    """``read_parquet(pattern)`` as a selectable with typed columns (``.columns``, ``.c``)."""
    import sqlalchemy as sa

    described = conn.execute(sa.text("DESCRIBE SELECT * FROM read_parquet(:pattern)"), {"pattern": pattern})
    columns = [_column(name, type_name) for name, type_name, *_ in described]
    call = sa.func.read_parquet(sa.bindparam("kpi_parquet", pattern, literal_execute=False))
    return call.table_valued(*columns).alias("parquet")
