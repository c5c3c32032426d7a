"""Aggregate metrics pushed down to the database (language §4.1, ``sql`` connector with ``table``).

Every aggregate becomes SQL built with SQLAlchemy Core, never by formatting
strings: ``COUNT(DISTINCT CASE WHEN where THEN e END)``, ``SUM(CASE WHEN …)``,
and for ``count_new``/``count_returning`` a window giving each value its first
period over the whole table (``MIN(period) OVER (PARTITION BY value)``).
Literals and parameters are bound, identifiers quoted by the dialect.

Each level is computed in the database, since distinct counts cannot be
combined: one ``GROUPING SETS`` query on PostgreSQL and DuckDB (every subset
of the table's dimensions, so that any ``--by`` finds its level), one query
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
from itertools import combinations
from typing import TYPE_CHECKING, Any

from kpirules.data.table import CELL_LEVEL, CELL_PERIOD, rows_column
from kpirules.lang import ast
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
PERIOD, LEVEL = "kpi_period", "kpi_level"  # plain labels: no quoting rules to meet in any dialect
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

    def compile(self, expr: ast.Expr) -> sa.ColumnElement[Any]:
        return self.translate(expr)

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


def aggregate_statement(table: sa.Table, period: str, dims: Sequence[str], metrics: Mapping[str, MetricDef],
                        params: Mapping[str, float | str], dialect: str, grain: str) -> sa.Select[Any]:
    """One query giving every cell of every level: period, level, dimensions, metric values, row counts
    (labelled as :func:`result_names` says)."""
    import sqlalchemy as sa

    columns = {c.name: c for c in table.columns}
    sql = RowSql(columns, params)
    inner_cols: list[sa.ColumnElement[Any]] = [period_expr(columns[period], dialect, grain).label(PERIOD)]
    inner_cols += [columns[d].label(f"kpi_d{i}") for i, d in enumerate(dims)]
    dim = {d: f"kpi_d{i}" for i, d in enumerate(dims)}
    label = {m: i for i, m in enumerate(metrics)}
    outer: dict[str, tuple[str, Any]] = {}
    for name, metric in metrics.items():
        call = metric.aggregate
        assert call is not None
        cond = None if metric.where is None else sql.compile(metric.where)
        keep = sa.literal(1) if cond is None else sa.case((cond, sa.literal(1)), else_=sa.null())
        inner_cols.append(keep.label(f"kpi_k{label[name]}"))
        if call.args:
            arg = sql.compile(call.args[0])
            if cond is not None:
                arg = sa.case((cond, arg), else_=sa.null())
            inner_cols.append(arg.label(f"kpi_v{label[name]}"))
        outer[name] = (call.func, bool(call.args))
    inner = sa.select(*inner_cols).select_from(table).subquery("raw")
    # one first-period window per distinct (argument, where): new and returning buyers share theirs
    window_of: dict[str, str] = {}  # the argument and where as text → its window's column
    first_column: dict[str, str] = {}  # metric → that column
    if any(func in ("count_new", "count_returning") for func, _ in outer.values()):
        from kpirules.lang.aggregates import value_key

        extra = []
        for name, (func, _) in outer.items():
            if func not in ("count_new", "count_returning"):
                continue
            key = value_key(metrics[name])
            if key not in window_of:
                seen = inner.c[f"kpi_v{label[name]}"]
                earliest = sa.func.min(sa.case((seen.is_not(None), inner.c[PERIOD]), else_=sa.null()))
                window_of[key] = f"kpi_f{label[name]}"
                extra.append(earliest.over(partition_by=seen).label(window_of[key]))
            first_column[name] = window_of[key]
        inner = sa.select(*inner.c, *extra).subquery("raw_first")
    selected: list[sa.ColumnElement[Any]] = []
    for name, (func, has_arg) in outer.items():
        kept = inner.c[f"kpi_k{label[name]}"]
        v: Any = inner.c[f"kpi_v{label[name]}"] if has_arg else None
        value: Any
        if func == "count":
            value = sa.func.count(kept) if v is None else sa.func.count(v)
        elif func == "count_distinct":
            value = sa.func.count(sa.distinct(v))
        elif func in ("count_new", "count_returning"):
            first = inner.c[first_column[name]]
            hit = first == inner.c[PERIOD] if func == "count_new" else first < inner.c[PERIOD]
            value = sa.func.count(sa.distinct(sa.case((hit, v), else_=sa.null())))
        else:
            value = getattr(sa.func, func)(sa.cast(v, sa.Double))
        selected += [sa.cast(value, sa.Double).label(f"kpi_m{label[name]}"),
                     sa.func.count(kept).label(f"kpi_r{label[name]}")]
    levels = [list(c) for n in range(len(dims) + 1) for c in combinations(dims, n)]
    if dialect in ("postgresql", "duckdb"):
        grouping = [sa.func.grouping(inner.c[dim[d]]) * (2 ** i) for i, d in enumerate(dims)]
        level = sum(grouping[1:], grouping[0]) if grouping else sa.literal(0)
        sets = sa.func.grouping_sets(*[sa.tuple_(inner.c[PERIOD], *(inner.c[dim[d]] for d in keys))
                                       for keys in levels])
        return (sa.select(inner.c[PERIOD], sa.cast(level, sa.Integer).label(LEVEL),
                          *(inner.c[dim[d]] for d in dims), *selected).group_by(sets))
    parts = []
    for keys in levels:  # one query per level: SQLite has no GROUPING SETS
        mask = sum(2 ** i for i, d in enumerate(dims) if d not in keys)
        dim_cols = [inner.c[dim[d]] if d in keys else sa.null().label(dim[d]) for d in dims]
        parts.append(sa.select(inner.c[PERIOD], sa.literal(mask).label(LEVEL), *dim_cols, *selected)
                     .group_by(inner.c[PERIOD], *(inner.c[dim[d]] for d in keys)))
    return sa.union_all(*parts) if len(parts) > 1 else parts[0]  # type: ignore[return-value]


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
            return aggregate_statement(table, period, dims, held, params, dialect, grain), dims, list(held)
        except NotPushable:
            pass
    needed = [period, *dims, *sorted(read - {period, *dims}), *column_metrics]
    return sa.select(*(columns[c] for c in dict.fromkeys(needed))), dims, []
