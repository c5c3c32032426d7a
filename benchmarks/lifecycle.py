"""What the alert lifecycle costs: thresholds with and without ``recover``.

Evaluates the same data (``--segments`` segments × ``--months`` months, a CAC
that wanders around its thresholds) with plain thresholds, with ``recover``
clauses, and with ``recover`` plus a rule that renotifies and resolves; and,
for scale, the hysteresis computed by a plain Python loop over the rows (what
a per-segment implementation would do). Each evaluation computes every
period (statuses are judged from the first one) and builds the JSON document
of the last; prints the median wall time of each.

Usage::

    .venv/bin/python benchmarks/lifecycle.py [--segments 20000] [--months 24] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

import kpirules

PLAIN = """ruleset bench
dimension shop
metric spend unit EUR
metric customers unit count
kpi cac = spend / customers unit EUR better lower
threshold cac
  critical > 150
  warning  > 100
"""
RECOVER = PLAIN.replace("critical > 150", "critical > 150  recover <= 120").replace(
    "warning  > 100", "warning  > 100  recover <= 90")
LIFECYCLE = RECOVER + """rule hot
  when cac is critical
  scope segments
  then notify(text="{shop}: CAC {cac}")
  renotify every 3 periods
  resolve notify(text="{shop}: back to {cac}")
"""


def data(segments: int, months: int) -> pl.DataFrame:
    """A CAC per shop and month around 110 (±50), ten customers a month."""
    rng = np.random.default_rng(7)
    periods = [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
    return pl.DataFrame({
        "month": periods * segments,
        "shop": np.repeat([f"s{s:06d}" for s in range(segments)], months),
        "spend": (rng.normal(110, 30, segments * months).clip(10, 300) * 10).round(),
        "customers": np.full(segments * months, 10),
    })


def python_loop(frame: pl.DataFrame) -> list[str]:
    """The hysteresis of RECOVER, row by row in Python (the slow way)."""
    out = []
    crit = warn = False
    previous = None
    for shop, spend, customers in frame.select("shop", "spend", "customers").iter_rows():
        if shop != previous:
            crit = warn = False
            previous = shop
        cac = spend / customers
        crit = cac > 150 or (crit and not cac <= 120)
        warn = cac > 100 or (warn and not cac <= 90)
        out.append("critical" if crit else "warning" if warn else "ok")
    return out


def median_time(func: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = data(args.segments, args.months)
    print(f"{args.segments:,} segments × {args.months} months = {frame.height:,} rows, "
          f"median of {args.repeat}")
    for label, text in (("plain thresholds", PLAIN), ("with recover", RECOVER),
                        ("recover + renotify/resolve rule", LIFECYCLE)):
        ruleset = kpirules.loads(text, "bench.kpi")
        seconds = median_time(lambda rs=ruleset: rs.evaluate(frame).to_dict(),
                              args.repeat)
        print(f"  {label:<34} {seconds:7.2f} s")
    seconds = median_time(lambda: python_loop(frame.sort("shop", "month")), args.repeat)
    print(f"  {'hysteresis alone, Python loop':<34} {seconds:7.2f} s")


if __name__ == "__main__":
    main()
