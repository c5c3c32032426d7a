"""A hand-written Polars evaluation of ``rulesets/orders.kpi`` by channel, month grain: the yardstick.

What a skilled analyst would write by hand for that one ruleset and one
breakdown, with the same meaning (language §4.1, §6-§11), so that
``benchmarks/orders_bench.py`` can say what the generality of kpirules costs
on raw order lines. It does the work kpirules must do:

* reads only the columns it needs (lazily), maps each date to its month;
* counts every metric from the raw rows for each month and channel *and*
  for each month overall (distinct orders and buyers are not additive), new
  and returning buyers from each customer's first month over the whole data;
* completes the calendar (every channel has every month; counts 0, the
  ``missing 0`` metrics 0), computes every KPI (``growth`` per channel), the
  threshold statuses, the decision and the two rules.

It does not read rule files, detect CSV dialects or check the data: that is
the generality being measured. Usage::

    python benchmarks/orders_polars.py ORDERS.{csv,parquet} -o OUT.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import polars as pl

COLUMNS = ("date", "order_id", "customer_id", "channel", "quantity", "unit_price")
PARAMS = {"min_orders": 30, "min_buyers": 30, "refund_warning": 0.08, "refund_critical": 0.15}
COUNTS = ("orders", "refunded_orders", "buyers", "new_buyers", "returning_buyers")
ZERO_IF_MISSING = ("orders", "revenue", "items_sold", "refunds")


def div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den != 0).then(num / den)


def read(path: Path) -> pl.LazyFrame:
    frame = (pl.scan_parquet(path) if path.suffix == ".parquet"
             else pl.scan_csv(path, schema_overrides={"order_id": pl.String, "customer_id": pl.String}))
    frame = frame.select(COLUMNS)
    when = pl.col("date")
    if path.suffix != ".parquet":
        when = when.str.to_datetime("%Y-%m-%d %H:%M")
    return frame.with_columns((when.dt.year().cast(pl.Int64) * 12 + when.dt.month() - 1).alias("month")).drop("date")


def cells(rows: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    sold, back = pl.col("quantity") > 0, pl.col("quantity") < 0
    amount = pl.col("quantity") * pl.col("unit_price")
    buyer = pl.col("customer_id")
    return rows.lazy().group_by(["month", *keys]).agg(
        pl.col("order_id").filter(sold).n_unique().alias("orders"),
        pl.when(sold.any()).then(amount.filter(sold).sum()).alias("revenue"),
        pl.when(sold.any()).then(pl.col("quantity").filter(sold).sum()).alias("items_sold"),
        pl.when(back.any()).then((-amount).filter(back).sum()).alias("refunds"),
        pl.col("order_id").filter(back).n_unique().alias("refunded_orders"),
        buyer.filter(sold).n_unique().alias("buyers"),
        buyer.filter(sold & (pl.col("first") == pl.col("month"))).n_unique().alias("new_buyers"),
        buyer.filter(sold & (pl.col("first") < pl.col("month"))).n_unique().alias("returning_buyers"),
    ).collect()


def evaluate(path: Path) -> list[dict[str, object]]:
    rows = read(path)
    firsts = rows.filter(pl.col("quantity") > 0).group_by("customer_id").agg(pl.col("month").min().alias("first"))
    rows = rows.join(firsts, on="customer_id", how="left").collect()
    months = pl.DataFrame({"month": pl.int_range(rows["month"].min(), rows["month"].max() + 1, eager=True)})
    channels = rows.select("channel").unique().sort("channel")
    overall = months.join(cells(rows, []), on="month", how="left").with_columns(pl.lit(None, pl.String).alias("channel"))
    segments = months.join(channels, how="cross").join(cells(rows, ["channel"]), on=["month", "channel"], how="left")
    frame = pl.concat([overall.select(segments.columns), segments]).with_columns(
        *(pl.col(c).fill_null(0) for c in dict.fromkeys((*COUNTS, *ZERO_IF_MISSING))))
    seg = pl.col("channel").fill_null("")
    frame = frame.sort(["channel", "month"], nulls_last=False).with_columns(
        div(pl.col("revenue"), pl.col("orders")).alias("aov"),
        div(pl.col("revenue"), pl.col("buyers")).alias("revenue_per_buyer"),
        div(pl.col("items_sold"), pl.col("orders")).alias("items_per_order"),
        div(pl.col("returning_buyers"), pl.col("buyers")).alias("repeat_rate"),
        div(pl.col("new_buyers"), pl.col("buyers")).alias("new_buyer_share"),
        div(pl.col("refunds"), pl.col("revenue")).alias("refund_rate"),
        div(pl.col("refunded_orders"), pl.col("orders")).alias("return_order_rate"),
        (div(pl.col("revenue"), pl.col("revenue").shift(1).over(seg)) - 1).alias("revenue_growth"),
    )
    refund = (pl.when(pl.col("refund_rate").is_null()).then(pl.lit("no_data"))
              .when(pl.col("orders") >= PARAMS["min_orders"]).then(
                  pl.when(pl.col("refund_rate") > PARAMS["refund_critical"]).then(pl.lit("critical"))
                  .when(pl.col("refund_rate") > PARAMS["refund_warning"]).then(pl.lit("warning"))
                  .otherwise(pl.lit("ok"))).otherwise(pl.lit("skipped")))
    repeat = (pl.when(pl.col("repeat_rate").is_null()).then(pl.lit("no_data"))
              .when(pl.col("buyers") >= PARAMS["min_buyers"]).then(
                  pl.when(pl.col("repeat_rate") < 0.1).then(pl.lit("critical"))
                  .when(pl.col("repeat_rate") < 0.2).then(pl.lit("warning")).otherwise(pl.lit("ok")))
              .otherwise(pl.lit("skipped")))
    aov = (pl.when(pl.col("aov").is_null()).then(pl.lit("no_data"))
           .when((pl.col("aov") < pl.col("aov").shift(1).over(seg) * 0.85).fill_null(False)).then(pl.lit("warning"))
           .otherwise(pl.lit("ok")))
    frame = frame.with_columns(refund.alias("refund_rate`status"), repeat.alias("repeat_rate`status"),
                               aov.alias("aov`status"))
    frame = frame.with_columns(
        pl.when(pl.col("refund_rate`status") == "critical").then(pl.lit("enquêter sur les retours"))
        .when((pl.col("repeat_rate`status") != "ok") & (pl.col("new_buyer_share") >= 0.5).fill_null(False))
        .then(pl.lit("fidéliser"))
        .when((pl.col("revenue_growth") > 0).fill_null(False) & (pl.col("refund_rate`status") == "ok"))
        .then(pl.lit("développer")).otherwise(pl.lit("surveiller")).alias("channel_action"),
        ((pl.col("refund_rate`status") == "critical") & pl.col("channel").is_not_null()).alias("refunds_spike"),
        ((pl.col("repeat_rate`status") != "ok") & (pl.col("repeat_rate`status") != "ok").shift(1).over(seg)
         .fill_null(False) & pl.col("channel").is_null()).alias("buyers_leave"),
    )
    frame = frame.sort(["month", "channel"], nulls_last=False)
    return frame.with_columns(
        pl.format("{}-{}", pl.col("month") // 12, (pl.col("month") % 12 + 1).cast(pl.String).str.zfill(2))
        .alias("period")).drop("month").to_dicts()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    args.output.write_text(json.dumps(evaluate(args.data), ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
