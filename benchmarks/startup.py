"""Start-up: ``kpirules eval`` of a 100-row file against ``python -c "import polars"``.

Evaluating a small file costs Python's start-up, the imports and a few
milliseconds of work; Polars alone is the floor (kpirules evaluates with it).
The goal (issue 14): ``eval`` of a 100-row file within 0.15 s of importing
Polars, and ``check`` of the 7,000-line rule file under 1 s. Commands run
interleaved (one of each per round, in fresh processes, in an order rotated
every round), and the medians of wall and CPU time (user + system, steadier
on a shared machine) are printed with the difference to the floor.

The checkout's modules are compiled to bytecode first, as ``pip install``
does for an installed kpirules: without it (an editable install under
``PYTHONDONTWRITEBYTECODE``) every run would compile the sources again, a
cost no user pays. ``--before SRC`` measures another checkout's ``src`` in
the same rounds (e.g. ``main``'s, from ``git worktree add``).

Usage::

    .venv/bin/python benchmarks/startup.py [--repeat 7] [--kpirules PATH] [--before SRC]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import gen_big_ruleset  # noqa: E402
from run import CHILD_ENV, PYTHON, ROOT, _once, table  # noqa: E402
from three_way import commit, load_average  # noqa: E402

SMALL_RULES = """\
ruleset small
  grain month
dimension channel
metric visits
metric leads
kpi lead_rate = leads / visits unit percent
threshold lead_rate
  critical < 1%
  warning < 2%
"""


def small_data(folder: Path) -> tuple[Path, Path]:
    """A 100-row CSV (25 months x 4 channels) and its rule file."""
    lines = ["month,channel,visits,leads"]
    for month in range(25):
        for n, channel in enumerate(("search", "social", "email", "display")):
            lines.append(f"{2024 + month // 12}-{month % 12 + 1:02d},{channel},{100 + 7 * month + n},{1 + month % 9}")
    data, rules = folder / "small.csv", folder / "small.kpi"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rules.write_text(SMALL_RULES, encoding="utf-8")
    return rules, data


def compiled(src: Path) -> None:
    """Bytecode for every module of ``src``, as an installed package has it."""
    compileall.compile_dir(str(src), quiet=1)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--kpirules", type=Path, default=Path(PYTHON).parent / "kpirules")
    parser.add_argument("--before", type=Path, help="another checkout's src/ to measure alongside")
    args = parser.parse_args(argv)
    if (ROOT / "src" / "kpirules").is_dir():
        CHILD_ENV["PYTHONPATH"] = str(ROOT / "src")
        compiled(ROOT / "src")
    big = BENCH / "data" / "big.kpi"
    if not big.exists():
        big.parent.mkdir(parents=True, exist_ok=True)
        big.write_text(gen_big_ruleset.generate(), encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        rules, data = small_data(Path(tmp))
        lines = sum(1 for _ in big.open())
        kpirules: list[str | Path] = [args.kpirules]
        versions = {"": kpirules}
        if args.before:
            compiled(args.before)
            versions[" (before)"] = ["/usr/bin/env", f"PYTHONPATH={args.before}", args.kpirules]
        commands: dict[str, list[str | Path]] = {'python -c "import polars"': [PYTHON, "-c", "import polars"]}
        for label, run in versions.items():
            commands[f"kpirules eval (100 rows, table){label}"] = [
                *run, "eval", rules, "--data", data, "--fail-on", "never"]
            commands[f"kpirules eval (100 rows, json){label}"] = [
                *run, "eval", rules, "--data", data, "--format", "json", "--fail-on", "never"]
            commands[f"kpirules check big.kpi ({lines} lines){label}"] = [*run, "check", big]
        walls: dict[str, list[float]] = {k: [] for k in commands}
        cpus: dict[str, list[float]] = {k: [] for k in commands}
        rss: dict[str, list[float]] = {k: [] for k in commands}
        names = list(commands)
        for round_ in range(args.repeat):
            for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                run = _once(commands[name])
                if not run.ok:
                    raise SystemExit(f"{name} failed: {run.stderr[-600:]}")
                walls[name].append(run.wall)
                cpus[name].append(run.cpu)
                rss[name].append(run.rss_mb)
    floor = statistics.median(walls['python -c "import polars"'])
    cpu_floor = statistics.median(cpus['python -c "import polars"'])
    rows = [[name, statistics.median(walls[name]), statistics.median(cpus[name]),
             statistics.median(rss[name]),
             f"+{statistics.median(walls[name]) - floor:.3f}" if "eval" in name else "",
             f"+{statistics.median(cpus[name]) - cpu_floor:.3f}" if "eval" in name else ""]
            for name in names]
    print(f"commit {commit()}; median of {args.repeat} interleaved rounds; load average {load_average()}\n")
    print(table(["command", "wall s", "CPU s", "peak MB", "wall over import polars",
                 "CPU over import polars"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
