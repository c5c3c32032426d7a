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

from kpirules.plugin_api import CELL_LEVEL, CELL_PERIOD, aggregate_parts, cell_plan, count_column, rows_column

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
    """Every aggregate metric at every level, de-duplicating before counting (``cell_plan``).

    Spark rewrites several ``count(DISTINCT …)`` over grouping sets by
    expanding every raw row once per distinct count and per level (24 times
    for ``orders.kpi`` by two dimensions) before shuffling them: that was the
    38 minutes of the 10M-line run. Here the raw rows are grouped once per
    finest cell for the additive metrics, once per finest cell and value for
    each counted expression, and only those much smaller results are grouped
    per level; each value's first period is a ``groupBy``, not a window over
    the raw rows. ``median``, ``first`` and ``last`` (which do not combine
    from smaller cells) keep a grouping-sets aggregation of the raw rows,
    reading only their own columns.
    """
    from pyspark.sql import functions as F

    plan = cell_plan(metrics)
    rows = SparkRows(params, frame.columns)
    label = {m: i for i, m in enumerate(metrics)}
    keys = [f"d{i}" for i in range(len(dims))]
    conditions = [None if w is None else rows.translate(w) for w in plan.wheres]
    raw_cols = [period_label(date, grain).alias("p"), *(col(d).cast("string").alias(k) for k, d in zip(keys, dims, strict=True))]
    raw_cols += [(F.lit(1) if c is None else F.when(c, F.lit(1))).alias(f"w{i}") for i, c in enumerate(conditions)]
    for name, (func, arg) in {**plan.additive, **plan.holistic}.items():
        if arg is not None:
            value = rows.translate(arg)
            value = value if func == "count" else value.cast("double")
            cond = conditions[plan.where_of[name]]
            raw_cols.append((value if cond is None else F.when(cond, value)).alias(f"a{label[name]}"))
    raw_cols += [rows.translate(g.argument).alias(f"e{g.index}") for g in plan.distinct]
    ordered = any(func in ("first", "last") for func, _ in plan.holistic.values())
    if ordered:  # first/last: the date, then file order
        raw_cols.append(F.struct(col(period).alias("date"), col(ORDER).alias("order")).alias("o"))
    raw = (with_order(frame) if ordered else frame).select(*raw_cols)

    # additive metrics: per finest cell, then combined per level
    fine_aggs = [F.count(F.col(f"w{i}")).alias(f"n{i}") for i in range(len(plan.wheres))]
    combined = []
    for name, (func, arg) in plan.additive.items():
        i = label[name]
        value = F.col(f"a{i}")
        if arg is None:
            combined.append(F.sum(f"n{plan.where_of[name]}").alias(f"m{i}"))
        elif func == "count":
            fine_aggs.append(F.count(value).alias(f"c{i}"))
            combined.append(F.sum(f"c{i}").alias(f"m{i}"))
        elif func == "avg":
            fine_aggs += [F.count(value).alias(f"c{i}"), F.sum(value).alias(f"s{i}")]
            combined.append(F.when(F.sum(f"c{i}") > 0, F.sum(f"s{i}") / F.sum(f"c{i}")).alias(f"m{i}"))
        else:
            fine_aggs.append(getattr(F, func)(value).alias(f"s{i}"))
            combined.append(getattr(F, func)(f"s{i}").alias(f"m{i}"))
    combined += [F.sum(f"n{plan.where_of[name]}").alias(f"r{i}") for name, i in label.items()]
    fine = raw.groupBy("p", *keys).agg(*fine_aggs)
    parts = [by_level(fine, keys, [], combined)]

    for group in plan.distinct:  # distinct metrics: de-duplicated per finest cell and value, then counted
        parts += distinct_parts(raw, keys, group, label)

    if plan.holistic:  # median, first, last: from the raw rows of each cell of each level
        aggs = []
        for name, (func, _) in plan.holistic.items():
            value = F.col(f"a{label[name]}")
            if func == "median":
                aggs.append(F.median(value).alias(f"m{label[name]}"))
            else:
                order = F.when(value.isNotNull(), F.col("o"))  # rows without a value do not count
                aggs.append((F.min_by(value, order) if func == "first" else F.max_by(value, order))
                            .alias(f"m{label[name]}"))
        parts.append(by_level(raw, keys, [], aggs))

    counts = {f"m{label[n]}" for g in plan.distinct for n in g.metrics}
    names = [f"{kind}{i}" for kind in "mr" for i in label.values()]
    cells = parts[0]
    for part in parts[1:]:
        cells = cells.unionByName(part, allowMissingColumns=True)
    out = cells.groupBy("p", "l", *keys).agg(*(
        (F.coalesce(F.sum(n), F.lit(0)) if n in counts else F.max(n)).cast("long" if n.startswith("r") else "double")
        .alias(n) for n in names))
    result_names = {"p": PERIOD, "l": LEVEL, **{k: d for k, d in zip(keys, dims, strict=True)}}
    for name, i in label.items():
        result_names[f"m{i}"] = name
        result_names[f"r{i}"] = rows_column(name)
    return Plan(out, "cells", period, tuple(dims), result_names, list(metrics))


def distinct_parts(raw: DataFrame, keys: Sequence[str], group: Any, label: Mapping[str, int]) -> list[DataFrame]:
    """The distinct metrics counting one expression, in two parts whose counts add up.

    As ``kpirules.builtin.sql_cells``: one row per finest cell and value with
    the flags of its wheres and, for ``count_new``/``count_returning``,
    whether the value's first period is this one or an earlier one. A value in
    one finest cell of its period is in one cell of every level: counted per
    finest cell, the counts summed per level. Values in several finest cells
    are de-duplicated again per level before they are counted.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    n = group.index
    flags = [f"w{w}" for w in group.wheres]
    kept = F.lit(False)
    for flag in flags:
        kept = kept | F.col(flag).isNotNull()
    dedup = (raw.filter(F.col(f"e{n}").isNotNull() & kept)
             .groupBy("p", *keys, F.col(f"e{n}").alias("v")).agg(*(F.max(f).alias(f) for f in flags)))
    marked = dedup
    for w in group.first_period_wheres():  # each value's first period under this where
        first = dedup.filter(F.col(f"w{w}").isNotNull()).groupBy("v").agg(F.min("p").alias(f"first{w}"))
        marked = marked.join(first, "v", "left").select(
            "*", F.when(F.col(f"first{w}") == F.col("p"), F.col(f"w{w}")).alias(f"new{w}"),
            F.when(F.col(f"first{w}") < F.col("p"), F.col(f"w{w}")).alias(f"old{w}")).drop(f"first{w}")
    marked = marked.withColumn("cells", F.count(F.lit(1)).over(Window.partitionBy("p", "v")))
    flag_of = {"count_distinct": "w", "count_new": "new", "count_returning": "old"}
    flag_for = {f"m{label[name]}": f"{flag_of[func]}{w}" for name, (func, w) in group.metrics.items()}
    used = list(dict.fromkeys(flag_for.values()))
    single = marked.filter(F.col("cells") == 1).groupBy("p", *keys).agg(*(F.count(f).alias(f) for f in used))
    summed = by_level(single, keys, [], [F.sum(f).alias(m) for m, f in flag_for.items()])
    several = by_level(marked.filter(F.col("cells") > 1), keys, ["v"], [F.max(f).alias(f) for f in used])
    counted = several.groupBy("p", "l", *keys).agg(*(F.count(f).alias(m) for m, f in flag_for.items()))
    return [summed, counted]


def by_level(data: DataFrame, keys: Sequence[str], extra: Sequence[str], aggs: Sequence[Column]) -> DataFrame:
    """``data`` grouped by period, ``extra`` and each subset of the dimension keys, with the level mask ``l``."""
    from pyspark.sql import functions as F

    if not keys:
        return data.groupBy("p", *extra).agg(*aggs).withColumn("l", F.lit(0).cast("long"))
    sets = [["p", *subset, *extra] for n in range(len(keys) + 1) for subset in combinations(keys, n)]
    grouped = data.groupingSets(sets, "p", *keys, *extra).agg(*aggs, *(F.grouping(k).alias(f"g{k}") for k in keys))
    level = sum((F.col(f"g{k}") * (2 ** i) for i, k in enumerate(keys)), F.lit(0))
    return grouped.withColumn("l", level.cast("long")).drop(*(f"g{k}" for k in keys))


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
