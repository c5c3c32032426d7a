"""Evaluation in segment partitions: an aggregated table larger than the memory allowed.

When raw rows are aggregated where they live (``sql``, ``spark``), what comes
back is one row per period and segment; with hundreds of thousands of
segments and years of days even that table may not fit in memory, and the
engine holds several frames of its size. Segments are independent of each
other except through the overall level, so:

1. the **overall level** is aggregated apart, by a streaming Polars query
   over the file (one row per date of the period column, each metric by its
   ``agg``; an ``avg`` with its count), and evaluated on its own;
2. the **segments** are cut into partitions by a hash of their dimension
   values (every row of a segment in one partition), each partition read by a
   filtered scan of the file, evaluated with the as-of period and the
   calendar of the whole table (two anchor rows carry the first and last
   dates), and its segment rows handed on before the next is read.

At most one partition is in memory at a time. Their number comes from the
memory limit and the file's size (:func:`plan_partitions`); when even one
segment, or the overall level, needs more than the limit, the run stops with
a :class:`~kpirules.errors.DataError` naming the limit. What needs every
segment at once cannot be evaluated this way and is refused with the reason:
``overall()`` and ``share()`` in a formula, ``first``/``last`` metrics (the
overall level sums each segment's value), aggregates of raw rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import frozen

from kpirules.data.table import count_column
from kpirules.errors import DataError
from kpirules.lang import ast

if TYPE_CHECKING:
    import polars as pl

    from kpirules.lang.model import Ruleset

#: Peak memory of the engine per cell (row x column) of the table it evaluates, measured by
#: benchmarks/partitions.py (docs/scaling.md); the estimate that sizes partitions.
ENGINE_BYTES_PER_CELL = 60
#: What the process holds before any data (Python, Polars, kpirules), in MB.
BASELINE_MB = 160
ACROSS_SEGMENTS = frozenset({"overall", "share"})


@frozen
class PartitionPlan:
    """How the table is cut: ``partitions`` partitions of about ``rows_each`` rows."""

    partitions: int
    rows: int
    columns: int
    segments: int
    estimated_mb: float
    limit_mb: float

    @property
    def rows_each(self) -> int:
        return math.ceil(self.rows / self.partitions)


def refuse_across_segments(ruleset: Ruleset) -> None:
    """A DataError naming what in the ruleset needs every segment at once."""
    for name, metric in ruleset.metrics.items():
        if metric.aggregate is not None:
            raise DataError(f'metric "{name}" is an aggregate of raw rows: push it down (sql, spark) and '
                            "evaluate the aggregated table in partitions", where=metric.span.at())
        if metric.agg in ("first", "last"):
            raise DataError(f'metric "{name}" (agg {metric.agg}): its overall value sums each segment\'s, '
                            "which evaluation in partitions cannot compute", where=metric.span.at())
    for name, kpi in ruleset.kpis.items():
        for node in ast.walk(kpi.expr):
            if isinstance(node, ast.Call) and node.func in ACROSS_SEGMENTS:
                raise DataError(f'KPI "{name}" uses {node.func}(), which reads every segment at once: '
                                "it cannot be evaluated in partitions", where=node.span.at())


def plan_partitions(path: Path, dims: Sequence[str], limit_mb: float, period_column: str) -> PartitionPlan:
    """The number of partitions for ``limit_mb``, from the file's rows and the largest segment."""
    import polars as pl

    scan = pl.scan_parquet(path)
    columns = len(scan.collect_schema())
    # segments counted by the hash of their values: a column of integers, not of the values themselves
    segment = pl.struct(dims).hash(seed=0) if dims else pl.lit(0, pl.UInt64)  # no dimension: one segment
    sizes = scan.select(segment.alias("h")).group_by("h").agg(pl.len().alias("n")).select(
        pl.col("n").sum().alias("rows"), pl.col("n").max().alias("largest"), pl.len().alias("segments"),
    ).collect(engine="streaming")
    rows, largest, segments = (int(sizes[c][0] or 0) for c in ("rows", "largest", "segments"))
    distinct = scan.select(period_column).group_by(period_column).agg().select(pl.len())
    dates = int(distinct.collect(engine="streaming").item())
    room = limit_mb - BASELINE_MB
    per_row_mb = columns * ENGINE_BYTES_PER_CELL / 1e6
    estimated = rows * per_row_mb
    if room <= 0 or (dims and (largest + 2) * per_row_mb > room) or dates * per_row_mb > room:
        need = BASELINE_MB + max(largest + 2, dates) * per_row_mb
        raise DataError(f"evaluating {path.name} needs about {need:,.0f} MB even in partitions (its largest "
                        f"segment has {largest:,} rows, the overall level {dates:,}): more than the memory limit "
                        f"of {limit_mb:,.0f} MB; raise the limit", where=str(path))
    partitions = max(1, math.ceil(estimated / room)) if dims else 0  # no segment: the overall level is all
    return PartitionPlan(partitions, rows, columns, segments, estimated + BASELINE_MB, limit_mb)


def overall_table(path: Path, ruleset: Ruleset, period_column: str, metric_columns: Sequence[str]) -> Any:
    """The overall level's input: one row per date, each metric by its agg (streaming)."""
    import polars as pl

    from kpirules.data.table import RawTable

    aggs: list[pl.Expr] = []
    for column in metric_columns:
        agg = ruleset.metrics[column].agg
        aggs.append(getattr(pl.col(column), {"avg": "mean"}.get(agg, agg))().alias(column))
        if agg == "avg":
            aggs.append(pl.col(column).count().alias(count_column(column)))
    frame = pl.scan_parquet(path).group_by(period_column).agg(aggs).collect(engine="streaming")
    return RawTable(frame=frame, source=str(path), period_column=period_column, pre_aggregated=True)


def segment_partition(path: Path, dims: Sequence[str], index: int, partitions: int,
                      period_column: str, bounds: tuple[Any, Any]) -> pl.DataFrame:
    """The rows of partition ``index``, plus two anchor rows carrying the table's first and last dates."""
    import polars as pl

    scan = pl.scan_parquet(path)
    part = scan.filter(pl.struct(dims).hash(seed=0) % partitions == index).collect(engine="streaming")
    anchors = pl.DataFrame({period_column: list(bounds)}, schema={period_column: part.schema[period_column]})
    return pl.concat([part, anchors], how="diagonal_relaxed")


def evaluate_in_partitions(ruleset: Ruleset, path: str | Path, *, memory_limit_mb: float,
                           by: Sequence[str] | None = None, period: str | None = None,
                           params: Mapping[str, Any] | None = None, history: bool = False,
                           period_column: str | None = None) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """``(header, rows)``: the JSON document without its rows, and its rows, overall level first.

    ``path`` is a Parquet file of the aggregated table (period, dimensions,
    metric columns). Rows are produced one partition at a time: write them
    out as they come (JSON Lines) to keep memory bounded.
    """
    import polars as pl

    from kpirules.data.columns import find_period_column
    from kpirules.engine.evaluate import evaluate

    refuse_across_segments(ruleset)
    path = Path(path)
    schema = pl.scan_parquet(path).collect_schema()
    period_col = period_column or find_period_column(list(schema))
    if period_col is None:
        raise DataError("no period column", where=str(path))
    metric_columns = [c for c in schema if c in ruleset.metrics]
    dims = list(by) if by is not None else [c for c, t in schema.items()
                                            if c != period_col and c not in ruleset.metrics and t == pl.String]
    plan = plan_partitions(path, dims, memory_limit_mb, period_col)
    overall = evaluate(ruleset, [overall_table(path, ruleset, period_col, metric_columns)], by=[],
                       period=period, params=params, history=history).to_dict()
    bounds_frame = pl.scan_parquet(path).select(pl.col(period_col).min().alias("a"),
                                                pl.col(period_col).max().alias("b")).collect()
    bounds = (bounds_frame["a"][0], bounds_frame["b"][0])
    header = {k: v for k, v in overall.items() if k != "rows"}
    header["dimensions"] = dims
    header["partitions"] = {"count": plan.partitions, "rows": plan.rows, "segments": plan.segments,
                            "estimated_mb": round(plan.estimated_mb), "memory_limit_mb": plan.limit_mb}

    def rows() -> Iterator[dict[str, Any]]:
        yield from overall["rows"]
        for index in range(plan.partitions):
            frame = segment_partition(path, dims, index, plan.partitions, period_col, bounds)
            real_empty = frame.head(frame.height - 2).filter(pl.all_horizontal(pl.col(d).is_null() for d in dims))
            doc = evaluate(ruleset, frame, by=dims, period=overall["as_of"], params=params,
                           history=history, period_column=period_col).to_dict()
            del frame
            for row in doc["rows"]:
                segment = row["segment"]
                if not segment or (real_empty.height == 0 and all(v is None for v in segment.values())):
                    continue  # the partition's own overall level, and the anchor rows' segment
                yield row

    return header, rows()
