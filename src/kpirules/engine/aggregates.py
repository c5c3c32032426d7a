"""Aggregate metrics computed from raw rows, at every level (language §4.1).

A column metric is rolled up (its ``agg`` combines values); an aggregate
metric never is: ``count_distinct(customer)`` of the overall level counts a
customer who bought through two channels once, so each level (the overall
level, the breakdown) is a group-by of its own over the raw rows of the table
that holds the metric's columns. The rows stay a lazy frame of the columns the
aggregates read, so Polars plans one pass per level and memory follows those
columns, not the whole table.

``count_new``/``count_returning`` compare each value's period with its first
period over the whole data (every row that passes the metric's ``where``,
whatever its segment, and periods before those reported).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import polars as pl
from attrs import define

from kpirules.data.table import CELL_LEVEL, CELL_PERIOD, RawTable, rows_column
from kpirules.engine.compile import Compiler
from kpirules.engine.frame_columns import ROW, P, T
from kpirules.errors import DataError
from kpirules.lang import ast
from kpirules.lang.aggregates import AGGREGATES, value_key
from kpirules.lang.diagnostics import did_you_mean
from kpirules.lang.model import MetricDef, Ruleset

NUMERIC_FUNCTIONS = frozenset({"abs", "round", "sqrt", "ln", "exp", "clamp"})


def column_name(col: str) -> str:
    """Where a read column lives in the rows frame (apart from metrics and dimensions of the same name)."""
    return f"__c__{col}"


def aggregate_metrics(ruleset: Ruleset) -> dict[str, MetricDef]:
    return {n: m for n, m in ruleset.metrics.items() if m.aggregate is not None}


def _table_columns(table: RawTable) -> list[str]:
    return [table.rename.get(c, c) for c in table.columns if c not in table.ignore]


def assign_tables(tables: Sequence[RawTable], ruleset: Ruleset) -> dict[int, list[str]]:
    """Table index → the aggregate metrics computed from its rows.

    A metric goes to the first table that holds every column it reads;
    ``count()`` (no column) to the first table holding another aggregate's
    columns, or the first table. A column no table holds is a data error at
    the metric's definition, with the nearest column name.
    """
    metrics = aggregate_metrics(ruleset)
    if not metrics:
        return {}
    columns = [set(_table_columns(t)) for t in tables]
    out: dict[int, list[str]] = {}
    for i, table in enumerate(tables):  # computed in a database already (sql_pushdown)
        for name in table.extra.get("aggregate_cells", ()):
            if name in metrics:
                out.setdefault(i, []).append(name)
                metrics.pop(name)
    columnless: list[str] = []
    for name, metric in metrics.items():
        if not metric.columns:
            columnless.append(name)
            continue
        index = next((i for i, cols in enumerate(columns) if set(metric.columns) <= cols), None)
        if index is None:
            _missing_column(metric, tables, columns)
        out.setdefault(index, []).append(name)  # type: ignore[arg-type]
    if columnless:
        home = min(out) if out else 0
        out.setdefault(home, []).extend(columnless)
    return out


def _missing_column(metric: MetricDef, tables: Sequence[RawTable], columns: list[set[str]]) -> None:
    best = max(range(len(tables)), key=lambda i: len(set(metric.columns) & columns[i]))
    lacking = [c for c in metric.columns if c not in columns[best]]
    col = lacking[0]
    hint = did_you_mean(col, sorted(columns[best]))
    where = metric.span.at() if metric.span.line else None
    raise DataError(f'metric "{metric.name}" reads column "{col}", which {tables[best].source} lacks'
                    + (f" ({hint})" if hint else f" (columns: {', '.join(_table_columns(tables[best]))})"),
                    where=where)


def read_columns(ruleset: Ruleset, metrics: Sequence[str]) -> list[str]:
    """The columns that ``metrics`` read, in order."""
    return list(dict.fromkeys(c for m in metrics for c in ruleset.metrics[m].columns))


def numeric_columns(ruleset: Ruleset, metrics: Sequence[str]) -> set[str]:
    """Columns used as numbers somewhere (arithmetic, ordering, ``sum``…): read as numbers.

    Other columns keep their type, so that ``count_distinct(order_id)`` counts
    identifiers as written.
    """
    found: set[str] = set()

    def mark(expr: ast.Expr) -> None:
        if isinstance(expr, ast.Name) and expr.name not in ruleset.params:
            found.add(expr.name)

    for name in metrics:
        metric = ruleset.metrics[name]
        assert metric.aggregate is not None
        if AGGREGATES[metric.aggregate.func].numeric:
            for arg in metric.aggregate.args:
                mark(arg)
        for expr in (metric.aggregate, metric.where):
            for node in ast.walk(expr) if expr is not None else ():
                if isinstance(node, ast.Binary) and (node.op in ast.ARITHMETIC_OPS or node.op in ("<", "<=", ">", ">=")):
                    mark(node.left)
                    mark(node.right)
                elif isinstance(node, ast.Binary) and node.op in ("==", "!="):
                    if isinstance(node.right, ast.Number):
                        mark(node.left)
                    if isinstance(node.left, ast.Number):
                        mark(node.right)
                elif isinstance(node, ast.Unary) and node.op == "-":
                    mark(node.operand)
                elif isinstance(node, ast.Call) and node.func in NUMERIC_FUNCTIONS:
                    for arg in node.args:
                        mark(arg)
    return found


class RowCompiler(Compiler):
    """Row expressions: a name is a column of the rows (or a parameter), never a metric."""

    def _name(self, node: ast.Name) -> pl.Expr:
        if node.name in self.params:
            return super()._name(node)
        return pl.col(column_name(node.name))


@define
class AggregatePlan:
    """The aggregate metrics one table supplies; ``rows`` is filled when the table is prepared."""

    metrics: list[str]
    params: Mapping[str, float | str]
    rows: AggregateRows | None = None


def plan_aggregates(tables: Sequence[RawTable], ruleset: Ruleset,
                    params: Mapping[str, float | str] | None) -> dict[int, AggregatePlan]:
    """Table index → what it computes from its raw rows (parameters default to the file's values)."""
    values = dict(params) if params is not None else {n: p.value for n, p in ruleset.params.items()}
    return {i: AggregatePlan(metrics, values) for i, metrics in assign_tables(tables, ruleset).items()}


@define
class AggregateRows:
    """The raw rows of one table and the aggregate metrics computed from them."""

    rows: pl.LazyFrame  # __p, __t, __row, dimensions, __c__COLUMN…
    dims: list[str]
    metrics: list[str]
    ruleset: Ruleset
    params: Mapping[str, float | str]
    first: int
    last: int
    height: int

    prepared: pl.DataFrame | None = None

    def cells(self, keys: Sequence[str]) -> pl.DataFrame:
        """Each metric per period and value of ``keys`` (a level), from the rows themselves.

        The rows (with each value's first period, for count_new) are made once
        and kept for every level: one group-by per level over the columns read.
        """
        compiler = RowCompiler(self.ruleset, self.params, set())
        if self.prepared is None:
            ordered = any(self._func(m) in ("first", "last") for m in self.metrics)
            order = [T, ROW] if ordered else []  # the time key and file order, only for first/last
            compact = [pl.col(P).cast(pl.Int32), *order,  # kept for every level: as small as it can be
                       *(pl.col(d).cast(pl.Categorical) for d in self.dims), *read_kept(self)]
            # the compact rows first, streamed from the file (only the columns read), then the windows
            # on them: the file's columns are never all in memory beside the compact rows
            rows = self._with_first_periods(self.rows.select(compact).collect(engine="streaming").lazy(),
                                            compiler)
            if ordered:
                rows = rows.sort([T, ROW])  # group_by keeps this order within each group
            self.prepared = rows.collect()
            self.rows = self.prepared.lazy().head(0)  # the scan and its period columns: released
        aggs: list[pl.Expr] = []
        for name in self.metrics:
            aggs += self._aggregate(name, compiler)
        cells = self.prepared.lazy().group_by([P, *keys], maintain_order=False).agg(aggs)
        return cells.with_columns(pl.col(P).cast(pl.Int64), *(pl.col(k).cast(pl.String) for k in keys)).collect()

    def keep_dims(self, dims: Sequence[str]) -> None:
        """Only these dimensions are levels' keys (``--by``): the others need not be kept."""
        self.dims = [d for d in self.dims if d in dims]

    def value_column(self, name: str) -> str:
        """The column holding count_new/count_returning's values: one per distinct (argument, where)."""
        shared = sorted({key_of(self.ruleset, m) for m in self.metrics
                         if self._func(m) in ("count_new", "count_returning")})
        return f"__v{shared.index(key_of(self.ruleset, name))}"

    def _func(self, name: str) -> str:
        call = self.ruleset.metrics[name].aggregate
        assert call is not None
        return call.func

    def _condition(self, name: str, compiler: RowCompiler) -> pl.Expr | None:
        where = self.ruleset.metrics[name].where
        return None if where is None else compiler.compile(where).fill_null(False)

    def _value(self, name: str, compiler: RowCompiler) -> pl.Expr:
        """The aggregate's argument, null on the rows the ``where`` condition leaves out."""
        call = self.ruleset.metrics[name].aggregate
        assert call is not None
        value = compiler.compile(call.args[0])
        cond = self._condition(name, compiler)
        return value if cond is None else pl.when(cond).then(value)

    def _with_first_periods(self, rows: pl.LazyFrame, compiler: RowCompiler) -> pl.LazyFrame:
        """For count_new/count_returning: each value's first period over the whole data."""
        done: set[str] = set()
        for name in self.metrics:
            if self._func(name) not in ("count_new", "count_returning"):
                continue
            value = self.value_column(name)
            first = f"__first{value}"
            if value in done:  # new and returning buyers share their customers' first periods
                continue
            done.add(value)
            # a window rather than a join: one more column, not a second copy of the rows
            rows = rows.with_columns(self._value(name, compiler).alias(value)).with_columns(
                pl.when(pl.col(value).is_not_null()).then(pl.col(P).min().over(value)).alias(first))
        return rows

    def _aggregate(self, name: str, compiler: RowCompiler) -> list[pl.Expr]:
        func = self._func(name)
        call = self.ruleset.metrics[name].aggregate
        assert call is not None
        cond = self._condition(name, compiler)
        rows_expr = (pl.len() if cond is None else cond.sum()).cast(pl.Int64).alias(rows_column(name))
        if func == "count" and not call.args:
            value = pl.len() if cond is None else cond.sum()
            return [value.cast(pl.Float64).alias(name), rows_expr]
        if func in ("count_new", "count_returning"):
            v, first = pl.col(self.value_column(name)), pl.col(f"__first{self.value_column(name)}")
            counted = first == pl.col(P) if func == "count_new" else first < pl.col(P)
            value = v.filter(counted.fill_null(False)).n_unique()
            return [value.cast(pl.Float64).alias(name), rows_expr]
        x = self._value(name, compiler)
        if func == "count":
            value = x.count()
        elif func == "count_distinct":
            value = x.drop_nulls().n_unique()
        elif func == "sum":
            value = pl.when(x.count() > 0).then(x.sum())
        elif func == "avg":
            value = x.mean()
        elif func == "median":
            value = x.median()
        elif func in ("min", "max"):
            value = getattr(x, func)()
        else:  # first, last: the rows are in time order, ties in file order
            value = getattr(x.drop_nulls(), func)()
        return [value.cast(pl.Float64).alias(name), rows_expr]


def key_of(ruleset: Ruleset, name: str) -> str:
    return value_key(ruleset.metrics[name])


def read_kept(rows: AggregateRows) -> list[str]:
    """The columns the aggregates read, as prepared."""
    return [column_name(c) for c in read_columns(rows.ruleset, rows.metrics)]


def identifier_columns(ruleset: Ruleset, metrics: Sequence[str]) -> set[str]:
    """Columns only ever counted (``count_distinct(order_id)``, ``count_new(customer)``).

    Only equality matters for them, so they are read as dictionary codes:
    hashing whole numbers instead of text at every level.
    """
    counted: set[str] = set()
    other: set[str] = set()
    for name in metrics:
        metric = ruleset.metrics[name]
        assert metric.aggregate is not None
        args = metric.aggregate.args
        bare = (metric.aggregate.func in ("count_distinct", "count_new", "count_returning")
                and isinstance(args[0], ast.Name))
        for expr in (*args, metric.where):
            for node in ast.walk(expr) if expr is not None else ():
                if isinstance(node, ast.Name) and node.name not in ruleset.params:
                    (counted if bare and node is args[0] else other).add(node.name)
    return counted - other


def prepare_rows(source: pl.LazyFrame, base: list[pl.Expr], dims: list[str], table: RawTable,
                 ruleset: Ruleset, metrics: list[str], params: Mapping[str, float | str],
                 on_bad_value: str, position: dict[str, int],
                 number_column: Callable[..., tuple[pl.Expr, int]], periods: pl.Series,
                 cells: pl.DataFrame | None = None) -> tuple[AggregateRows, int]:
    """The rows an aggregate table keeps: period, order, dimensions and the columns read.

    ``source`` is the table as a lazy frame (a scan of the file when it can
    be read column by column); ``base`` are the period, time key and row
    number expressions, ``periods`` each row's period; numbers are read as
    numbers where an expression uses them so, by ``number_column``
    (normalise's: a bad cell is an error at its line and column, or null with
    ``--on-bad-value null``), which counts bad cells as they stream by, or
    in ``cells`` when they were read already.
    """
    numeric = numeric_columns(ruleset, metrics)
    identifiers = identifier_columns(ruleset, metrics)
    schema = source.collect_schema()
    exprs = [*base, *(pl.col(d).cast(pl.String).alias(d) for d in dims)]
    bad_total = 0
    for col in read_columns(ruleset, metrics):
        if col in numeric:
            held = cells is not None and col in cells.columns  # read already with the period (a CSV file)
            number, bad = number_column(cells if held else source, col, table, position[col] - 1, on_bad_value)
            bad_total += bad
            exprs.append(number.alias(column_name(col)))
        elif schema[col] == pl.String:
            text = pl.col(col).str.strip_chars().replace("", None)
            if col in identifiers:
                text = text.cast(pl.Categorical).to_physical()
            exprs.append(text.alias(column_name(col)))
        else:
            exprs.append(pl.col(col).alias(column_name(col)))
    rows = source.select(exprs)
    lo, hi = periods.min(), periods.max()  # each row's period, known: the file is not read again for them
    return (AggregateRows(rows, dims, metrics, ruleset, params, int(lo or 0), int(hi or 0),  # type: ignore[arg-type]
                          periods.len()), bad_total)


def count_metrics(ruleset: Ruleset) -> list[str]:
    """Aggregate metrics that are 0, not null, in a cell with no row."""
    return [n for n, m in aggregate_metrics(ruleset).items()
            if m.aggregate is not None and AGGREGATES[m.aggregate.func].counts]


@define
class PushedCells:
    """Aggregate metrics a database computed for every level (``sql`` connector, sql_pushdown).

    ``frame`` holds ``__period`` (a period label), ``__level`` (bit i set: the
    i-th dimension is rolled up), the dimensions, each metric and its row count.
    """

    frame: pl.DataFrame
    dims: list[str]
    metrics: list[str]
    first: int
    last: int
    height: int

    @classmethod
    def from_table(cls, table: RawTable, metrics: list[str], grain: str) -> PushedCells:
        from kpirules.engine.periods import PeriodColumnError, map_periods

        frame = table.frame
        try:
            idx, _key = map_periods(frame[CELL_PERIOD], grain, name=table.period_column or "period")
        except PeriodColumnError as err:
            raise DataError(err.message, where=table.source) from None
        dims = list(table.dimensions)
        frame = frame.select(idx.alias(P), pl.col(CELL_LEVEL).cast(pl.Int64),
                             *(pl.col(d).cast(pl.String) for d in dims),
                             *(pl.col(m).cast(pl.Float64) for m in metrics),
                             *(pl.col(rows_column(m)).cast(pl.Int64) for m in metrics))
        first = int(frame[P].min()) if frame.height else 0  # type: ignore[arg-type]
        last = int(frame[P].max()) if frame.height else 0  # type: ignore[arg-type]
        return cls(frame, dims, metrics, first, last, frame.height)

    def cells(self, keys: Sequence[str]) -> pl.DataFrame:
        mask = sum(2 ** i for i, d in enumerate(self.dims) if d not in keys)
        return self.frame.filter(pl.col(CELL_LEVEL) == mask).select(
            P, *keys, *self.metrics, *(rows_column(m) for m in self.metrics))
