"""A hand-written Polars evaluation of ``marketing.kpi``: the yardstick.

kpirules turns a rule file into Polars expressions; this script is what a
skilled analyst would write by hand for that one ruleset, with the same
meaning (language reference §6-§11), so that the runner can say how much the
generality of kpirules costs. To be a fair yardstick it does *all* the work
kpirules must do and takes no shortcut kpirules could not take:

* it parses the period strings and rolls up rows sharing a period and
  segment (null only when every input is null), even though the generated
  data has one row per campaign and month;
* it builds the overall level from the input rows, completes the calendar
  of every segment, applies the ``missing 0`` metrics;
* it computes every KPI for every period (windows need the history), with
  division by zero giving null, windows over each segment ordered by month,
  ``overall``/``share`` from the overall row of the same month;
* statuses (no_data / skipped / critical / warning / ok), the decision, the
  rule held ``for 2 periods`` and the actions of the as-of period, then
  writes the rows of the as-of period as kpirules' JSON document does.

It does not check the rule file, detect CSV dialects or handle arbitrary
rulesets: that is the generality being measured.

Usage::

    python benchmarks/baseline_polars.py DATA.{csv,parquet} [-o OUT.json] [--period 2026-04] [--history]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import polars as pl

DIMS = ("channel", "campaign")
METRICS = (
    "visits", "leads", "mql", "sql", "quotes", "customers", "revenue",
    "marketing_spend", "sales_spend", "impressions", "clicks",
    "emails_delivered", "emails_opened",
)
MONEY = ("revenue", "marketing_spend", "sales_spend")
MISSING_ZERO = ("visits", "leads", "emails_delivered", "emails_opened")
KPIS = (
    "lead_rate", "mql_rate", "sql_rate", "quote_rate", "win_rate", "visit_to_customer",
    "total_spend", "cpl", "cac", "roi", "ctr", "open_rate", "revenue_growth",
    "revenue_yoy", "customers_3m", "visit_share", "lead_rate_index",
)
THRESHOLDED = ("lead_rate", "cac", "roi", "ctr", "open_rate")
PARAMS = {"min_visits": 200.0, "target_roi": 0.5, "min_spend": 1000.0}
SID = "_sid"  # segment id: 0 is the overall level, then segments in output order
P = "_p"  # period index: year * 12 + month - 1


def div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """``num / den``, null when ``den`` is zero (or null), never inf or NaN."""
    return pl.when(den != 0).then(num / den)


def rollup(frame: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Sum each metric per ``keys``; like SQL's SUM, null only when all inputs are."""
    return frame.group_by(keys).agg(
        pl.when(pl.col(m).count() > 0).then(pl.col(m).sum()).alias(m) for m in METRICS
    )


def status(kpi: str, clauses: list[tuple[str, pl.Expr]], applies: pl.Expr | None = None) -> pl.Expr:
    """The threshold status of ``kpi``: first matching of no_data, skipped, critical, warning, ok."""
    expr = pl.when(pl.col(kpi).is_null()).then(pl.lit("no_data"))
    if applies is not None:
        expr = expr.when(~applies.fill_null(False)).then(pl.lit("skipped"))
    for level, cond in clauses:
        expr = expr.when(cond).then(pl.lit(level))
    return expr.otherwise(pl.lit("ok")).alias(f"{kpi}__status")


def evaluate(path: Path) -> tuple[pl.DataFrame, list[int]]:
    """Every (period, segment) row of the ruleset, overall rows included.

    Returns the frame sorted by segment then period, and the list of periods.
    """
    if path.suffix == ".parquet":
        raw = pl.scan_parquet(path)
    else:
        raw = pl.scan_csv(
            path,
            schema_overrides={
                "month": pl.String, "channel": pl.String, "campaign": pl.String,
                **{m: pl.Float64 if m in MONEY else pl.Int64 for m in METRICS},
            },
        )
    month = pl.col("month")
    raw = raw.with_columns(
        (month.str.slice(0, 4).cast(pl.Int32, strict=True) * 12
         + month.str.slice(5, 2).cast(pl.Int32, strict=True) - 1).alias(P)
    ).select(P, *DIMS, *METRICS)
    raw = raw.collect().lazy()  # read once, used by both levels

    seg = rollup(raw, [P, *DIMS])
    ovr = rollup(raw, [P])
    bounds = raw.select(pl.col(P).min().alias("lo"), pl.col(P).max().alias("hi")).collect()
    lo, hi = int(bounds["lo"][0]), int(bounds["hi"][0])
    periods = list(range(lo, hi + 1))
    calendar = pl.LazyFrame({P: pl.Series(P, periods, dtype=pl.Int32)})

    # Complete the calendar: every segment gets every period.
    segments = (
        seg.select(*DIMS).unique().sort(*DIMS)
        .with_row_index(SID, offset=1).with_columns(pl.col(SID).cast(pl.Int32))
    )
    seg_full = segments.join(calendar, how="cross").join(seg, on=[P, *DIMS], how="left")
    ovr_full = calendar.join(ovr, on=P, how="left").with_columns(
        pl.lit(0, pl.Int32).alias(SID), *(pl.lit(None, pl.String).alias(d) for d in DIMS)
    )
    cols = [SID, P, *DIMS, *METRICS]
    frame = pl.concat([ovr_full.select(cols), seg_full.select(cols)]).sort(SID, P)
    frame = frame.with_columns(pl.col(m).fill_null(0) for m in MISSING_ZERO)

    c = pl.col
    frame = frame.with_columns(
        div(c("leads"), c("visits")).alias("lead_rate"),
        div(c("mql"), c("leads")).alias("mql_rate"),
        div(c("sql"), c("mql")).alias("sql_rate"),
        div(c("quotes"), c("sql")).alias("quote_rate"),
        div(c("customers"), c("quotes")).alias("win_rate"),
        div(c("customers"), c("visits")).alias("visit_to_customer"),
        (c("marketing_spend") + c("sales_spend")).alias("total_spend"),
        div(c("marketing_spend"), c("leads")).alias("cpl"),
        div(c("clicks"), c("impressions")).alias("ctr"),
        div(c("emails_opened"), c("emails_delivered")).alias("open_rate"),
        (div(c("revenue"), c("revenue").shift(1).over(SID)) - 1).alias("revenue_growth"),
        (div(c("revenue"), c("revenue").shift(12).over(SID)) - 1).alias("revenue_yoy"),
        c("customers").rolling_sum(3).over(SID).alias("customers_3m"),
    ).with_columns(
        div(c("total_spend"), c("customers")).alias("cac"),
        div(c("revenue") - c("total_spend"), c("total_spend")).alias("roi"),
    )
    # overall(x) is x on the overall row of the same period.
    overall = frame.filter(c(SID) == 0).select(
        P, c("visits").alias("_ov_visits"), c("lead_rate").alias("_ov_lead_rate")
    )
    frame = frame.join(overall, on=P, how="left", maintain_order="left").with_columns(
        div(c("visits"), c("_ov_visits")).alias("visit_share"),
        div(c("lead_rate"), c("_ov_lead_rate")).alias("lead_rate_index"),
    )
    frame = frame.with_columns(
        status("lead_rate", [("critical", c("lead_rate") < 0.01), ("warning", c("lead_rate") < 0.02)],
               applies=c("visits") >= PARAMS["min_visits"]),
        status("cac", [("critical", c("cac") > 5000), ("warning", c("cac") > 2000)]),
        status("roi", [("critical", c("roi") < -0.5), ("warning", c("roi") < 0)]),
        status("ctr", [("warning", c("ctr") < 0.005)]),
        status("open_rate", [("critical", c("open_rate") < 0.05), ("warning", c("open_rate") < 0.15)]),
    ).with_columns(
        pl.when((c("roi") >= PARAMS["target_roi"]) & (c("lead_rate__status") == "ok")).then(pl.lit("keep"))
        .when(c("roi") >= 0).then(pl.lit("invest"))
        .otherwise(pl.lit("stop")).alias("verdict")
    ).with_columns(
        ((c("verdict") == "stop") & (c("total_spend") > PARAMS["min_spend"]))
        .fill_null(False).alias("_cond")
    ).with_columns(
        (c("_cond") & c("_cond").shift(1).over(SID).fill_null(False) & (c(SID) != 0))
        .alias("stop_campaign")
    ).with_columns(
        c("stop_campaign").shift(1).over(SID).fill_null(False).alias("_fired_before")
    )
    return frame.drop("_cond", "_ov_visits", "_ov_lead_rate").collect(), periods


def period_label(p: int) -> str:
    """``YYYY-MM`` of a period index."""
    return f"{p // 12:04d}-{p % 12 + 1:02d}"


def parse_period(text: str) -> int:
    """The period index of a ``YYYY-MM`` string."""
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def plain(value: float) -> str:
    """A number as rule actions write it: at most two decimals, no separators."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def action_text(row: dict[str, Any]) -> str:
    """The ``notify`` text of ``stop_campaign`` for one firing row."""
    roi = "n/a" if row["roi"] is None else plain(row["roi"] * 100) + "%"
    cac = "n/a" if row["cac"] is None else plain(row["cac"]) + " EUR"
    channel = row["channel"] if row["channel"] is not None else "all"
    campaign = row["campaign"] if row["campaign"] is not None else "all"
    return f"Stop {campaign} ({channel}): ROI {roi}, CAC {cac}"


def document(frame: pl.DataFrame, periods: list[int], as_of: int, history: bool) -> dict[str, Any]:
    """kpirules' JSON document (interfaces §3) for the as-of period (or all up to it)."""
    keep = (pl.col(P) <= as_of) if history else (pl.col(P) == as_of)
    out = frame.filter(keep).sort(P, SID)
    rows = []
    for r in out.iter_rows(named=True):
        rows.append({
            "period": period_label(r[P]),
            "segment": {} if r[SID] == 0 else {d: r[d] for d in DIMS},
            "values": {name: r[name] for name in (*METRICS, *KPIS)},
            "status": {k: r[f"{k}__status"] for k in THRESHOLDED},
            "decisions": {"verdict": r["verdict"]},
            "rules": {"stop_campaign": r["stop_campaign"]},
        })
    firing = out.filter((pl.col(P) == as_of) & pl.col("stop_campaign")).sort(SID)
    actions = [
        {
            "rule": "stop_campaign", "period": period_label(as_of),
            "segment": {d: r[d] for d in DIMS}, "severity": "critical",
            "new": not r["_fired_before"], "action": "notify",
            "args": {"text": action_text(r)},
        }
        for r in firing.iter_rows(named=True)
    ]
    return {
        "kpirules": 1, "ruleset": "marketing", "grain": "month",
        "as_of": period_label(as_of), "dimensions": list(DIMS),
        "rows": rows, "objectives": [], "actions": actions,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: evaluate and write the JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--period", help="as-of period YYYY-MM (default: the last)")
    parser.add_argument("--history", action="store_true", help="every period up to the as-of one")
    args = parser.parse_args(argv)

    frame, periods = evaluate(args.data)
    as_of = parse_period(args.period) if args.period else periods[-1]
    if as_of not in periods:
        print(f"period {args.period} is outside the data", file=sys.stderr)
        return 2
    text = json.dumps(document(frame, periods, as_of, args.history), allow_nan=False)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
