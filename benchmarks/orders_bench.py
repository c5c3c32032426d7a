"""kpirules on raw order lines against a hand-written Polars script doing the same work.

Generates an order export (``examples/generate_orders.py``: order, customer,
channel, country, date, SKU, quantity, unit price; returns as negative lines;
one customer per 20 lines, 36 months) as Parquet (dates typed) and CSV
(dates as text), then for each format runs, each in a fresh process:

* ``kpirules eval rulesets/orders.kpi --by channel --history --format json``;
* ``benchmarks/orders_polars.py``, the same evaluation written by hand;

checks that both agree on every value of every row (metrics, KPIs, statuses,
the decision, the rules), and prints wall time, CPU time and peak memory with
the ratios. With ``--pg URL`` it also loads the table into PostgreSQL and
times the ``sql`` connector pushing every aggregate down (rows transferred).

Usage::

    python benchmarks/orders_bench.py [--lines 10000000] [--repeat 3] [--formats csv] [--before CHECKOUT/src] [--src CHECKOUT/src]
                                      [--pg postgresql://…]

Figures go to docs/performance.md; nothing here is a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from run import PYTHON, ROOT, Run, measure, table

RULES = ROOT / "rulesets" / "orders.kpi"
KPIRULES = Path(PYTHON).parent / "kpirules"
COMPARED = ("values", "status", "decisions", "rules")


def generate(lines: int, out: Path) -> tuple[Path, Path]:
    """``orders_N.parquet`` and ``orders_N.csv`` in ``out`` (kept: generating takes a while)."""
    parquet, csv = out / f"orders_{lines}.parquet", out / f"orders_{lines}.csv"
    if parquet.exists() and csv.exists():
        return parquet, csv
    spec = importlib.util.spec_from_file_location("generate_orders", ROOT / "examples" / "generate_orders.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import polars as pl

    start = time.perf_counter()
    frame = module.orders_frame(lines, max(1000, lines // 20), 36)
    frame.write_csv(csv, float_precision=2)
    frame.with_columns(pl.col("date").str.to_datetime("%Y-%m-%d %H:%M")).write_parquet(parquet)
    print(f"generated {frame.height:,} lines in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return parquet, csv


def interleaved(commands: dict[str, list[Any]], repeat: int) -> dict[str, Run]:
    """Each command once per round, in a rotating order; the median of each (wall, memory, CPU).

    On a shared machine, runs minutes apart see different loads: interleaving
    gives every command the same mix, so ratios within one run hold.
    """
    names = list(commands)
    runs: dict[str, list[Run]] = {n: [] for n in names}
    for round_ in range(repeat):
        for name in names[round_ % len(names):] + names[: round_ % len(names)]:
            run = measure(commands[name], 1)
            print(f"  … round {round_ + 1} {name}: {run.wall:.1f} s, {run.rss_mb:,.0f} MB", file=sys.stderr, flush=True)
            runs[name].append(run)
    return {n: Run(statistics.median(r.wall for r in rs), statistics.median(r.rss_mb for r in rs), rs[-1].rc,
                   rs[-1].stderr, statistics.median(r.cpu for r in rs)) for n, rs in runs.items()}


def agree(kpirules_doc: dict[str, Any], baseline: list[dict[str, Any]]) -> int:
    """Every value of every row equal (relative 1e-9); returns how many values were compared."""
    by_key = {(r["period"], r["segment"].get("channel")): r for r in kpirules_doc["rows"]}
    assert len(by_key) == len(baseline), f"{len(by_key)} rows against {len(baseline)}"
    compared = 0
    for want in baseline:
        got = by_key[(want["period"], want["channel"])]
        flat = {**got["values"], **{f"{k}`status": v for k, v in got["status"].items()},
                **got["decisions"], **got["rules"]}
        for name, value in want.items():
            if name in ("period", "channel"):
                continue
            actual = flat[name]
            same = (actual is None and value is None) or (
                isinstance(value, float | int) and not isinstance(value, bool) and actual is not None
                and math.isclose(actual, value, rel_tol=1e-9, abs_tol=1e-9)) or actual == value
            assert same, f"{want['period']} {want['channel']} {name}: kpirules {actual!r}, Polars {value!r}"
            compared += 1
    return compared


def pushdown(url: str, csv: Path) -> dict[str, Any]:
    """Load the lines into PostgreSQL (COPY), then time the sql connector computing every level there."""
    import sqlalchemy as sa

    import kpirules
    from kpirules.plugin_api import SourceContext
    from kpirules.plugins import load_registry

    engine = sa.create_engine(url)
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS order_lines"))
        conn.execute(sa.text("CREATE TABLE order_lines (date timestamp, order_id text, customer_id text, "
                             "channel text, country text, sku text, quantity integer, unit_price float8)"))
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy("COPY order_lines FROM STDIN WITH (FORMAT csv, HEADER true)") as copy, \
                csv.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        conn.execute(sa.text("ANALYZE order_lines"))
    print(f"loaded {csv.name} into PostgreSQL in {time.perf_counter() - start:.0f} s")
    ruleset = kpirules.load(RULES)
    ctx = SourceContext(source="pg", metrics={n: m.agg for n, m in ruleset.metrics.items()},
                        dimensions=("channel",), grain="month",
                        aggregates={n: m for n, m in ruleset.metrics.items() if m.aggregate is not None},
                        params={n: p.value for n, p in ruleset.params.items()})
    connector = load_registry(autoload=False).connectors["sql"]
    start = time.perf_counter()
    read = connector.read({"url": url, "table": "order_lines", "dimensions": ["channel"]}, ctx)
    fetched = time.perf_counter() - start
    doc = ruleset.evaluate([read], by=["channel"], history=True).to_dict()
    total = time.perf_counter() - start
    print(table(["PostgreSQL push-down", "rows transferred", "query + transfer s", "with evaluation s",
                 "pushed down"],
                [["orders.kpi by channel", read.frame.height, round(fetched, 2), round(total, 2),
                  read.extra.get("pushed_down")]]))
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "kpirules-orders-bench")
    parser.add_argument("--pg", help="a PostgreSQL URL: also time the push-down")
    parser.add_argument("--before", type=Path, help="also measure the kpirules of this other src/ folder")
    parser.add_argument("--src", type=Path, help="measure the kpirules of this src/ folder (a frozen copy of "
                                                 "a commit) instead of the installed one")
    parser.add_argument("--skip-files", action="store_true", help="only the PostgreSQL push-down")
    parser.add_argument("--formats", nargs="+", choices=("parquet", "csv"), default=["parquet", "csv"],
                        help="the data formats measured (default both)")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    parquet, csv = generate(args.lines, args.dir)
    rows = []
    for data in () if args.skip_files else [f for f in (parquet, csv) if f.suffix.lstrip(".") in args.formats]:
        out_k, out_p, out_b = args.dir / "kpirules.json", args.dir / "polars.json", args.dir / "before.json"
        evaluation = ["eval", str(RULES), "--data", str(data), "--by", "channel", "--history",
                      "--format", "json", "--fail-on", "never", "--max-rows", "100000000"]
        commands: dict[str, list[Any]] = {
            "kpirules": _from_src(args.src, [*evaluation, "-o", str(out_k)]) if args.src
            else [KPIRULES, *evaluation, "-o", out_k],
            "Polars": [PYTHON, Path(__file__).parent / "orders_polars.py", data, "-o", out_p],
        }
        if args.before:  # another checkout's src/, interleaved with the others
            commands["kpirules before"] = _from_src(args.before, [*evaluation, "-o", str(out_b)])
        runs = interleaved(commands, args.repeat)
        for who, run in runs.items():
            if run.rc != 0:
                sys.exit(f"{who} failed on {data.name}: {run.stderr}")
        k, p = runs["kpirules"], runs["Polars"]
        compared = agree(json.loads(out_k.read_text(encoding="utf-8")), json.loads(out_p.read_text(encoding="utf-8")))
        rows.append(_row(data, k, p, compared))
        if args.before:
            rows.append([f"{data.suffix.lstrip('.')} (before)", *_row(data, runs["kpirules before"], p, compared)[1:]])
    print(f"{args.lines:,} order lines, orders.kpi by channel, month grain, median of {args.repeat} "
          f"interleaved rounds; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(table(["data", "kpirules s", "Polars s", "wall ×", "kpirules CPU s", "Polars CPU s", "CPU ×",
                 "kpirules MB", "Polars MB", "memory ×", "values agreeing"], rows))
    if args.pg:
        doc = pushdown(args.pg, csv)
        baseline = json.loads((args.dir / "polars.json").read_text(encoding="utf-8"))
        print(f"push-down agrees with the hand-written Polars script on {agree(doc, baseline):,} values")


def _from_src(src: Path, arguments: list[str]) -> list[Any]:
    """``kpirules ARGUMENTS`` run from another checkout's ``src/`` (a commit measured while work goes on)."""
    code = (f"import sys; sys.path.insert(0, {str(src.resolve())!r}); "
            f"from kpirules.launcher import entry; sys.argv = ['kpirules', *{arguments!r}]; entry()")
    return [PYTHON, "-c", code]


def _row(data: Path, k: Run, p: Run, compared: int) -> list[Any]:
    return [data.suffix.lstrip("."), round(k.wall, 2), round(p.wall, 2), round(k.wall / p.wall, 2),
            round(k.cpu, 2), round(p.cpu, 2), round(k.cpu / p.cpu, 2), round(k.rss_mb), round(p.rss_mb),
            round(k.rss_mb / p.rss_mb, 2), compared]


if __name__ == "__main__":
    main()
