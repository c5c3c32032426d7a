"""Raw tables → one frame of levels × periods × metrics (language §11).

1. map each row's period to the ruleset's grain; turn metric cells into numbers;
2. roll rows up to the finest segments (each metric by its ``agg``, nulls ignored,
   ``first``/``last`` in time order whatever the input order);
3. join several tables on period and shared dimensions;
4. build the levels: the segments of the breakdown (``by``) and the overall
   level, both from the finest segments (averages from sums and counts, so that
   they stay means of the input rows);
5. complete the calendar per segment and apply ``missing`` values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl
from attrs import define, field

from kpirules.data.columns import did_you_mean_column, numbers
from kpirules.data.table import COUNT_PREFIX, RawTable, count_column, rows_column
from kpirules.display import cut, shown
from kpirules.engine.aggregates import (
    AggregatePlan,
    AggregateRows,
    PushedCells,
    count_metrics,
    plan_aggregates,
    prepare_rows,
    read_columns,
)
from kpirules.engine.aggregates import numeric_columns as aggregate_numbers
from kpirules.engine.data_warnings import (
    UNSPLIT,
    UNSUPPLIED_DIMENSION,
    UNSUPPLIED_METRIC,
    DataWarning,
)
from kpirules.engine.frame_columns import OVERALL, ROW, SEG, P, T
from kpirules.engine.periods import PeriodColumnError, map_periods
from kpirules.engine.roles import (
    choose_period_column,
    column_roles,
    role_warnings,
    undecided_columns,
)
from kpirules.errors import DataError, OptionError, OptionHint, phrase
from kpirules.lang.model import Ruleset


class _ReadCarefully(Exception):
    """A lazily read CSV file needs reading whole (a blank line): :func:`normalise` starts again so."""


@define
class Normalised:
    """The frame the evaluator works on, and what was noticed on the way."""

    frame: pl.DataFrame  # __p, __seg, __overall, by-dims…, metrics…; sorted by (__seg, __p)
    dimensions: list[str]  # the breakdown (by)
    first: int
    last: int
    warnings: list[DataWarning] = field(factory=list)
    bad_values: int = 0
    unsupplied: list[str] = field(factory=list)  # metrics no column supplies


def _sum_col(m: str) -> str:
    return f"__sum__{m}"


#: What a bad cell's error tells to set (the command line: ``--on-bad-value null``).
_NULL_HINT = OptionHint("on_bad_value", ("null",), lead="; use ", purpose=" to count such cells as missing")


def _n_col(m: str) -> str:
    return f"__n__{m}"


def _bad_cells(source: pl.DataFrame | pl.LazyFrame, bad: pl.Expr, col: str, table: RawTable, index: int,
               on_bad_value: str, non_finite: pl.Expr | None = None) -> int:
    """How many cells ``bad`` flags; with ``on_bad_value`` "error", the first of them is an error.

    ``non_finite`` flags the bad cells that are numbers, but not finite ones
    (``NaN``, ``inf``, ``1e400``); without it every bad cell is such a number.
    ``source`` may be a scan of the file: the cells are then counted as they
    stream by, and the column is read into memory only to locate a bad one.
    """
    count = int(source.lazy().select(bad.sum().alias("bad")).collect(engine="streaming").item())
    if count and on_bad_value != "null":
        frame = source.lazy().select(col).collect()
        flags = frame.select(bad.alias("bad"))["bad"]
        row = int(flags.arg_true()[0])
        cell = frame[col][row]
        numeric = non_finite is None or bool(frame.slice(row, 1).select(non_finite).item())
        what = "a finite number" if numeric else "a number"
        quoted = shown(cell) if non_finite is not None else cut(str(cell))  # text as written, else the value
        more = f" ({count - 1} more such cells)" if count > 1 else ""
        raise DataError(phrase(f'{quoted} in column {shown(col)} is not {what}{more}', _NULL_HINT),
                        where=table.location(row, index + 1))
    return count


def _number_column(source: pl.DataFrame | pl.LazyFrame, col: str, table: RawTable, index: int,
                   on_bad_value: str) -> tuple[pl.Expr, int]:
    """The column as Float64; a cell that is not a finite number is an error (or nulled and counted).

    ``source`` may be a scan of the file (:func:`_bad_cells`): whole numbers
    are then not read at all, other columns only counted as they stream by.
    """
    dtype = source.lazy().collect_schema()[col]
    if dtype.is_float():
        # NaN, inf (and 1e400 read as inf) are bad values, like text; one vectorised test
        count = _bad_cells(source, (~pl.col(col).is_finite()).fill_null(False), col, table, index,
                           on_bad_value)
        number = pl.col(col).cast(pl.Float64)
        return (pl.when(number.is_finite()).then(number) if count else number), count
    if dtype.is_numeric():
        return pl.col(col).cast(pl.Float64), 0
    if dtype == pl.Boolean:  # true/false is not a number: an error, never silently 1/0
        values = int(source.lazy().select(pl.col(col).count()).collect(engine="streaming").item())
        if values and on_bad_value != "null":
            frame = source.lazy().select(col).collect()
            row = int(frame[col].is_not_null().arg_true()[0])
            more = values - 1
            raise DataError(phrase(f'"{str(frame[col][row]).lower()}" in column "{col}" is not a number'
                                   + (f" ({more} more such cells)" if more else "")
                                   + "; a metric column holds numbers", _NULL_HINT),
                            where=table.location(row, index + 1))
        return pl.lit(None, pl.Float64), values
    text = pl.col(col).cast(pl.String).str.strip_chars()
    is_null = text.is_null() | (text == "")
    if table.null_values:
        is_null = is_null | text.is_in(list(table.null_values))
    parsed = numbers(text, table.decimal)
    number = pl.when(is_null | ~parsed.is_finite()).then(None).otherwise(parsed)
    # text that is not a number, and "NaN", "inf", "1e400": numbers, but not ones to compute with
    bad = (~is_null & ~parsed.is_finite().fill_null(False)).fill_null(True)
    count = _bad_cells(source, bad, col, table, index, on_bad_value, non_finite=parsed.is_not_null())
    return number, count


def _position(table: RawTable, col: str) -> int:
    """The column's number (from 1) in the file, whatever was renamed or ignored since."""
    original = {new: old for old, new in table.rename.items()}.get(col, col)
    columns = table.columns
    return columns.index(original) + 1 if original in columns else 1


def _check_columns(frame: pl.DataFrame, table: RawTable, columns: dict[str, str]) -> None:
    """Reserved names and column types the engine cannot use are errors naming the column.

    ``columns`` maps each used column to its role ("the period", "a dimension", "a metric").
    """
    for col in frame.columns:
        if col.startswith("__") and not (table.pre_aggregated and col.startswith(COUNT_PREFIX)):
            raise DataError(phrase(f'column "{col}": names starting with __ are reserved for kpirules; '
                                   "rename the column, or leave it out",
                                   OptionHint("ignore", (col,), lead=" (", purpose=")", many=True, place=table.source)),
                            where=table.header_location(_position(table, col)))
    schema = frame.schema  # built once: each frame.schema call costs a pass over every column
    for col, role in columns.items():
        dtype = schema[col]
        if dtype.is_nested() or dtype == pl.Object:
            kind = {pl.List: "lists", pl.Array: "arrays", pl.Struct: "structs"}.get(dtype.base_type(), "objects")
            raise DataError(f'column "{col}" holds {kind} ({dtype}), which cannot be {role}',
                            where=table.header_location(_position(table, col)))


def _prepare(table: RawTable, ruleset: Ruleset, period_column: str | None, on_bad_value: str,
             warnings: list[DataWarning], date_format: str | None = None, aggregates: AggregatePlan | None = None,
             ) -> tuple[pl.DataFrame, list[str], list[str], int]:
    """One table → rows (__p, __t, __row, dims…, metric parts…) and its dims and metrics.

    ``aggregates``: the aggregate metrics computed from this table's raw rows
    (their rows are kept in ``aggregates.rows``; the columns they read are
    neither metrics, dimensions nor ignored).
    """
    source = table.lazy()  # a scan of the file when the reader gave one: nothing read yet
    columns = table.columns
    if table.rename:
        missing = [c for c in table.rename if c not in columns]
        if missing:
            raise DataError(f"cannot rename missing column(s): {', '.join(missing)}", where=table.source)
        source = source.rename(table.rename)
    if table.ignore:
        source = source.drop([c for c in table.ignore if c in source.collect_schema().names()])
    shape = pl.DataFrame(schema=source.collect_schema())  # the columns and their types, no cell
    chosen = choose_period_column(shape, table, period_column)
    read = set(read_columns(ruleset, aggregates.metrics)) if aggregates else set()
    counts = [c for c in shape.columns if table.pre_aggregated and c.startswith(COUNT_PREFIX)]
    early = _read_early(source, table, ruleset, chosen, read, aggregates, counts)
    roles = column_roles(source, table, ruleset, chosen, read_by_aggregates=read, cells=early)
    metric_cols = [c for c in roles.metrics if ruleset.metrics[c].aggregate is None]
    dims = roles.dimensions
    kinds = {chosen: "the period", **{d: "a dimension" for d in dims}}
    kinds.update({m: "a metric" for m in metric_cols})
    _check_columns(shape, table, kinds)
    warnings.extend(role_warnings(table.source, roles))
    rolled_up = bool(metric_cols) or aggregates is None  # else only the aggregates' rows are made
    used = list(dict.fromkeys([*dims, *metric_cols, *counts])) if rolled_up else []
    try:
        periods = early[chosen] if early is not None else source.select(chosen).collect()[chosen]
        if early is not None:  # only what is still to read: the period's text is the largest column
            early = early.select([c for c in early.columns if c in read or c in used])
        idx, key = map_periods(periods, ruleset.grain, table.date_format or date_format, chosen,
                               key=_reads_time_order(ruleset))
        del periods
    except PeriodColumnError as err:
        if table.careful is not None:  # a blank line too is an empty period: its row must go, as read whole
            raise _ReadCarefully from None
        raise DataError(err.message.placed(table.source),
                        where=table.location(err.row, _position(table, chosen))) from None
    exprs: list[pl.Expr] = [pl.lit(idx).alias(P)]
    if key is not None:  # the time key and file order: only what orders first/last reads them
        exprs += [pl.lit(key).alias(T), pl.int_range(pl.len()).alias(ROW)]
    bad_total = 0
    if aggregates is not None:
        positions = {c: _position(table, c) for c in read}
        aggregates.rows, bad_total = prepare_rows(source, exprs, dims, table, ruleset, aggregates.metrics,
                                                  aggregates.params, on_bad_value, positions, _number_column,
                                                  idx, early)
        if not metric_cols:
            return pl.DataFrame(schema={P: pl.Int64}), dims, [], bad_total  # no column metric: no rollup
    if used and early is not None and all(c in early.columns for c in used):
        frame = early.select(used)
    else:
        frame = source.select(used or [chosen]).collect()  # only what is used
    del early
    # one chunk per column: a file is read in dozens of chunks, and every join, sort and gather
    # below runs 3-4 times faster on one (docs/performance.md); the copy costs a hundredth of a second
    frame = frame.rechunk()
    exprs += [pl.col(d).cast(pl.String).alias(d) for d in dims]
    for col in metric_cols:
        number, bad = _number_column(frame, col, table, _position(table, col) - 1, on_bad_value)
        bad_total += bad
        agg = ruleset.metrics[col].agg
        if agg == "avg":
            count_col = count_column(col)
            weight = (pl.col(count_col).cast(pl.Float64) if table.pre_aggregated and count_col in frame.columns
                      else number.is_not_null().cast(pl.Float64))
            if table.pre_aggregated and count_col in frame.columns:
                exprs.append((number * weight).alias(_sum_col(col)))
            else:
                exprs.append(number.alias(_sum_col(col)))
            exprs.append(pl.when(number.is_not_null()).then(weight).alias(_n_col(col)))
        else:
            exprs.append(number.alias(col))
    rows = frame.select(exprs)
    return rows, dims, metric_cols, bad_total


def _reads_time_order(ruleset: Ruleset) -> bool:
    """Whether some metric is taken in time order (``first``/``last``, or computed from raw rows)."""
    return any(metric.agg in ("first", "last") or metric.aggregate is not None
               for metric in ruleset.metrics.values())


def _read_early(source: pl.LazyFrame, table: RawTable, ruleset: Ruleset, period: str, read: set[str],
                aggregates: AggregatePlan | None, counts: list[str]) -> pl.DataFrame | None:
    """The cells read before the rollup, in one pass when a pass costs a reading of the whole file.

    A CSV file has no column apart from the others: reading one means parsing
    every line. So the period, the text columns whose cells tell their role,
    the numbers the aggregates read that may hold a bad value, and (with column
    metrics) the dimensions and metrics are read at once. ``None`` for a
    table stored by columns (Parquet): there, each is read apart, which keeps
    fewer cells in memory at a time.
    """
    if table.scan is not None and table.careful is None:
        return None
    schema = source.collect_schema()
    wanted = [period, *(c for c in undecided_columns(schema.names(), table, ruleset, period, read)
                        if schema[c] == pl.String)]
    if aggregates is not None:  # whole numbers have no bad cell to look for: left to the rows' own pass
        wanted += [c for c in read_columns(ruleset, aggregates.metrics)
                   if c in aggregate_numbers(ruleset, aggregates.metrics) and not schema[c].is_integer()]
    column_metrics = [c for c in schema.names() if c in ruleset.metrics and ruleset.metrics[c].aggregate is None]
    if column_metrics:  # the rollup reads them whole anyway
        wanted += [c for c in schema.names() if c in ruleset.dimensions or c in table.dimensions]
        wanted += [*column_metrics, *counts]
    return source.select(list(dict.fromkeys(wanted))).collect()


def _finest(rows: pl.DataFrame, dims: list[str], metrics: list[str], ruleset: Ruleset) -> pl.DataFrame:
    """Roll rows up to (period, every dimension), each metric by its agg within the segment."""
    aggs: list[pl.Expr] = []
    ordered = any(ruleset.metrics[m].agg in ("first", "last") for m in metrics)
    for m in metrics:
        agg = ruleset.metrics[m].agg
        if agg == "sum":  # null when no row has a value, as SQL's SUM: the levels count such cells
            aggs.append(pl.when(pl.col(m).count() > 0).then(pl.col(m).sum()).alias(m))
        elif agg == "avg":
            aggs.append(pl.col(_sum_col(m)).sum().alias(_sum_col(m)))
            aggs.append(pl.col(_n_col(m)).sum().alias(_n_col(m)))
        elif agg == "min":
            aggs.append(pl.col(m).min().alias(m))
        elif agg == "max":
            aggs.append(pl.col(m).max().alias(m))
        elif agg == "first":
            aggs.append(pl.col(m).drop_nulls().first().alias(m))
        else:
            aggs.append(pl.col(m).drop_nulls().last().alias(m))
    if _one_row_each(rows, [P, *dims]):
        # one row per period and segment already (the usual export): no rollup to do
        columns = [c for m in metrics for c in _as_rolled_up(m, ruleset.metrics[m].agg)]
        return rows.select(P, *dims, *columns)
    if ordered:
        rows = rows.sort([T, ROW])
    return rows.group_by([P, *dims], maintain_order=ordered).agg(aggs)


def _one_row_each(rows: pl.DataFrame, keys: list[str]) -> bool:
    """Whether no two rows share ``keys``, told from the keys' hashes.

    Distinct hashes prove distinct keys; equal hashes (a shared key, or a
    collision) answer no, and the caller then groups, which is right either
    way. A fraction of the time and memory of testing the keys themselves.
    """
    return bool(rows.select(pl.struct(keys).hash().n_unique()).item() == rows.height)


def _as_rolled_up(metric: str, agg: str) -> list[pl.Expr]:
    """The columns a rollup of a single row gives, without grouping."""
    if agg == "avg":
        return [pl.col(_sum_col(metric)), pl.col(_n_col(metric))]
    return [pl.col(metric)]


def _across(metrics: list[str], ruleset: Ruleset) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """Aggregations across finest segments, and the final metric values."""
    aggs: list[pl.Expr] = []
    finals: list[pl.Expr] = []
    for m in metrics:
        agg = ruleset.metrics[m].agg
        if agg == "sum":  # a finest segment's sum is null when it has no value: it counts none
            aggs += [pl.col(m).sum().alias(m), pl.col(m).count().alias(_n_col(m))]
            finals.append(pl.when(pl.col(_n_col(m)) > 0).then(pl.col(m)).alias(m))
        elif agg == "avg":
            aggs += [pl.col(_sum_col(m)).sum().alias(_sum_col(m)), pl.col(_n_col(m)).sum().alias(_n_col(m))]
            finals.append(pl.when(pl.col(_n_col(m)) > 0)
                          .then(pl.col(_sum_col(m)) / pl.col(_n_col(m))).alias(m))
        elif agg == "min":
            aggs.append(pl.col(m).min().alias(m))
            finals.append(pl.col(m))
        elif agg == "max":
            aggs.append(pl.col(m).max().alias(m))
            finals.append(pl.col(m))
        else:  # first/last across segments: the sum of each segment's value
            aggs += [pl.col(m).sum().alias(m), pl.col(m).count().alias(_n_col(m))]
            finals.append(pl.when(pl.col(_n_col(m)) > 0).then(pl.col(m)).alias(m))
    return aggs, finals


def normalise(tables: Sequence[RawTable], ruleset: Ruleset, *, by: Sequence[str] | None = None,
              period_column: str | None = None, on_bad_value: str = "error",
              date_format: str | None = None, params: Mapping[str, float | str] | None = None) -> Normalised:
    """Tables → the levels frame the evaluator works on.

    ``date_format`` (``DMY``, ``MDY``, ``YMD`` or a strftime pattern) applies to
    every table that does not give its own; ``params``: for aggregates' row
    expressions.

    A CSV file read lazily meets a cell that does not fit its column's inferred
    type only when its scan is collected, somewhere below, and a blank line as
    an empty period: the tables are then read the careful way
    (:meth:`RawTable.read_carefully`: read whole, blank rows dropped, cells as
    text) and normalised again, so that a bad cell is reported by line and
    column, or nulled and counted with ``on_bad_value`` "null", as when read
    whole.
    """
    try:
        return _normalise(tables, ruleset, by=by, period_column=period_column, on_bad_value=on_bad_value,
                          date_format=date_format, params=params)
    except (pl.exceptions.PolarsError, _ReadCarefully):
        if not any(table.careful is not None for table in tables):
            raise
    return _normalise([table.read_carefully() for table in tables], ruleset, by=by, period_column=period_column,
                      on_bad_value=on_bad_value, date_format=date_format, params=params)


def _normalise(tables: Sequence[RawTable], ruleset: Ruleset, *, by: Sequence[str] | None,
               period_column: str | None, on_bad_value: str, date_format: str | None,
               params: Mapping[str, float | str] | None) -> Normalised:
    if not tables:
        raise DataError("no data")
    plans = plan_aggregates(tables, ruleset, params)
    row_parts: list[AggregateRows | PushedCells] = []
    warnings: list[DataWarning] = []
    bad_total = 0
    finest_parts: list[tuple[pl.DataFrame, list[str], list[str]]] = []
    supplier: dict[str, str] = {}
    in_order: pl.DataFrame | None = None  # the segments' level, in order, when the rows are it already
    for table in tables:
        plan = plans.get(len(finest_parts))
        if plan is not None and table.extra.get("aggregate_cells"):  # computed in the database
            pushed = PushedCells.from_table(table, plan.metrics, ruleset.grain)
            row_parts.append(pushed)
            finest_parts.append((pl.DataFrame(schema={P: pl.Int64}), pushed.dims, plan.metrics))
            continue
        rows, dims, metrics, bad = _prepare(table, ruleset, period_column, on_bad_value, warnings, date_format,
                                            plan)
        bad_total += bad
        if plan is not None and plan.rows is not None:
            row_parts.append(plan.rows)
            metrics = [*metrics, *plan.metrics]
        for m in metrics:
            if m in supplier:
                raise DataError(f'metric "{m}" is supplied by two sources: {supplier[m]} and {table.source}')
            supplier[m] = table.source
        column_metrics = [m for m in metrics if ruleset.metrics[m].aggregate is None]
        if (len(tables) == 1 and plan is None and dims and rows.height
                and (by is None or list(by) == dims)):  # the usual export: maybe its rows are the segments
            in_order = _segments_in_order(rows, dims, column_metrics, ruleset)
        finest = rows if in_order is not None else _finest(rows, dims, column_metrics, ruleset) if rows.height else rows
        finest_parts.append((finest, dims, metrics))
        del rows, finest  # the finest rows hold what is needed (a table's rows are its largest frame)
    dims = list(dict.fromkeys(d for _, part_dims, _ in finest_parts for d in part_dims))
    metrics = [m for _, _, part_metrics in finest_parts for m in part_metrics]
    if all(part.height == 0 for part, _, _ in finest_parts) and all(r.height == 0 for r in row_parts):
        raise DataError("the data has no rows", where=tables[0].source)
    if by is None:
        by_dims = list(dims)
    else:
        unknown = [d for d in by if d not in dims]
        if unknown:
            raise OptionError("by", ", ".join(unknown), "no such dimension in the data "
                              f"(dimensions: {', '.join(dims) or 'none'})")
        by_dims = list(by)
    for table, (_, part_dims, part_metrics) in zip(tables, finest_parts, strict=True):
        present = set(part_dims)  # sets: thousands of dimensions stay linear
        lacking = [d for d in by_dims if d not in present]  # what the breakdown does not touch is no news
        if lacking and part_metrics:
            warnings.append(DataWarning(
                UNSPLIT, f"no {', '.join(lacking)} column, so "
                f"{', '.join(part_metrics)} cannot be split by {', '.join(lacking)}: "
                "each segment of a period shows the period's value (the overall level counts it once)", table.source))
    warnings.extend(unsupplied_metric_warnings(ruleset, metrics, tables))
    if by is None:  # a declared dimension no table has splits nothing; said only when the breakdown is every one
        columns = [table.rename.get(c, c) for table in tables for c in table.columns]
        for name in ruleset.dimensions:
            if name not in dims:
                warnings.append(DataWarning(UNSUPPLIED_DIMENSION, f'no column supplies dimension "{name}": '
                                            f"it splits nothing{did_you_mean_column(name, columns)}", subject=name))
    for row_part in row_parts:  # a dimension outside the breakdown is never a key of raw rows
        if isinstance(row_part, AggregateRows):
            row_part.keep_dims(by_dims)
    first = min([int(part[P].min()) for part, _, _ in finest_parts if part.height]  # type: ignore[arg-type]
                + [r.first for r in row_parts if r.height])
    last = max([int(part[P].max()) for part, _, _ in finest_parts if part.height]  # type: ignore[arg-type]
               + [r.last for r in row_parts if r.height])
    overall = _level(finest_parts, [], ruleset, row_parts)
    if in_order is None and by_dims:
        in_order = _order_segments(_level(finest_parts, by_dims, ruleset, row_parts), by_dims, first, last)
    del finest_parts  # the levels hold what is still needed: the rows' memory goes back now
    columns = [*metrics, *(rows_column(m) for r in row_parts for m in r.metrics)]
    frame = _assemble(overall, in_order, by_dims, columns, _fills(ruleset, metrics), first, last)
    unsupplied = [m for m in ruleset.metrics if m not in metrics]
    return Normalised(frame, by_dims, first, last, warnings, bad_total, unsupplied)


def _fills(ruleset: Ruleset, supplied: Sequence[str]) -> list[pl.Expr]:
    """The ``missing`` values: a metric no column supplies, empty counts (0), declared defaults."""
    fills = []
    counts = count_metrics(ruleset)
    for name, metric in ruleset.metrics.items():
        if name not in supplied:
            fills.append(pl.lit(metric.missing, pl.Float64).alias(name))
        elif name in counts:  # no row, no order: 0, not null (language §4.1)
            fills.append(pl.col(name).fill_null(0.0))
        elif metric.missing is not None:
            fills.append(pl.col(name).fill_null(metric.missing))
    return fills


def _assemble(overall: pl.DataFrame, segs: pl.DataFrame | None, by_dims: list[str], columns: list[str],
              fills: list[pl.Expr], first: int, last: int) -> pl.DataFrame:
    """The levels as one frame: the overall level (segment 0), then ``segs`` (already in order).

    The ``missing`` values are filled here, once every period of every segment
    has its row.
    """
    calendar = pl.DataFrame({P: pl.int_range(first, last + 1, eager=True).cast(pl.Int64)})
    overall = calendar.join(overall, on=P, how="left").with_columns(
        pl.lit(0, pl.Int32).alias(SEG), pl.lit(True).alias(OVERALL),
        *[pl.lit(None, pl.String).alias(d) for d in by_dims])
    order = [P, SEG, OVERALL, *by_dims, *columns]
    frames = [overall.select(order).with_columns(fills)]
    if segs is not None:
        frames.append(segs.with_columns(pl.lit(False).alias(OVERALL)).select(order).with_columns(fills))
    frame = pl.concat(frames, how="vertical")
    return frame.with_columns(pl.col(SEG).set_sorted())  # as sorting by it would mark it: windows use that


def _order_segments(segs: pl.DataFrame, by_dims: list[str], first: int, last: int) -> pl.DataFrame:
    """The segments' level numbered and stored segment by segment in time order, every period present.

    Windows (previous, rolling, ytd, for N periods) read each segment's rows in
    time order; stored segment by segment, Polars' window functions also run on
    contiguous groups, which measured faster and leaner than any other layout
    (docs/performance.md). Segments are numbered from 1 in the order of their
    dimension values.

    The rows are put in that order by one gather, which makes the frame's only
    copy: the segment numbers are found by joining the dimension columns alone
    to the (small) table of segments, and the order is the arg-sort of one
    integer key (2.5-4 times faster than sorting by two columns). Rows already
    in that order (an export sorted by segment then period) are not moved.
    """
    periods = last - first + 1
    keys, numbers = _number_segments(segs, by_dims)
    if segs.height != keys.height * periods:  # some segment lacks a period: the whole grid, then the values
        grid = keys.join(pl.DataFrame({P: pl.int_range(first, last + 1, eager=True).cast(pl.Int64)}), how="cross")
        segs = grid.join(segs.with_columns(numbers).drop(by_dims), on=[SEG, P], how="left")
    else:
        segs = segs.with_columns(numbers)
    position = segs.select(pl.col(SEG).cast(pl.Int64) * periods + (pl.col(P) - first))[SEG]
    segs = segs.rechunk()  # a gather from one chunk per column is 3-4 times faster than from many
    if not position.is_sorted():
        segs = segs.select(pl.all().gather(position.arg_sort()))
    return segs


def _number_segments(rows: pl.DataFrame, by_dims: list[str]) -> tuple[pl.DataFrame, pl.Series]:
    """The distinct segments of ``rows`` numbered from 1 in the order of their values (nulls last), and each row's.

    Told apart by the hashes of their values: the rows of each distinct hash
    give the segment's values (a few thousand rows to sort), and each row
    takes its hash's number. Then every row's values are compared with its
    segment's, which proves no two segments share a hash; if two do (a
    collision, about one chance in 10^10 for 10^5 segments), the segments
    are numbered from their values themselves. At 4M rows, half the time of
    finding the distinct values of the text columns (docs/performance.md).
    """
    hashes = rows.select(pl.struct(by_dims).hash().alias(SEG))[SEG]
    firsts = hashes.arg_unique()
    keys = rows.select(by_dims)[firsts].with_columns(hashes.gather(firsts).alias(SEG)).sort(by_dims, nulls_last=True)
    positions = pl.int_range(1, keys.height + 1, dtype=pl.Int32, eager=True)
    numbers = hashes.replace_strict(keys[SEG], positions, return_dtype=pl.Int32).alias(SEG)
    keys = keys.with_columns(positions.alias(SEG))
    same = rows.select(pl.all_horizontal(pl.col(d).eq_missing(keys[d].gather(numbers - 1)).all() for d in by_dims))
    if bool(same.item()):
        return keys, numbers
    keys = rows.select(by_dims).unique().sort(by_dims, nulls_last=True)  # a collision: by the values themselves
    keys = keys.with_columns((pl.int_range(pl.len()) + 1).cast(pl.Int32).alias(SEG))
    return keys, rows.select(by_dims).join(keys, on=by_dims, how="left", nulls_equal=True, maintain_order="left")[SEG]


def _segments_in_order(rows: pl.DataFrame, dims: list[str], metrics: list[str],
                       ruleset: Ruleset) -> pl.DataFrame | None:
    """A table's rows as the segments' level, stored in order, when they are one per period and segment.

    The usual export has exactly one row for each period of each segment. Then
    each row's place in the segment-by-segment layout is its segment number
    times the number of periods plus its period: putting every row at its
    place (a scatter, linear) both orders the rows and proves them one per
    period and segment, since as many rows as places fill every place only if
    no two share one. No rollup, no sort, no hash of the keys. ``None`` when
    some place stays empty (a row repeated, a period missing): the rows are
    then rolled up and completed the general way.
    """
    first, last = int(rows[P].min()), int(rows[P].max())  # type: ignore[arg-type]
    periods = last - first + 1
    keys, numbers = _number_segments(rows, dims)
    places = keys.height * periods
    if rows.height != places or places >= 2**32 - 1:
        return None
    position = rows.select(((numbers.cast(pl.Int64) - 1) * periods + (pl.col(P) - first)).alias(SEG))[SEG]
    order = pl.repeat(places, places, dtype=pl.UInt32, eager=True)  # "empty" everywhere
    order.scatter(position, pl.int_range(places, eager=True, dtype=pl.UInt32))
    if bool((order == places).any()):
        return None
    segs = rows.select(P, numbers, *dims, *finals_for_finest(metrics, ruleset))
    return segs if position.is_sorted() else segs.select(pl.all().gather(order))


def unsupplied_metric_warnings(ruleset: Ruleset, supplied: Sequence[str],
                               tables: Sequence[RawTable]) -> list[DataWarning]:
    """A warning for each metric no column supplies, naming the column it most likely meant."""
    columns = [table.rename.get(c, c) for table in tables for c in table.columns]
    warnings = []
    for name, metric in ruleset.metrics.items():
        if name in supplied:
            continue
        value = "its missing value applies" if metric.missing is not None else "null"
        warnings.append(DataWarning(UNSUPPLIED_METRIC, f'no column supplies metric "{name}" ({value})'
                                    f"{did_you_mean_column(name, columns)}", subject=name))
    return warnings


def _level(parts: list[tuple[pl.DataFrame, list[str], list[str]]], level_dims: list[str],
           ruleset: Ruleset, row_parts: Sequence[AggregateRows | PushedCells] = ()) -> pl.DataFrame:
    """Metric values per period and values of ``level_dims``.

    Each table is rolled up from its own rows, then the tables are joined on
    the period and the dimensions they share (interfaces §4). A table without
    some of the level's dimensions (monthly spend beside visits per channel)
    is never summed once per value of the dimensions it lacks: at the overall
    level it counts once, and at a level it cannot split it only adds its
    values to the segments the other tables define, creating none.
    """
    frames: list[tuple[pl.DataFrame, list[str]]] = []
    for row_part in row_parts:  # aggregate metrics: computed from the raw rows at this level
        present = set(row_part.dims)
        keys = [d for d in level_dims if d in present]
        frames.append((row_part.cells(keys), keys))
    for part, part_dims, all_metrics in parts:
        part_metrics = [m for m in all_metrics if ruleset.metrics[m].aggregate is None]
        if len(part_metrics) < len(all_metrics) and not part_metrics:
            continue  # a raw-row table without column metrics: its cells come from row_parts
        present = set(part_dims)  # sets, not lists: thousands of dimensions stay linear
        keys = [d for d in level_dims if d in present]
        if keys == part_dims and len(parts) == 1:
            frame = part.select(P, *keys, *finals_for_finest(part_metrics, ruleset))  # already one row each
        else:
            aggs, finals = _across(part_metrics, ruleset)
            frame = part.group_by([P, *keys]).agg(aggs).select(P, *keys, *finals)
        frames.append((frame, keys))
    frames.sort(key=lambda item: -len(item[1]))  # the tables that split the level most define its segments
    joined, joined_dims = frames[0]
    for frame, keys in frames[1:]:
        key_set = set(keys)
        shared = [d for d in joined_dims if d in key_set]
        if set(keys) < set(joined_dims):
            joined = joined.join(frame, on=[P, *shared], how="left", coalesce=True, nulls_equal=True)
        else:
            joined = joined.join(frame, on=[P, *shared], how="full", coalesce=True, nulls_equal=True)
        known = set(joined_dims)
        joined_dims += [d for d in keys if d not in known]
    level_set = set(level_dims)
    return joined.select(P, *level_dims, *[c for c in joined.columns if c != P and c not in level_set])


def finals_for_finest(metrics: list[str], ruleset: Ruleset) -> list[pl.Expr]:
    """Metric values of the finest segments themselves (no second rollup needed)."""
    out = []
    for m in metrics:
        agg = ruleset.metrics[m].agg
        if agg == "avg":
            out.append(pl.when(pl.col(_n_col(m)) > 0).then(pl.col(_sum_col(m)) / pl.col(_n_col(m))).alias(m))
        else:  # a sum is null already where no row had a value
            out.append(pl.col(m))
    return out

