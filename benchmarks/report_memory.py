"""Peak memory and time of the report formats on a long, wide history.

``kpirules eval --history`` on SEGMENTS segments × MONTHS months (2.4 million
rows at the defaults 100,000 × 24), written as ``jsonl``, ``csv``, ``csv-fr``
and ``html``, against ``json`` (the whole document in memory, as every
format did before streaming). Each command runs in a fresh process; peak
memory is its maximum resident set size from ``/usr/bin/time``.

Figures are printed, never asserted (see docs/performance.md).

Usage::

    .venv/bin/python benchmarks/report_memory.py                     # 100,000 × 24
    .venv/bin/python benchmarks/report_memory.py --segments 20000 --formats html,jsonl
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
KPIRULES = Path(sys.executable).with_name("kpirules")

RULES = """\
ruleset big "Many segments"
  locale fr
dimension campaign "Campagne"
metric visits unit count
metric leads  unit count
metric spend  unit EUR
kpi conversion = leads / visits unit percent better higher
kpi cpl        = spend / leads  unit EUR     better lower
threshold conversion
  critical < 1%
  warning  < 2%
threshold cpl
  warning > 60
"""


def write_data(path: Path, segments: int, months: int) -> None:
    """A CSV of ``segments × months`` rows (deterministic)."""
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["month", "campaign", "visits", "leads", "spend"])
        for month in range(months):
            period = f"{2024 + month // 12}-{month % 12 + 1:02d}"
            for segment in range(segments):
                visits = rng.randint(10, 5000)
                writer.writerow([period, f"camp-{segment:06d}", visits,
                                 rng.randint(0, visits // 20), round(rng.uniform(5, 900), 2)])


def measure(fmt: str, rules: Path, data: Path, out: Path) -> tuple[float, float, int]:
    """Seconds, peak MB and output bytes of one ``eval --history --format FMT``."""
    command = [str(KPIRULES), "eval", str(rules), "--data", str(data), "--history",
               "--format", fmt, "-o", str(out), "--fail-on", "never"]
    timer = shutil.which("time") or "/usr/bin/time"
    started = time.perf_counter()
    proc = subprocess.run([timer, "-f", "MAXRSS %M", *command], capture_output=True, text=True,
                          check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{fmt}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    match = re.search(r"MAXRSS (\d+)", proc.stderr)
    peak = int(match.group(1)) / 1024 if match else float("nan")
    return elapsed, peak, out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--formats", default="jsonl,csv,csv-fr,html,json")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    rules = DATA / "report_memory.kpi"
    rules.write_text(RULES, encoding="utf-8")
    data = DATA / f"report_memory_{args.segments}x{args.months}.csv"
    if not data.exists():
        write_data(data, args.segments, args.months)
    rows = args.segments * args.months
    print(f"eval --history: {args.segments:,} segments × {args.months} months = {rows:,} rows")
    print(f"{'format':8} {'seconds':>8} {'peak MB':>8} {'output MB':>10}")
    for fmt in args.formats.split(","):
        out = DATA / f"report_memory.{fmt}"
        seconds, peak, size = measure(fmt, rules, data, out)
        print(f"{fmt:8} {seconds:8.1f} {peak:8.0f} {size / 1e6:10.1f}")
        out.unlink()


if __name__ == "__main__":
    main()
