"""How long ``kpirules why`` takes to split a change among k inputs and among segments.

The split evaluates the KPI in every one of the 2^k "worlds" (some inputs
switched to their new values, the others not) as rows of one Polars frame;
this script measures that, for k from 1 to 12 metrics, with and without a
time function (a 3-period rolling average reads 3 periods of each world), on
generated data: 20 channels × 24 months. The evaluation the split starts from
is timed apart. Prints a table of medians; nothing is asserted.

Usage::

    .venv/bin/python benchmarks/why.py [--repeat 5] [--max-inputs 12]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

import kpirules


def ruleset(k: int, windowed: bool) -> Any:
    """A KPI reading ``k`` metrics: half of them over the other half."""
    names = [f"m{i}" for i in range(k)]
    top, bottom = names[: max(1, k // 2)], names[max(1, k // 2):] or ["1"]
    formula = f"({' + '.join(top)}) / ({' + '.join(bottom)})"
    if windowed:
        formula = f"rolling_avg({formula}, 3)"
    text = "ruleset bench\ndimension channel\n" + "".join(f"metric {n}\n" for n in names)
    return kpirules.loads(text + f"kpi k = {formula}\n")


def rows(k: int, channels: int = 20, months: int = 24) -> list[dict[str, Any]]:
    rng = random.Random(k)
    return [{"month": f"{2025 + m // 12}-{m % 12 + 1:02d}", "channel": f"c{c:02d}",
             **{f"m{i}": rng.randint(100, 1000) for i in range(k)}}
            for m in range(months) for c in range(channels)]


def median_time(func: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--max-inputs", type=int, default=12)
    args = parser.parse_args(argv)
    print(f"{'inputs':>6} {'worlds':>7} {'window':>7} {'evaluate':>9} {'why: inputs':>12} "
          f"{'why: + 13 segment players':>27}")
    for k in range(1, args.max_inputs + 1):
        for windowed in (False, True):
            rs = ruleset(k, windowed)
            data = rows(k)
            result = rs.evaluate(data)
            evaluate_s = median_time(lambda rs=rs, data=data: rs.evaluate(data), args.repeat)
            segment_s = median_time(lambda result=result: result.why("k", segment={"channel": "c00"}),
                                    args.repeat)
            overall_s = median_time(lambda result=result: result.why("k"), args.repeat)
            print(f"{k:>6} {2**k:>7} {'3' if windowed else '-':>7} {evaluate_s * 1000:>7.0f} ms"
                  f" {segment_s * 1000:>9.0f} ms {overall_s * 1000:>24.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
