"""The ``sql`` connector: any database SQLAlchemy reaches, rollup pushed down.

With ``query``, the rows the query returns are the table. With ``table`` (or,
on DuckDB, ``parquet``: a Parquet file or glob read in place), the
connector builds the query itself with SQLAlchemy Core and pushes the rollup
down to the database: ``GROUP BY`` the period column and the dimensions, each
metric by its ``agg``, so that millions of raw rows come back as one row per
period and segment. Values are always bound parameters and identifiers always
quoted by the dialect; no SQL is ever built by formatting strings.

An ``avg`` metric comes back as its ``AVG`` plus the ``COUNT`` of the values
behind it in ``__count__m``, and the table is marked ``pre_aggregated``, so
that the engine can still take means of the input rows across segments (it
weights each mean by its count, as :mod:`kpirules.engine.normalise` does). A metric whose agg is ``first`` or
``last`` depends on the order of raw rows, which ``GROUP BY`` loses: when the
ruleset has one among the table's columns, nothing is pushed down and the raw
rows are read.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from kpirules.data.limits import fetch_limited
from kpirules.data.table import PERIOD_CANDIDATES, count_column
from kpirules.errors import DataError
from kpirules.extras import require
from kpirules.plugin_api import (
    Connector,
    SettingsError,
    SourceContext,
    check_type,
    date_format,
    redact,
    secrets_in,
    str_list,
)

if TYPE_CHECKING:
    import polars as pl
    import sqlalchemy as sa

    from kpirules.data.table import RawTable

PUSHABLE = {"sum": "sum", "min": "min", "max": "max", "avg": "avg"}


class SqlConnector(Connector):
    """Rows from a SQL query or table, through a SQLAlchemy URL."""

    name = "sql"
    description = "a SQL query or table (any SQLAlchemy URL; with a table the rollup runs in the database)"
    required = ("url",)
    main_setting = "url"  # --data sql:URL --source query=…
    optional = ("query", "table", "parquet", "schema", "params", "period_column", "dimensions", "ignore",
                "date_format")
    settings_help: ClassVar[Mapping[str, str]] = {
        "url": "a SQLAlchemy URL; write the password as ${NAME}",
        "query": "an SQL query, :name for a bound parameter (or give table)",
        "table": "a table name: the rollup runs in the database (or give query)",
        "parquet": "on DuckDB, a Parquet file or glob read in place (or give query or table)",
        "schema": "the table's schema; default: the connection's",
        "params": "a table of the query's bound parameters",
        "period_column": "a column name; default: the first named like a period (month, Date, Mois…)",
        "dimensions": "columns that are dimensions; default: the text columns",
        "ignore": "columns left out; default: none",
        "date_format": "DMY, MDY, YMD or a strftime pattern; default: detected for the column",
    }

    def validate(self, settings: Mapping[str, Any]) -> None:
        """A parseable URL, and exactly one of ``query`` and ``table``."""
        super().validate(settings)
        require("sqlalchemy", "sql", "the sql connector")  # a clear error when the extra is missing
        import sqlalchemy as sa

        check_type(settings, "url", str, "a SQLAlchemy URL")
        try:
            sa.engine.make_url(str(settings["url"]))
        except Exception:  # the message would repeat the URL, password included
            raise SettingsError(
                "url", "is not a SQLAlchemy URL (dialect+driver://user:password@host/database)"
            ) from None
        has_query = bool(settings.get("query"))
        duckdb = sa.engine.make_url(str(settings["url"])).get_backend_name() == "duckdb"
        check_type(settings, "parquet", str, "a Parquet file or glob")
        if settings.get("parquet") and not duckdb:
            raise SettingsError("parquet", "is read by DuckDB: only with a duckdb:/// URL")
        if has_query + bool(settings.get("table")) + bool(settings.get("parquet")) != 1:
            raise SettingsError("query", "give one of query, table and parquet (exactly one)" if duckdb
                                else "give either query or table (exactly one)")
        check_type(settings, "query", str, "an SQL query")
        check_type(settings, "table", str, "a table name")
        check_type(settings, "schema", str, "a schema name")
        check_type(settings, "period_column", str, "a column name")
        check_type(settings, "params", dict, "a table of query parameters")
        if settings.get("params") and not has_query:
            raise SettingsError("params", "only applies to a query")
        str_list(settings, "dimensions")
        str_list(settings, "ignore")
        date_format(settings)

    def read(self, settings: Mapping[str, Any], ctx: SourceContext) -> RawTable:
        """Run the query (or the pushed-down rollup) and return its rows."""
        require("sqlalchemy", "sql", "the sql connector")  # a clear error when the extra is missing
        import sqlalchemy as sa

        from kpirules.data.table import RawTable

        url = self._url(str(settings["url"]), ctx)
        secrets = [*secrets_in(settings), *([url.password] if url.password else [])]
        where = f"source {ctx.source}"
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                if settings.get("query"):
                    stmt: sa.Executable = sa.text(str(settings["query"]))
                    result = conn.execute(stmt, dict(settings.get("params") or {}))
                    frame = _frame(list(result.keys()), fetch_limited(result, ctx.max_rows, where))
                    return RawTable(
                        frame=frame, source=where,
                        period_column=settings.get("period_column"),
                        dimensions=str_list(settings, "dimensions"),
                        ignore=str_list(settings, "ignore"), date_format=date_format(settings),
                    )
                plan = _plan_table(conn, settings, ctx)
                if plan.aggregates:
                    from kpirules.builtin.sql_pushdown import prepare

                    prepare(conn)
                result = conn.execute(plan.statement)
                frame = _frame(list(result.keys()), fetch_limited(result, ctx.max_rows, where))
                if plan.aggregates:  # generated labels → the names the engine reads
                    from kpirules.builtin.sql_pushdown import result_names

                    frame = frame.rename(result_names(plan.dimensions, plan.aggregates))
                return RawTable(
                    frame=frame, source=where, period_column=plan.period_column,
                    dimensions=plan.dimensions, ignore=str_list(settings, "ignore"),
                    date_format=date_format(settings),
                    pre_aggregated=plan.pushed_down,
                    extra={"pushed_down": plan.pushed_down, "sql": str(plan.statement),
                           **({"aggregate_cells": plan.aggregates} if plan.aggregates else {})},
                )
        except DataError:
            raise
        except sa.exc.SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None)
            message = redact(str(orig if orig is not None else exc), secrets)
            raise DataError(message.strip().splitlines()[0] if message.strip() else
                            type(exc).__name__, where) from None
        finally:
            engine.dispose()

    @staticmethod
    def _url(text: str, ctx: SourceContext) -> sa.URL:
        """The URL, a relative SQLite or DuckDB file taken from the configuration's folder."""
        import sqlalchemy as sa

        url = sa.engine.make_url(text)
        if url.drivername == "postgresql" and not _importable("psycopg2") \
                and _importable("psycopg"):
            url = url.set(drivername="postgresql+psycopg")  # psycopg 3, what kpirules installs
        db = url.database
        if url.get_backend_name() in ("sqlite", "duckdb") and db and db != ":memory:" \
                and not db.startswith("file:"):
            url = url.set(database=str(ctx.resolve(db)))
        return url


class _Plan:
    """The statement to run for a table source, and how to read its result."""

    def __init__(self, statement: sa.Select[Any], period_column: str,
                 dimensions: tuple[str, ...], pushed_down: bool, aggregates: list[str] | None = None) -> None:
        self.statement = statement
        self.period_column = period_column
        self.dimensions = dimensions
        self.pushed_down = pushed_down
        self.aggregates = aggregates or []  # aggregate metrics computed per level in the database


def _plan_table(conn: sa.Connection, settings: Mapping[str, Any], ctx: SourceContext) -> _Plan:
    """Reflect the table and build the rollup (or the raw select) for it."""
    import sqlalchemy as sa

    where = f"source {ctx.source}"
    table: Any
    if settings.get("parquet"):  # DuckDB reads the files in place
        from kpirules.builtin.sql_duckdb import parquet_table

        pattern = str(settings["parquet"])
        name = pattern if "://" in pattern else str(ctx.resolve(pattern))
        table = parquet_table(conn, name)
    elif conn.dialect.name == "duckdb":  # SQLAlchemy cannot reflect DuckDB tables
        from kpirules.builtin.sql_duckdb import duckdb_table

        name = str(settings["table"])
        table = duckdb_table(conn, name, settings.get("schema"))
        if table is None:
            raise DataError(f"no table {name!r} in the database", where)
    else:
        name = str(settings["table"])
        try:
            table = sa.Table(name, sa.MetaData(), autoload_with=conn, schema=settings.get("schema"))
        except sa.exc.NoSuchTableError:
            raise DataError(f"no table {name!r} in the database", where) from None
    columns = {c.name: c for c in table.columns}
    ignore = set(str_list(settings, "ignore"))

    from kpirules.data.columns import find_period_column  # here: check must not import polars

    period = settings.get("period_column") or find_period_column(list(columns))  # Date, Mois, Période…
    if period is None:
        raise DataError(
            f"table {name!r} has no period column (give period_column, or name one of "
            f"{', '.join(PERIOD_CANDIDATES)})", where)
    if period not in columns:
        raise DataError(f"table {name!r} has no column {period!r} (period_column)", where)

    metrics = {c: ctx.rename.get(c, c) for c in columns
               if c != period and c not in ignore and ctx.rename.get(c, c) in ctx.metrics}
    given_dims = str_list(settings, "dimensions")
    for dim in given_dims:
        if dim not in columns:
            raise DataError(f"table {name!r} has no column {dim!r} (dimensions)", where)
    dims = given_dims or tuple(
        c for c in columns
        if c != period and c not in metrics and c not in ignore and not _numeric(columns[c]))

    if ctx.aggregates:  # metrics from raw rows (language §4.1): see sql_pushdown
        from kpirules.builtin.sql_pushdown import table_plan

        planned = table_plan(conn, table, period, given_dims, ignore, ctx.aggregates, ctx.params,
                             ctx.grain or "month", [c for c, m in metrics.items() if m not in ctx.aggregates],
                             _numeric)
        if planned is not None:
            statement, agg_dims, pushed = planned
            return _Plan(statement, period, agg_dims, pushed_down=bool(pushed), aggregates=pushed)
    if any(ctx.metrics[m] not in PUSHABLE for m in metrics.values()):
        keep = [columns[c] for c in columns if c not in ignore]
        return _Plan(sa.select(*keep), period, dims, pushed_down=False)

    selected: list[sa.ColumnElement[Any]] = [columns[period], *(columns[d] for d in dims)]
    for column, metric in metrics.items():
        agg = ctx.metrics[metric]
        col = columns[column]
        if agg == "avg":
            selected.append(sa.func.avg(col).label(column))
            selected.append(sa.func.count(col).label(count_column(metric)))
        else:
            selected.append(getattr(sa.func, PUSHABLE[agg])(col).label(column))
    keys = [columns[period], *(columns[d] for d in dims)]
    statement = sa.select(*selected).group_by(*keys).order_by(*keys)
    return _Plan(statement, period, dims, pushed_down=True)


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _numeric(column: sa.Column[Any]) -> bool:
    """Whether a reflected column holds numbers (booleans and unknown types do not)."""
    import sqlalchemy as sa

    if isinstance(column.type, sa.Boolean):
        return False
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return False
    return python_type in (int, float, decimal.Decimal)


def _frame(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> pl.DataFrame:
    """A Polars frame from result rows; SQL decimals become floats."""
    import polars as pl

    data: dict[str, list[Any]] = {n: [] for n in names}
    for row in rows:
        for n, value in zip(names, row, strict=True):
            data[n].append(float(value) if isinstance(value, decimal.Decimal) else value)
    return pl.DataFrame(data, strict=False)
