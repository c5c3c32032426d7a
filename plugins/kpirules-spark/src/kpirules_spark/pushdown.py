"""The rollup and the aggregate metrics of language §4.1, computed by Spark.

Three plans, chosen from what the ruleset asks of the table:

* **cells** — the table holds the columns of aggregate metrics: every
  aggregate is computed for every level in one Spark aggregation with
  ``GROUPING SETS`` (the period with each subset of the dimensions, so that
  any ``--by`` finds its level, since distinct counts cannot be combined):
  ``count``, ``count(e)``, ``count_distinct`` (``count(DISTINCT …)``),
  ``sum``, ``avg``, ``min``, ``max``, ``median`` (exact, the mean of the two
  middle values), ``first``/``last`` (``min_by``/``max_by`` on the date, ties
  in file order), and ``count_new``/``count_returning`` through a window
  giving each value its first period over the whole table. ``where`` filters
  each metric's rows. Only the cells come back, as the frame kpirules reads
  from ``aggregate_cells`` (``__period``, ``__level``, dimensions, values,
  ``__rows__METRIC``).
* **rollup** — the table holds column metrics only: one row per period and
  segment, each metric by its ``agg`` (an ``avg`` with the count behind it,
  ``first``/``last`` by date), marked ``pre_aggregated``.
* **raw** — what Spark cannot compute as kpirules does (a row function other
  than ``abs``, ``coalesce`` and ``if``; column metrics beside aggregates in
  one table; a period column that is not a date or ISO text; more than
  :data:`MAX_DIMENSIONS` dimensions): the raw rows the ruleset needs come
  back, within the source's row limit, and kpirules computes the same values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING, Any

from kpirules.plugin_api import CELL_LEVEL, CELL_PERIOD, aggregate_parts, count_column, rows_column

from kpirules_spark.expressions import ISO_DATE, SparkRows, col, period_label

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

MAX_DIMENSIONS = 6  # 64 grouping sets
PERIOD, LEVEL = CELL_PERIOD, CELL_LEVEL
ORDER = "__kpirules_order"


class Plan:
    """What to collect from Spark, and how kpirules reads it."""

    def __init__(self, frame: DataFrame, kind: str, period_column: str, dimensions: tuple[str, ...],
                 names: Mapping[str, str] | None = None, aggregates: Sequence[str] = ()) -> None:
        self.frame = frame
        self.kind = kind  # "cells", "rollup" or "raw"
        self.period_column = period_column
        self.dimensions = dimensions
        self.names = dict(names or {})  # generated label → column name for kpirules
        self.aggregates = list(aggregates)


def is_numeric(data_type: Any) -> bool:
    from pyspark.sql.types import NumericType

    return isinstance(data_type, NumericType)


def date_column(frame: DataFrame, period: str) -> Column | None:
    """The period column as a date, or ``None`` when some value is neither a date nor ISO text."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, StringType, TimestampNTZType, TimestampType

    data_type = frame.schema[period].dataType
    if isinstance(data_type, DateType | TimestampType | TimestampNTZType):
        return F.to_date(col(period))
    if not isinstance(data_type, StringType):
        return None
    text = F.substring(col(period), 1, 10)
    parsed = F.try_to_timestamp(text, F.lit("yyyy-MM-dd"))
    bad = frame.filter(col(period).isNotNull() & ~(col(period).rlike(ISO_DATE) & parsed.isNotNull()))
    if bad.limit(1).count():
        return None
    return F.to_date(parsed)


def with_order(frame: DataFrame) -> DataFrame:
    """Each row's place in file order (file name, then position), taken before any shuffle."""
    from pyspark.sql import functions as F

    return frame.withColumn(ORDER, F.struct(F.input_file_name().alias("file"),
                                            F.monotonically_increasing_id().alias("row")))


def cells_plan(frame: DataFrame, period: str, date: Column, dims: Sequence[str],
               metrics: Mapping[str, Any], params: Mapping[str, float | str], grain: str) -> Plan:
    """Every aggregate metric at every level: one grouping-sets aggregation."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    rows = SparkRows(params, frame.columns)
    label = {m: i for i, m in enumerate(metrics)}
    inner = [period_label(date, grain).alias("p"),
             *(col(d).cast("string").alias(f"d{i}") for i, d in enumerate(dims))]
    # metrics sharing a where share its column, and an argument under the same where its values:
    # every column is carried through the grouping sets' expansion, so fewer is faster
    kept_of: dict[str, str] = {}
    value_of: dict[str, str] = {}
    kept: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, metric in metrics.items():
        func, arg, where = aggregate_parts(metric)
        cond = None if where is None else rows.translate(where)
        where_key = repr(where)  # syntax trees compare and print without their positions
        if where_key not in kept_of:
            kept_of[where_key] = f"k{len(kept_of)}"
            inner.append((F.lit(1) if cond is None else F.when(cond, F.lit(1))).alias(kept_of[where_key]))
        kept[name] = kept_of[where_key]
        if arg is not None:
            numeric = func not in ("count", "count_distinct", "count_new", "count_returning")
            value_key = repr((numeric, arg, where))
            if value_key not in value_of:
                value = rows.translate(arg)
                value = value.cast("double") if numeric else value
                value_of[value_key] = f"v{len(value_of)}"
                inner.append((value if cond is None else F.when(cond, value)).alias(value_of[value_key]))
            values[name] = value_of[value_key]
    ordered = any(aggregate_parts(m)[0] in ("first", "last") for m in metrics.values())
    if ordered:  # first/last: the date, then file order
        inner.append(F.struct(col(period).alias("date"), col(ORDER).alias("order")).alias("o"))
    data = (with_order(frame) if ordered else frame).select(*inner)
    firsts = []  # one first-period window per values column: new and returning buyers share it
    for column in dict.fromkeys(values[n] for n, m in metrics.items()
                                if aggregate_parts(m)[0] in ("count_new", "count_returning")):
        seen = F.col(column)
        firsts.append(F.min(F.when(seen.isNotNull(), F.col("p"))).over(Window.partitionBy(seen)).alias(f"f{column}"))
    if firsts:
        data = data.select("*", *firsts)
    aggs = []
    for name, metric in metrics.items():
        func = aggregate_parts(metric)[0]
        i = label[name]
        rows_kept = F.col(kept[name])
        argument = F.col(values[name]) if name in values else rows_kept  # count(): the kept rows
        if func == "count":
            result = F.count(argument)
        elif func == "count_distinct":
            result = F.count_distinct(argument)
        elif func in ("count_new", "count_returning"):
            first = F.col(f"f{values[name]}")
            hit = first == F.col("p") if func == "count_new" else first < F.col("p")
            result = F.count_distinct(F.when(hit, argument))
        elif func in ("first", "last"):
            order = F.when(argument.isNotNull(), F.col("o"))  # rows without a value do not count
            result = F.min_by(argument, order) if func == "first" else F.max_by(argument, order)
        elif func == "median":
            result = F.median(argument)
        else:
            result = getattr(F, func)(argument)
        aggs += [result.cast("double").alias(f"m{i}"), F.count(rows_kept).cast("long").alias(f"r{i}")]
    keys = [f"d{i}" for i in range(len(dims))]
    if keys:
        sets = [["p", *subset] for n in range(len(keys) + 1) for subset in combinations(keys, n)]
        grouped = data.groupingSets(sets, "p", *keys).agg(*aggs, *(F.grouping(k).alias(f"g{k}") for k in keys))
        level = sum((F.col(f"g{k}") * (2 ** i) for i, k in enumerate(keys)), F.lit(0))
    else:
        grouped, level = data.groupBy("p").agg(*aggs), F.lit(0)
    out = grouped.select(F.col("p"), level.cast("long").alias("l"), *keys, *(c for i in label.values()
                                                                            for c in (f"m{i}", f"r{i}")))
    names = {"p": PERIOD, "l": LEVEL, **{f"d{i}": d for i, d in enumerate(dims)}}
    for name, i in label.items():
        names[f"m{i}"] = name
        names[f"r{i}"] = rows_column(name)
    return Plan(out, "cells", period, tuple(dims), names, list(metrics))


def rollup_plan(frame: DataFrame, period: str, date: Column, dims: Sequence[str],
                column_metrics: Mapping[str, str], aggs: Mapping[str, str], grain: str) -> Plan:
    """Column metrics: one row per period and segment, each by its ``agg``."""
    from pyspark.sql import functions as F

    data = with_order(frame).select(
        period_label(date, grain).alias("p"), *(col(d).alias(f"d{i}") for i, d in enumerate(dims)),
        F.struct(col(period).alias("date"), col(ORDER).alias("order")).alias("o"),
        *(col(c).cast("double").alias(f"c{i}") for i, c in enumerate(column_metrics)))
    selected = []
    names = {"p": period, **{f"d{i}": d for i, d in enumerate(dims)}}
    for i, (column, metric) in enumerate(column_metrics.items()):
        value = F.col(f"c{i}")
        agg = aggs[metric]
        if agg in ("first", "last"):
            order = F.when(value.isNotNull(), F.col("o"))
            selected.append((F.min_by(value, order) if agg == "first" else F.max_by(value, order)).alias(f"c{i}"))
        else:
            selected.append(getattr(F, agg)(value).alias(f"c{i}"))
        names[f"c{i}"] = column
        if agg == "avg":
            selected.append(F.count(value).alias(f"n{i}"))
            names[f"n{i}"] = count_column(metric)
    keys = ["p", *(f"d{i}" for i in range(len(dims)))]
    return Plan(data.groupBy(*keys).agg(*selected), "rollup", period, tuple(dims), names)


def raw_plan(frame: DataFrame, period: str, dims: Sequence[str], read: Sequence[str]) -> Plan:
    """The raw rows, only the columns the ruleset needs."""
    needed = list(dict.fromkeys([period, *dims, *read]))
    return Plan(frame.select(*(col(c) for c in needed)), "raw", period, tuple(dims))


def pushable(metrics: Mapping[str, Any], dims: Sequence[str], params: Mapping[str, float | str]) -> bool:
    """Whether Spark computes every aggregate's rows as kpirules does."""
    rows = SparkRows(params, ())
    return len(dims) <= MAX_DIMENSIONS and all(
        rows.translatable(arg, where) for _, arg, where in map(aggregate_parts, metrics.values()))
