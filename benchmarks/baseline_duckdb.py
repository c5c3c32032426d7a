"""A hand-written DuckDB SQL evaluation of ``marketing.kpi``: the second yardstick.

The same work as ``baseline_polars.py`` (read it first: periods parsed,
rows rolled up per period and segment, the overall level from the input
rows, the calendar completed, ``missing 0``, every KPI with division by zero
giving null, windows per segment in month order, statuses, the decision, the
rule held two periods, the actions), written as one SQL query the way an
analyst fluent in SQL would. DuckDB plans it, so it may skip what the
answer does not need: only the rows of the reported periods leave the query
(the windows still read every period).

The JSON document is built by ``baseline_polars.document`` from the
reported rows, so the two yardsticks write the same document and the runner
compares kpirules with both value by value.

Usage::

    python benchmarks/baseline_duckdb.py DATA.{csv,parquet} [-o OUT.json] [--period 2026-04] [--history]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
import polars as pl
from baseline_polars import (
    DIMS,
    METRICS,
    MISSING_ZERO,
    MONEY,
    PARAMS,
    SID,
    P,
    document,
    parse_period,
)


def source(path: Path) -> str:
    """The table function reading the file, every column typed as the Polars script types it."""
    if path.suffix == ".parquet":
        return f"read_parquet('{path}')"
    types = {"month": "VARCHAR", "channel": "VARCHAR", "campaign": "VARCHAR",
             **{m: "DOUBLE" if m in MONEY else "BIGINT" for m in METRICS}}
    columns = ", ".join(f"'{k}': '{v}'" for k, v in types.items())
    return f"read_csv('{path}', header = true, columns = {{{columns}}})"


def div(num: str, den: str) -> str:
    """``num / den`` as a double, null when ``den`` is zero or null."""
    return f"CASE WHEN ({den}) <> 0 THEN ({num})::DOUBLE / ({den}) END"


def status(kpi: str, clauses: list[tuple[str, str]], applies: str | None = None) -> str:
    """The threshold status of ``kpi``: the first of no_data, skipped, critical, warning, ok."""
    out = [f"WHEN {kpi} IS NULL THEN 'no_data'"]
    if applies is not None:
        out.append(f"WHEN NOT coalesce({applies}, false) THEN 'skipped'")
    out += [f"WHEN {cond} THEN '{level}'" for level, cond in clauses]
    return f"CASE {' '.join(out)} ELSE 'ok' END AS {kpi}__status"


def query(path: Path, keep: str) -> str:
    """The whole evaluation; ``keep`` is the condition on ``_p`` of the rows returned."""
    sums = ", ".join(f'sum("{m}")::{"DOUBLE" if m in MONEY else "BIGINT"} AS "{m}"' for m in METRICS)
    dims = ", ".join(DIMS)
    metrics = ", ".join(f'"{m}"' for m in METRICS)
    filled = ", ".join(f'coalesce("{m}", 0) AS "{m}"' if m in MISSING_ZERO else f'"{m}"' for m in METRICS)
    nulls = ", ".join(f"NULL::VARCHAR AS {d}" for d in DIMS)
    w = f"OVER (PARTITION BY {SID} ORDER BY {P})"
    return f"""
    WITH raw AS (
      SELECT (substr(month, 1, 4)::INTEGER * 12 + substr(month, 6, 2)::INTEGER - 1) AS {P}, {dims}, {metrics}
      FROM {source(path)}
    ),
    seg AS (SELECT {P}, {dims}, {sums} FROM raw GROUP BY {P}, {dims}),
    ovr AS (SELECT {P}, {sums} FROM raw GROUP BY {P}),
    bounds AS (SELECT min({P}) AS lo, max({P}) AS hi FROM raw),
    calendar AS (SELECT range::INTEGER AS {P} FROM bounds, range(lo, hi + 1)),
    segments AS (
      SELECT {dims}, (row_number() OVER (ORDER BY {', '.join(f'{d} NULLS LAST' for d in DIMS)}))::INTEGER AS {SID}
      FROM (SELECT DISTINCT {dims} FROM seg)
    ),
    levels AS (
      SELECT 0 AS {SID}, c.{P}, {nulls}, {', '.join(f'o."{m}"' for m in METRICS)}
      FROM calendar c LEFT JOIN ovr o USING ({P})
      UNION ALL
      SELECT s.{SID}, c.{P}, {', '.join(f's.{d}' for d in DIMS)}, {', '.join(f'g."{m}"' for m in METRICS)}
      FROM segments s CROSS JOIN calendar c
      LEFT JOIN seg g ON g.{P} = c.{P} AND {' AND '.join(f'g.{d} IS NOT DISTINCT FROM s.{d}' for d in DIMS)}
    ),
    filled AS (SELECT {SID}, {P}, {dims}, {filled} FROM levels),
    k1 AS (
      SELECT *,
        {div('leads', 'visits')} AS lead_rate,
        {div('mql', 'leads')} AS mql_rate,
        {div('sql', 'mql')} AS sql_rate,
        {div('quotes', 'sql')} AS quote_rate,
        {div('customers', 'quotes')} AS win_rate,
        {div('customers', 'visits')} AS visit_to_customer,
        marketing_spend + sales_spend AS total_spend,
        {div('marketing_spend', 'leads')} AS cpl,
        {div('clicks', 'impressions')} AS ctr,
        {div('emails_opened', 'emails_delivered')} AS open_rate,
        {div('revenue', f'lag(revenue, 1) {w}')} - 1 AS revenue_growth,
        {div('revenue', f'lag(revenue, 12) {w}')} - 1 AS revenue_yoy,
        CASE WHEN count(customers) OVER (PARTITION BY {SID} ORDER BY {P} ROWS 2 PRECEDING) = 3
             THEN (sum(customers) OVER (PARTITION BY {SID} ORDER BY {P} ROWS 2 PRECEDING))::BIGINT END AS customers_3m
      FROM filled
    ),
    k2 AS (
      SELECT *, {div('total_spend', 'customers')} AS cac,
        {div('revenue - total_spend', 'total_spend')} AS roi
      FROM k1
    ),
    k3 AS (
      SELECT k.*, {div('k.visits', 'o.visits')} AS visit_share,
        {div('k.lead_rate', 'o.lead_rate')} AS lead_rate_index
      FROM k2 k JOIN (SELECT {P}, visits, lead_rate FROM k2 WHERE {SID} = 0) o USING ({P})
    ),
    judged AS (
      SELECT *,
        {status('lead_rate', [('critical', 'lead_rate < 0.01'), ('warning', 'lead_rate < 0.02')],
                applies=f"visits >= {PARAMS['min_visits']}")},
        {status('cac', [('critical', 'cac > 5000'), ('warning', 'cac > 2000')])},
        {status('roi', [('critical', 'roi < -0.5'), ('warning', 'roi < 0')])},
        {status('ctr', [('warning', 'ctr < 0.005')])},
        {status('open_rate', [('critical', 'open_rate < 0.05'), ('warning', 'open_rate < 0.15')])}
      FROM k3
    ),
    decided AS (
      SELECT *, CASE WHEN coalesce(roi >= {PARAMS['target_roi']} AND lead_rate__status = 'ok', false) THEN 'keep'
                     WHEN coalesce(roi >= 0, false) THEN 'invest' ELSE 'stop' END AS verdict
      FROM judged
    ),
    cond AS (
      SELECT *, coalesce(verdict = 'stop' AND total_spend > {PARAMS['min_spend']}, false) AS _cond FROM decided
    ),
    ruled AS (
      SELECT *, _cond AND coalesce(lag(_cond) {w}, false) AND {SID} <> 0 AS stop_campaign FROM cond
    ),
    fired AS (
      SELECT * EXCLUDE (_cond), coalesce(lag(stop_campaign) {w}, false) AS _fired_before FROM ruled
    )
    SELECT * FROM fired WHERE {keep}
    """


def evaluate(path: Path, period: str | None, history: bool) -> tuple[pl.DataFrame, int]:
    """The reported rows (the as-of period, or every period up to it) and the as-of period.

    The as-of period defaults to the last of the data, found inside the query
    (the file is read once).
    """
    as_of = str(parse_period(period)) if period else "(SELECT hi FROM bounds)"
    keep = f"{P} <= {as_of}" if history else f"{P} = {as_of}"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    frame = con.sql(query(path, keep)).pl()
    if frame.height == 0:
        raise SystemExit(f"period {period} is outside the data")
    return frame, int(frame[P].max())  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    """Command line: evaluate and write the JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--period", help="as-of period YYYY-MM (default: the last)")
    parser.add_argument("--history", action="store_true", help="every period up to the as-of one")
    args = parser.parse_args(argv)
    frame, as_of = evaluate(args.data, args.period, args.history)
    text = json.dumps(document(frame, [as_of], as_of, args.history), allow_nan=False)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
