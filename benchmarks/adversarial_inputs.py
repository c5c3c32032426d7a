"""Time kpirules on inputs built to blow up: many unknown names, very wide or deep JSON.

Each case writes its input to a temporary folder and runs a ``kpirules``
executable on it (by default this checkout's), with a time limit, and prints
the wall-clock and CPU seconds and the exit code. Growth with the size tells
linear from quadratic: a case whose time grows 25 times for 5 times the size
is quadratic. Give ``--kpirules`` another checkout's executable to compare
before and after a change.

Usage::

    .venv/bin/python benchmarks/adversarial_inputs.py [--kpirules PATH] [--timeout 120] [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_KPIRULES = HERE.parent / ".venv" / "bin" / "kpirules"

RULES = "ruleset wide\nmetric k000001\nkpi doubled = k000001 * 2\n"


def unknown_names(folder: Path, count: int) -> list[str]:
    """A rule file whose every KPI names a metric that does not exist."""
    lines = ["ruleset big", "metric visits",
             *(f"kpi kpi_{i} = missing_{i} + visits" for i in range(count))]
    path = folder / f"unknown_{count}.kpi"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["check", str(path)]


def typos(folder: Path, count: int) -> list[str]:
    """A rule file of ``count`` KPIs, each referring to a misspelt earlier one (close names)."""
    lines = ["ruleset typos", "metric visits", "kpi kpi_0 = visits",
             *(f"kpi kpi_{i} = kpi_{i - 1}x + visits" for i in range(1, count))]
    path = folder / f"typos_{count}.kpi"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["check", str(path)]


def _eval_json(folder: Path, name: str, doc: object) -> list[str]:
    rules = folder / "wide.kpi"
    rules.write_text(RULES, encoding="utf-8")
    data = folder / name
    data.write_text(json.dumps(doc), encoding="utf-8")
    return ["eval", str(rules), "--data", str(data), "--format", "json"]


def wide_json(folder: Path, count: int) -> list[str]:
    """One row with ``count`` keys (4 MB for 300,000)."""
    row: dict[str, object] = {"period": "2026-01"}
    row.update({f"k{i:06d}": i for i in range(count)})
    return _eval_json(folder, f"wide_{count}.json", [row])


def sparse_json(folder: Path, count: int) -> list[str]:
    """``count`` rows, each with a key of its own: a table of count × count cells."""
    rows = [{"period": "2026-01", "k000001": 1, f"x{i:06d}": i} for i in range(count)]
    return _eval_json(folder, f"sparse_{count}.json", rows)


def deep_json(folder: Path, depth: int) -> list[str]:
    """A row whose one value nests ``depth`` lists deep."""
    rules = folder / "wide.kpi"
    rules.write_text(RULES, encoding="utf-8")
    data = folder / f"deep_{depth}.json"
    data.write_text('[{"period": "2026-01", "k000001": ' + "[" * depth + "]" * depth + "}]",
                    encoding="utf-8")
    return ["eval", str(rules), "--data", str(data), "--format", "json"]


CASES: dict[str, tuple[Callable[[Path, int], list[str]], tuple[int, ...]]] = {
    "check-unknown-names": (unknown_names, (1_000, 2_000, 5_000)),
    "check-typos": (typos, (1_000, 5_000)),
    "eval-wide-json": (wide_json, (30_000, 100_000, 300_000)),
    "eval-sparse-json": (sparse_json, (1_000, 3_000, 10_000)),
    "eval-deep-json": (deep_json, (100_000,)),
}


def run(kpirules: str, args: list[str], timeout: float) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of the child, and its exit code (or "timeout")."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        done = subprocess.run([kpirules, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=timeout, env={**os.environ, "NO_COLOR": "1"})
        outcome = str(done.returncode)
        if b"Traceback" in done.stderr or b"internal error" in done.stderr:
            outcome += " (internal error)"
    except subprocess.TimeoutExpired:
        outcome = f"timeout > {timeout:.0f} s"
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kpirules", default=str(DEFAULT_KPIRULES))
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--only", action="append", choices=sorted(CASES))
    options = parser.parse_args()
    print(f"{'case':<22} {'size':>8} {'wall s':>8} {'cpu s':>8}  exit")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, (build, sizes) in CASES.items():
            if options.only and name not in options.only:
                continue
            for size in sizes:
                args = build(folder, size)
                wall, cpu, outcome = run(options.kpirules, args, options.timeout)
                print(f"{name:<22} {size:>8} {wall:>8.2f} {cpu:>8.2f}  {outcome}", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
