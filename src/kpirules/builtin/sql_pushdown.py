"""Aggregate metrics pushed down to the database (language §4.1, ``sql`` connector with ``table``).

Every aggregate becomes SQL built with SQLAlchemy Core, never by formatting
strings (:mod:`kpirules.builtin.sql_cells` builds the statement: the raw rows
grouped once per finest cell, distinct counts de-duplicated before they are
counted, each value's first period from one ``GROUP BY`` for
``count_new``/``count_returning``). Literals and parameters are bound,
identifiers quoted by the dialect.

Each level is computed in the database, since distinct counts cannot be
combined: ``GROUPING SETS`` on PostgreSQL and DuckDB (every subset of the
table's dimensions, so that any ``--by`` finds its level), one ``GROUP BY``
per level joined by ``UNION ALL`` elsewhere (SQLite). Only the cells cross the
wire. Row expressions are translated by :class:`RowSql`, a
:class:`~kpirules.lang.row_translate.RowTranslator` (the Spark plugin writes
the same expressions as Spark columns with its own).

What cannot be pushed down reads the raw rows instead (only the columns the
ruleset needs), and the engine computes the same values: ``first``/``last``
(the order of rows is lost in SQL), ``median``, row functions other than
``abs``, ``coalesce`` and ``if``, a week grain on SQLite, a dialect other than
PostgreSQL, DuckDB and SQLite, a period column that is not an ISO date, or more than
four dimensions (sixteen levels).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kpirules.builtin.sql_cells import LEVEL, PERIOD, aggregate_statement
from kpirules.data.table import CELL_LEVEL, CELL_PERIOD, rows_column
from kpirules.lang.row_translate import NotTranslatable, RowTranslator

if TYPE_CHECKING:
    import sqlalchemy as sa

    from kpirules.lang.model import MetricDef

PUSHABLE_AGGREGATES = frozenset({"count", "count_distinct", "sum", "avg", "min", "max",
                                 "count_new", "count_returning"})
PUSHABLE_FUNCTIONS = frozenset({"abs", "coalesce", "if"})
MAX_DIMENSIONS = 4
DIALECTS = ("postgresql", "sqlite", "duckdb")
"""Dialects the push-down is written and tested for."""
ISO_DATE_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*"




NotPushable = NotTranslatable  # the name this module has always raised


def pushable(metrics: Mapping[str, MetricDef], dims: Sequence[str], dialect: str, grain: str) -> bool:
    """Whether every aggregate, the dialect and the grain allow a push-down."""
    if dialect not in DIALECTS or len(dims) > MAX_DIMENSIONS:
        return False
    if dialect == "sqlite" and grain == "week":
        return False
    check = RowSql({}, {})
    return all(metric.aggregate is not None and metric.aggregate.func in PUSHABLE_AGGREGATES
               and check.translatable(*metric.aggregate.args, metric.where) for metric in metrics.values())


class RowSql(RowTranslator["sa.ColumnElement[Any]"]):
    """Row expressions → SQLAlchemy expressions over one table (parameters bound)."""

    functions = PUSHABLE_FUNCTIONS

    def __init__(self, columns: Mapping[str, sa.ColumnElement[Any]], params: Mapping[str, float | str]) -> None:
        super().__init__(params)
        self.columns = columns

    def number(self, value: float) -> sa.ColumnElement[Any]:
        import sqlalchemy as sa

        return sa.literal(value, sa.Double)

    def string(self, value: str) -> sa.ColumnElement[Any]:
        import sqlalchemy as sa

        return sa.literal(value, sa.String)

    def boolean(self, value: bool) -> sa.ColumnElement[Any]:
        import sqlalchemy as sa

        return sa.true() if value else sa.false()

    def null(self) -> sa.ColumnElement[Any]:
        import sqlalchemy as sa

        return sa.null()

    def column(self, name: str) -> sa.ColumnElement[Any]:
        return self.columns[name]

    def negate(self, operand: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return -operand

    def logical_not(self, operand: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        import sqlalchemy as sa

        return sa.not_(operand)

    def in_list(self, operand: sa.ColumnElement[Any], items: Sequence[sa.ColumnElement[Any]],
                negated: bool) -> sa.ColumnElement[Any]:
        import sqlalchemy as sa

        test = operand.in_(list(items))
        return sa.not_(test) if negated else test

    def call(self, func: str, args: Sequence[sa.ColumnElement[Any]]) -> sa.ColumnElement[Any]:
        import sqlalchemy as sa

        if func == "abs":
            return sa.func.abs(args[0])
        if func == "coalesce":
            return sa.func.coalesce(*args)
        if func == "if":
            return sa.case((args[0], args[1]), else_=args[2])
        raise NotPushable(func)

    def binary(self, op: str, left: sa.ColumnElement[Any], right: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        import sqlalchemy as sa

        if op == "and":
            return sa.and_(left, right)
        if op == "or":
            return sa.or_(left, right)
        if op == "/":  # a division by zero is null, and never an integer division
            return sa.case((right != 0, sa.cast(left, sa.Double) / sa.cast(right, sa.Double)), else_=sa.null())
        if op == "^":
            return sa.func.power(sa.cast(left, sa.Double), right)
        operators: dict[str, Any] = {
            "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
            "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
        }
        result: sa.ColumnElement[Any] = operators[op](left, right)
        return result


def period_expr(column: sa.ColumnElement[Any], dialect: str, grain: str) -> sa.ColumnElement[Any]:
    """The period label of each row (``2026-03``, ``2026-Q1``, ``2026-W05``…), sorted as text."""
    import sqlalchemy as sa

    if dialect == "postgresql":
        stamp = sa.cast(column, sa.DateTime)
        pattern = {"day": "YYYY-MM-DD", "week": 'IYYY-"W"IW', "month": "YYYY-MM",
                   "quarter": 'YYYY-"Q"Q', "year": "YYYY"}[grain]
        return sa.func.to_char(stamp, sa.literal_column(f"'{pattern}'"))  # a constant of this module
    if dialect == "duckdb":
        stamp = sa.cast(column, sa.DateTime)
        if grain == "quarter":
            return sa.func.strftime(stamp, sa.literal_column("'%Y-Q'"), type_=sa.String) \
                + sa.cast(sa.func.quarter(stamp), sa.String)
        pattern = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m", "year": "%Y"}[grain]
        return sa.func.strftime(stamp, sa.literal_column(f"'{pattern}'"), type_=sa.String)
    text = sa.cast(column, sa.String)
    if grain == "quarter":
        month = sa.cast(sa.func.substr(text, 6, 2, type_=sa.String), sa.Integer)
        quarter = sa.cast((month + 2) / 3, sa.Integer)  # whole-number division of integers
        return sa.func.substr(text, 1, 4, type_=sa.String) + "-Q" + sa.cast(quarter, sa.String)
    return sa.func.substr(text, 1, {"day": 10, "month": 7, "year": 4}[grain], type_=sa.String)


def iso_dates(conn: sa.Connection, table: sa.Table, column: sa.Column[Any], dialect: str) -> bool:
    """Whether every period value is a date, a datetime or ISO text (what ``period_expr`` reads)."""
    import sqlalchemy as sa

    if isinstance(column.type, sa.Date | sa.DateTime):
        return True
    if dialect == "postgresql":
        bad = sa.not_(sa.cast(column, sa.String).regexp_match(r"^\d{4}-\d{2}-\d{2}"))
    elif dialect == "duckdb":
        bad = sa.not_(sa.func.regexp_matches(sa.cast(column, sa.String), r"^\d{4}-\d{2}-\d{2}"))
    else:
        bad = sa.not_(sa.cast(column, sa.String).op("GLOB", is_comparison=True)(ISO_DATE_GLOB))
    count = conn.execute(sa.select(sa.func.count()).select_from(table).where(column.is_not(None), bad)).scalar()
    return count == 0


def result_names(dims: Sequence[str], metrics: Sequence[str]) -> dict[str, str]:
    """Label in the query → column of the table handed to the engine.

    Every label is generated (``kpi_d0``, ``kpi_m0``…), so that no metric or
    column name (``returning``, ``Order "lines"``) ever has to be a valid SQL label.
    """
    names = {PERIOD: CELL_PERIOD, LEVEL: CELL_LEVEL}
    names.update({f"kpi_d{i}": d for i, d in enumerate(dims)})
    for i, m in enumerate(metrics):
        names[f"kpi_m{i}"] = m
        names[f"kpi_r{i}"] = rows_column(m)
    return names


def prepare(conn: sa.Connection) -> None:
    """Settings for the push-down statement, for this transaction only.

    PostgreSQL's JIT compiles the statement's hundred-odd expressions before
    it runs: 3 to 9 s of a 20 to 40 s query on a million order lines here
    (``EXPLAIN ANALYZE``, docs/performance.md), more than it ever saves on
    groupings that spend their time hashing. ``set_config(…, true)`` is
    ``SET LOCAL``: the session's own settings are back after the statement.
    """
    import sqlalchemy as sa

    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.set_config("jit", "off", True)))


def table_plan(conn: sa.Connection, table: sa.Table, period: str, given_dims: Sequence[str],
               ignore: set[str], aggregates: Mapping[str, MetricDef], params: Mapping[str, float | str],
               grain: str, column_metrics: Sequence[str], numeric: Any,
               ) -> tuple[sa.Select[Any], tuple[str, ...], list[str]] | None:
    """For a table holding aggregate metrics' columns: ``(statement, dimensions, metrics pushed down)``.

    The metrics pushed down are empty when the statement reads raw rows (only
    the columns needed) for the engine to aggregate. ``None``: the table
    holds no aggregate's columns, the connector's usual plan applies.
    """
    import sqlalchemy as sa

    columns = {c.name: c for c in table.columns}
    held = {n: m for n, m in aggregates.items() if m.columns and set(m.columns) <= set(columns)}
    if not held:
        return None
    held.update({n: m for n, m in aggregates.items() if not m.columns})  # count(): the rows of this table
    read = {c for m in held.values() for c in m.columns}
    dims = tuple(given_dims) or tuple(
        c for c in columns if c != period and c not in read and c not in ignore and c not in column_metrics
        and c not in aggregates and not numeric(columns[c]))
    dialect = conn.dialect.name
    if not column_metrics and pushable(held, dims, dialect, grain) and iso_dates(conn, table, columns[period], dialect):
        try:
            statement = aggregate_statement(table, period_expr(columns[period], dialect, grain), dims, held,
                                            RowSql(columns, params), dialect)
            return statement, dims, list(held)
        except NotPushable:
            pass
    needed = [period, *dims, *sorted(read - {period, *dims}), *column_metrics]
    return sa.select(*(columns[c] for c in dict.fromkeys(needed))), dims, []
