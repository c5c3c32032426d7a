"""kpirules against both hand-written yardsticks (Polars and DuckDB SQL), interleaved.

On a shared machine two figures measured minutes apart compare badly: the
load of other work changes in between. So every round runs kpirules, the
Polars script and the DuckDB script one after the other on the same file (in
a rotating order), and the figures are the medians over the rounds; the
ratios are taken within this one run. Each command runs in a fresh process
(start-up, reading and JSON writing count); peak memory is its maximum
resident set size.

Then one more run of each writes its document, and kpirules is compared
with both yardsticks value by value (metrics, KPIs, statuses, decisions,
rules; printed, never asserted).

Usage::

    .venv/bin/python benchmarks/three_way.py [--sizes 1M 4M] [--repeat 3] [--save out.json]

The goal (issue 14): kpirules at most 0.8x the wall time of the faster
yardstick and at most the smaller peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
from run import CHILD_ENV, OUT, PYTHON, ROOT, Run, _once, busy_fraction, compare_docs, table  # noqa: E402

RULES = BENCH / "marketing.kpi"
CAMPAIGNS = {"100k": 1_000, "1M": 10_000, "2M": 20_000, "4M": 40_000, "8M": 80_000}
ENGINES: tuple[str, ...] = ("kpirules", "polars", "duckdb")
BEFORE: list[Path] = []  # --before SRC: another checkout's src/, measured as "kpirules before"


def command(engine: str, data: Path, out: Path) -> list[str | Path]:
    """The command line of one engine, writing its JSON document to ``out``."""
    args = ["eval", str(RULES), "--data", str(data), "--format", "json", "-o", str(out), "--fail-on", "never"]
    if engine == "kpirules":
        return [Path(PYTHON).parent / "kpirules", *args]
    if engine == "kpirules before":
        code = (f"import sys; sys.path.insert(0, {str(BEFORE[0])!r}); from kpirules.launcher import entry; "
                f"sys.argv = ['kpirules', *{args!r}]; entry()")
        return [PYTHON, "-c", code]
    script = "baseline_polars.py" if engine == "polars" else "baseline_duckdb.py"
    return [PYTHON, BENCH / script, data, "-o", out]


def commit() -> str:
    """The commit measured (with a mark when src/ has uncommitted changes)."""
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip() or "?"
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src"], capture_output=True,
                           text=True).stdout.strip()
    return head + (" (+ uncommitted changes in src)" if dirty else "")


def load_average() -> str:
    """The machine's load averages (1, 5, 15 minutes): how shared it was."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def finish(saved: dict[str, Any], path: Path | None) -> int:
    """Say how loaded the machine was at the end, and save the figures when asked."""
    print(f"\nload average at the end: {load_average()}")
    if path:
        path.write_text(json.dumps(saved, indent=2, default=str))
    return 0


def measure_size(size: str, repeat: int) -> tuple[list[list[Any]], dict[str, Any]]:
    """The rounds on one size, both formats: table rows and the figures as data."""
    paths = generate.ensure(CAMPAIGNS[size], 100)
    rows: list[list[Any]] = []
    figures: dict[str, Any] = {}
    for kind in ("parquet", "csv"):
        runs: dict[str, list[Run]] = {e: [] for e in ENGINES}
        busy: list[float] = []
        for round_ in range(repeat):
            order = ENGINES[round_ % len(ENGINES):] + ENGINES[: round_ % len(ENGINES)]  # a rotating first
            for engine in order:
                busy.append(busy_fraction(0.3))
                out = OUT / f"three_{engine.replace(' ', '_')}_{size}.{kind}.json"
                run = _once(command(engine, paths[kind], out))
                if not run.ok:
                    print(f"{engine} failed on {paths[kind].name}: {run.stderr[-800:]}", file=sys.stderr)
                runs[engine].append(run)
                print(f"  … {size} {kind} round {round_ + 1} {engine}: {run.wall:.2f} s, "
                      f"{run.rss_mb:,.0f} MB", file=sys.stderr, flush=True)
        med = {e: (statistics.median(r.wall for r in rs), statistics.median(r.rss_mb for r in rs),
                   statistics.median(r.cpu for r in rs)) for e, rs in runs.items()}
        fastest = min(med["polars"][0], med["duckdb"][0])
        leanest = min(med["polars"][1], med["duckdb"][1])
        thriftiest = min(med["polars"][2], med["duckdb"][2])
        docs = {e: json.loads((OUT / f"three_{e.replace(' ', '_')}_{size}.{kind}.json").read_text())
                for e in ENGINES}
        agree = {y: compare_docs(docs["kpirules"], docs[y]) for y in ("polars", "duckdb")}
        for engine in ENGINES:
            wall, rss, cpu = med[engine]
            rows.append([size, kind, engine, wall, cpu, rss,
                         f"×{wall / fastest:.2f}", f"×{cpu / thriftiest:.2f}", f"×{rss / leanest:.2f}"])
        figures[kind] = {"medians": med, "busy_before_runs": statistics.mean(busy),
                         "agreement": {y: {k: a[k] for k in ("cells", "same", "rows_missing",
                                                             "actions_same", "actions_baseline")}
                                       for y, a in agree.items()}}
    return rows, figures


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["1M", "4M"], choices=list(CAMPAIGNS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--before", type=Path, help="also measure the kpirules of this other src/ folder")
    args = parser.parse_args(argv)
    global ENGINES
    if args.before:
        BEFORE.append(args.before.resolve())
        ENGINES = (*ENGINES, "kpirules before")
    if (ROOT / "src" / "kpirules").is_dir():
        CHILD_ENV["PYTHONPATH"] = str(ROOT / "src")
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"commit {commit()}, {os.cpu_count()} cores, load average at start {load_average()}; "
          f"medians of {args.repeat} interleaved rounds\n")
    rows: list[list[Any]] = []
    saved: dict[str, Any] = {"commit": commit()}
    for size in args.sizes:
        size_rows, figures = measure_size(size, args.repeat)
        rows += size_rows
        saved[size] = figures
    print(table(["rows", "data", "engine", "wall s", "CPU s", "peak MB", "wall / faster yardstick",
                 "CPU / yardstick using less", "memory / leaner yardstick"], rows))
    print()
    for size in args.sizes:
        for kind, fig in saved[size].items():
            for y, a in fig["agreement"].items():
                print(f"{size} {kind}: kpirules and {y} agree on {a['same']:,} of {a['cells']:,} values "
                      f"({a['rows_missing']} rows missing), {a['actions_same']} of {a['actions_baseline']} "
                      f"action texts; machine {fig['busy_before_runs']:.0%} busy before runs on average")
    return finish(saved, args.save)


if __name__ == "__main__":
    raise SystemExit(main())
