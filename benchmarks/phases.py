"""Where the time of one ``kpirules eval`` goes, phase by phase.

A profiler's view of a Polars program is misleading (the work happens in
Rust threads, and the profiler slows the Python parts several times), so this
script times the phases of an evaluation directly, in one process, with the
engine's own functions: reading, the steps of normalising, computing the
KPIs, judging the reported periods, and the JSON output as ``eval --format
json`` writes it. It wraps internal functions
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
EVERY_PERIOD = "(for comparison, not part of eval: judging every period instead)"
CPU: dict[str, list[float]] = defaultdict(list)  # process CPU time: every thread, steadier on a busy machine


def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func``, recording how long each call takes under ``name``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            TIMES[name].append(time.perf_counter() - start)
            CPU[name].append(time.process_time() - cpu)

    return wrapper


def main(argv: list[str] | None = None) -> int:
    """Run the phases ``--repeat`` times and print the median of each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ruleset", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    import io

    import kpirules
    from kpirules.data import readers
    from kpirules.engine import evaluate as evaluate_mod
    from kpirules.engine import judgements
    from kpirules.engine import normalise as normalise_mod
    from kpirules.report.base import RenderOptions
    from kpirules.report.jsonfmt import write_json
    from kpirules.report.stream import header_document, iter_rows

    TIMES["import kpirules (once)"].append(time.perf_counter() - start)

    normalise_mod._prepare = timed("normalise: _prepare (periods, numbers)", normalise_mod._prepare)
    normalise_mod._finest = timed("normalise: _finest (rollup to segments)", normalise_mod._finest)
    evaluate_mod.normalise = timed("normalise: total", evaluate_mod.normalise)
    evaluate_mod.evaluate_objectives = timed("objectives", evaluate_mod.evaluate_objectives)
    judgements.Judge.between = timed("judge the reported periods", judgements.Judge.between)  # type: ignore[method-assign]

    load = timed("load ruleset", kpirules.load)
    read = timed("read file", readers.read_file)
    evaluate = timed("evaluate: total", evaluate_mod.evaluate)
    header_of = timed("JSON: the document but its rows (actions)", header_document)
    write = timed("JSON: written (rows by Polars)", write_json)
    for _ in range(args.repeat):
        ruleset = load(args.ruleset)
        result = evaluate(ruleset, read(args.data))
        write(header_of(result), iter_rows(result), RenderOptions(), io.StringIO())
        if result.judge is not None and result.values is not None:  # what judging only those periods saves
            timed(EVERY_PERIOD, result.judge.judge)(result.values)

    med = derived({name: statistics.median(values) for name, values in TIMES.items()})
    cpu = derived({name: statistics.median(values) for name, values in CPU.items()})
    order = [
        "import kpirules (once)", "load ruleset", "read file",
        "normalise: _prepare (periods, numbers)", "normalise: _finest (rollup to segments)",
        "normalise: levels, calendar, missing, sort (rest)", "normalise: total",
        "compute: KPIs at every period, sort (evaluate - normalise - judge - objectives)",
        "judge the reported periods", "objectives", "evaluate: total", EVERY_PERIOD,
        "JSON: the document but its rows (actions)", "JSON: written (rows by Polars)",
    ]
    print(f"{args.ruleset.name} on {args.data.name}, median of {args.repeat}; wall s, CPU s")
    for name in order:
        if name in med:
            print(f"{med[name]:8.3f} {cpu.get(name, float('nan')):8.3f}  {name}")
    return 0


def derived(med: dict[str, float]) -> dict[str, float]:
    """The phases measured as differences of others."""
    norm_total = med.get("normalise: total", 0.0)
    med["normalise: levels, calendar, missing, sort (rest)"] = (
        norm_total - med.get("normalise: _prepare (periods, numbers)", 0.0)
        - med.get("normalise: _finest (rollup to segments)", 0.0)
    )
    med["compute: KPIs at every period, sort (evaluate - normalise - judge - objectives)"] = (
        med.get("evaluate: total", 0.0) - norm_total - med.get("objectives", 0.0)
        - med.get("judge the reported periods", 0.0)
    )
    return med


if __name__ == "__main__":
    raise SystemExit(main())
