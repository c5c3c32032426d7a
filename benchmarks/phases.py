"""Where the time of one ``kpirules eval`` goes, phase by phase.

A profiler's view of a Polars program is misleading (the work happens in
Rust threads, and the profiler slows the Python parts several times), so this
script times the phases of an evaluation directly, in one process, with the
engine's own functions: reading, the steps of normalising, computing, the
JSON document and its rendering. It wraps internal functions
(``kpirules.engine.normalise._prepare`` …) and so may need updating when the
engine changes; it is a tool for engine work, not a stable benchmark.

Usage::

    .venv/bin/python benchmarks/phases.py benchmarks/marketing.kpi DATA [--repeat 3]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIMES: dict[str, list[float]] = defaultdict(list)


def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func``, recording how long each call takes under ``name``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            TIMES[name].append(time.perf_counter() - start)

    return wrapper


def main(argv: list[str] | None = None) -> int:
    """Run the phases ``--repeat`` times and print the median of each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ruleset", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    import kpirules
    from kpirules.data import readers
    from kpirules.engine import evaluate as evaluate_mod
    from kpirules.engine import normalise as normalise_mod
    from kpirules.report.base import RenderOptions
    from kpirules.report.jsonfmt import render_json

    TIMES["import kpirules (once)"].append(time.perf_counter() - start)

    normalise_mod._prepare = timed("normalise: _prepare (periods, numbers)", normalise_mod._prepare)
    normalise_mod._finest = timed("normalise: _finest (rollup to segments)", normalise_mod._finest)
    evaluate_mod.normalise = timed("normalise: total", evaluate_mod.normalise)
    evaluate_mod.evaluate_objectives = timed("objectives", evaluate_mod.evaluate_objectives)

    for _ in range(args.repeat):
        start = time.perf_counter()
        ruleset = kpirules.load(args.ruleset)
        TIMES["load ruleset"].append(time.perf_counter() - start)
        start = time.perf_counter()
        table = readers.read_file(args.data)
        TIMES["read file"].append(time.perf_counter() - start)
        start = time.perf_counter()
        result = evaluate_mod.evaluate(ruleset, table)
        TIMES["evaluate: total"].append(time.perf_counter() - start)
        start = time.perf_counter()
        doc = result.to_dict()
        TIMES["Result.to_dict"].append(time.perf_counter() - start)
        start = time.perf_counter()
        render_json(doc, RenderOptions())
        TIMES["render_json"].append(time.perf_counter() - start)

    med = {name: statistics.median(values) for name, values in TIMES.items()}
    norm_total = med.get("normalise: total", 0.0)
    med["normalise: levels, calendar, missing, sort (rest)"] = (
        norm_total - med.get("normalise: _prepare (periods, numbers)", 0.0)
        - med.get("normalise: _finest (rollup to segments)", 0.0)
    )
    med["compute: compile + collect + filter (evaluate - normalise - objectives)"] = (
        med["evaluate: total"] - norm_total - med.get("objectives", 0.0)
    )
    order = [
        "import kpirules (once)", "load ruleset", "read file",
        "normalise: _prepare (periods, numbers)", "normalise: _finest (rollup to segments)",
        "normalise: levels, calendar, missing, sort (rest)", "normalise: total",
        "compute: compile + collect + filter (evaluate - normalise - objectives)", "objectives",
        "evaluate: total", "Result.to_dict", "render_json",
    ]
    print(f"{args.ruleset.name} on {args.data.name}, median of {args.repeat}")
    for name in order:
        if name in med:
            print(f"{med[name]:8.3f} s  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
