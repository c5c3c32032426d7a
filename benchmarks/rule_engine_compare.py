"""The same KPIs and rules in a per-record Python rule engine (``rule-engine``).

A common way to put business rules in the hands of analysts is a rule engine
that evaluates one expression against one record at a time (PyPI package
``rule-engine``, imported as ``rule_engine``). This module expresses
``marketing.kpi`` that way so that the runner can compare its records per
second with kpirules' vectorised evaluation.

It is deliberately *generous* to the per-record engine: the host program
(not timed) prepares every record with what a per-record engine cannot
compute itself — the previous values of the segment (``previous``/
``growth``/``rolling_sum``), the overall metrics of the month (``share``,
``overall``) — and carries the rule's condition from one period to the next
(``for 2 periods``). Only the evaluation of the 17 KPIs, 5 statuses, the
decision and the rule condition is timed. Null handling and division by
zero are spelt out in each expression (``rule-engine`` raises on them), as a
user of that engine would have to.

Usage::

    python benchmarks/rule_engine_compare.py DATA.parquet [--sample 20000]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import baseline_polars as baseline


def _div(num: str, den: str, *, extra_null: tuple[str, ...] = ()) -> str:
    """``num / den`` as a rule-engine expression that gives null instead of raising."""
    guards = " or ".join([f"{n} == null" for n in (num, *extra_null)] + [f"{den} == null", f"{den} == 0"])
    return f"({guards}) ? null : {num} / {den}"


def _status(kpi: str, clauses: list[tuple[str, str]], applies: str | None = None) -> str:
    """A status as one nested conditional: no_data, skipped, critical, warning, ok."""
    inner = '"ok"'
    for level, cond in reversed(clauses):
        inner = f'({kpi} {cond}) ? "{level}" : ({inner})'
    if applies is not None:
        inner = f'({applies}) ? ({inner}) : "skipped"'
    return f'{kpi} == null ? "no_data" : ({inner})'


#: (name, expression) in dependency order; each result is stored in the record.
EXPRESSIONS: list[tuple[str, str]] = [
    ("lead_rate", _div("leads", "visits")),
    ("mql_rate", _div("mql", "leads")),
    ("sql_rate", _div("sql", "mql")),
    ("quote_rate", _div("quotes", "sql")),
    ("win_rate", _div("customers", "quotes")),
    ("visit_to_customer", _div("customers", "visits")),
    ("total_spend", "(marketing_spend == null or sales_spend == null) ? null : marketing_spend + sales_spend"),
    ("cpl", _div("marketing_spend", "leads")),
    ("cac", _div("total_spend", "customers")),
    ("roi", "(revenue == null or total_spend == null or total_spend == 0) ? null"
            " : (revenue - total_spend) / total_spend"),
    ("ctr", _div("clicks", "impressions")),
    ("open_rate", _div("emails_opened", "emails_delivered")),
    ("revenue_growth", "(revenue == null or revenue_lag1 == null or revenue_lag1 == 0) ? null"
                       " : revenue / revenue_lag1 - 1"),
    ("revenue_yoy", "(revenue == null or revenue_lag12 == null or revenue_lag12 == 0) ? null"
                    " : revenue / revenue_lag12 - 1"),
    ("customers_3m", "(customers == null or customers_lag1 == null or customers_lag2 == null) ? null"
                     " : customers + customers_lag1 + customers_lag2"),
    ("visit_share", _div("visits", "overall_visits")),
    ("overall_lead_rate", _div("overall_leads", "overall_visits")),
    ("lead_rate_index", _div("lead_rate", "overall_lead_rate")),
    ("lead_rate__status", _status("lead_rate", [("critical", "< 0.01"), ("warning", "< 0.02")],
                                  applies="visits >= min_visits")),
    ("cac__status", _status("cac", [("critical", "> 5000"), ("warning", "> 2000")])),
    ("roi__status", _status("roi", [("critical", "< -0.5"), ("warning", "< 0")])),
    ("ctr__status", _status("ctr", [("warning", "< 0.005")])),
    ("open_rate__status", _status("open_rate", [("critical", "< 0.05"), ("warning", "< 0.15")])),
    ("verdict", '(roi != null and roi >= target_roi and lead_rate__status == "ok") ? "keep"'
                ' : ((roi != null and roi >= 0) ? "invest" : "stop")'),
    ("_cond", 'verdict == "stop" and total_spend != null and total_spend > min_spend'),
]


def prepare(data: Path, sample: int) -> list[dict[str, Any]]:
    """``sample`` consecutive segment records (by segment, then month), with lags.

    Consecutive months of whole segments, so that the lags and the rule
    carried over periods behave as in production. Not timed.
    """
    frame, _ = baseline.evaluate(data)
    c = pl.col
    seg = baseline.SID
    over = frame.filter(c(seg) == 0).select(
        baseline.P, c("visits").alias("overall_visits"), c("leads").alias("overall_leads")
    )
    records = (
        frame.filter(c(seg) > 0).head(sample)
        .join(over, on=baseline.P, how="left", maintain_order="left")
        .with_columns(
            c("revenue").shift(1).over(seg).alias("revenue_lag1"),
            c("revenue").shift(12).over(seg).alias("revenue_lag12"),
            c("customers").shift(1).over(seg).alias("customers_lag1"),
            c("customers").shift(2).over(seg).alias("customers_lag2"),
        )
    )
    keep = [seg, baseline.P, *baseline.DIMS, *baseline.METRICS, "overall_visits", "overall_leads",
            "revenue_lag1", "revenue_lag12", "customers_lag1", "customers_lag2"]
    expected = records.select(seg, *baseline.KPIS, *(f"{k}__status" for k in baseline.THRESHOLDED),
                              "verdict", "stop_campaign")
    out = records.select(keep).to_dicts()
    for rec, exp in zip(out, expected.iter_rows(named=True), strict=True):
        rec.update(baseline.PARAMS)
        rec["_expected"] = exp
    return out


def evaluate(records: list[dict[str, Any]]) -> tuple[float, list[dict[str, Any]]]:
    """Evaluate every record; return the seconds taken and the results."""
    import rule_engine

    context = rule_engine.Context(default_value=None)
    rules = [(name, rule_engine.Rule(text, context=context)) for name, text in EXPRESSIONS]
    results = []
    previous_cond: dict[int, bool] = {}
    start = time.perf_counter()
    for record in records:
        rec = dict(record)
        for name, rule in rules:
            rec[name] = rule.evaluate(rec)
        sid = rec[baseline.SID]
        rec["stop_campaign"] = bool(rec["_cond"]) and previous_cond.get(sid, False)
        previous_cond[sid] = bool(rec["_cond"])
        results.append(rec)
    return time.perf_counter() - start, results


def agreement(results: list[dict[str, Any]]) -> tuple[int, int]:
    """(cells that agree with the Polars baseline, cells compared)."""
    same = total = 0
    for rec in results:
        for name, want in rec["_expected"].items():
            if name == baseline.SID:
                continue
            got = rec[name]
            total += 1
            if got is None or want is None or isinstance(want, str | bool):
                same += got == want
            else:
                same += math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12)
    return same, total


def run(data: Path, sample: int = 20_000) -> dict[str, Any]:
    """Prepare, time and check; the runner's entry point."""
    records = prepare(data, sample)
    seconds, results = evaluate(records)
    same, total = agreement(results)
    return {
        "records": len(records),
        "rules_per_record": len(EXPRESSIONS),
        "seconds": seconds,
        "records_per_second": len(records) / seconds if seconds else math.inf,
        "agree": same,
        "compared": total,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.data, args.sample), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
