"""Start-up seen from inside: a command's time after ``import polars``, in one process.

``benchmarks/startup.py`` times whole processes against ``python -c "import
polars"``; on a shared machine their difference is the difference of two
noisy figures. This script times only kpirules' own part: each fresh process
imports Polars first, then runs the command through the console script's
entry point, and reports the wall and CPU time (all threads) from the end of
``import polars`` to the end of the command. ``--before SRC`` runs another
checkout's ``src`` in the same rounds, interleaved, the order swapped every
round; medians are printed. Timings are printed, never asserted.

Usage::

    .venv/bin/python benchmarks/startup_inside.py [--repeat 9] [--before SRC]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import gen_big_ruleset  # noqa: E402
from startup import compiled, small_data  # noqa: E402
from three_way import commit, load_average  # noqa: E402

ROOT = BENCH.parent
CHILD = """
import contextlib, io, sys, time
import polars
wall, cpu = time.perf_counter(), time.process_time()
sys.argv = ["kpirules", *sys.argv[1:]]
from kpirules.launcher import entry
try:
    with contextlib.redirect_stdout(io.StringIO()):
        entry()
except SystemExit:
    pass
sys.stderr.write(f"INSIDE {time.perf_counter() - wall} {time.process_time() - cpu}\\n")
"""


def inside(src: Path, args: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``kpirules ARGS`` after ``import polars``, with ``src`` first on the path."""
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(src), "NO_COLOR": "1"}, check=False)
    line = [x for x in proc.stderr.splitlines() if x.startswith("INSIDE ")]
    if not line:
        raise SystemExit(f"kpirules {' '.join(args)} failed: {proc.stderr[-600:]}")
    wall, cpu = line[-1].split()[1:]
    return float(wall), float(cpu)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--before", type=Path, help="another checkout's src/ to measure alongside")
    args = parser.parse_args(argv)
    sources = {"after": ROOT / "src"}
    if args.before:
        sources["before"] = args.before
    for src in sources.values():
        compiled(src)
    big = BENCH / "data" / "big.kpi"
    if not big.exists():
        big.parent.mkdir(parents=True, exist_ok=True)
        big.write_text(gen_big_ruleset.generate(), encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        rules, data = small_data(Path(tmp))
        commands = {
            "eval (100 rows, json)": ["eval", str(rules), "--data", str(data), "--format", "json",
                                      "--fail-on", "never"],
            "eval (100 rows, table)": ["eval", str(rules), "--data", str(data), "--fail-on", "never"],
            "check big.kpi": ["check", str(big)],
        }
        runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for round_ in range(args.repeat):
            for name, command in commands.items():
                order = list(sources.items())
                for label, src in order if round_ % 2 == 0 else order[::-1]:
                    runs.setdefault((name, label), []).append(inside(src, command))
    print(f"commit {commit()}; after import polars, median of {args.repeat} interleaved rounds; "
          f"load average {load_average()}\n")
    print("| command | " + " | ".join(f"{label} wall ms | {label} CPU ms" for label in sources) + " |")
    print("|---|" + "---|---|" * len(sources))
    for name in commands:
        cells = []
        for label in sources:
            values = runs[(name, label)]
            cells += [f"{statistics.median(v[0] for v in values) * 1000:.0f}",
                      f"{statistics.median(v[1] for v in values) * 1000:.0f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
