"""Run the performance benchmarks of kpirules and print a table of figures.

What is measured, and against what (see docs/performance.md):

1. ``kpirules eval`` (the installed CLI, as a subprocess: start-up, reading,
   evaluation and JSON writing all count) against a hand-written Polars
   script computing the same ruleset (``baseline_polars.py``): wall time,
   peak memory and their ratio, on CSV and Parquet;
2. scaling: 100k, 1M and 2M input rows, with the 17-KPI and 70-KPI rulesets;
3. ``kpirules check`` of a generated 7,000-line rule file, and start-up:
   ``kpirules --version`` and ``check`` of a small file against
   ``python -c pass``;
4. records per second of a per-record Python rule engine (``rule-engine``)
   evaluating the same KPIs and conditions, against kpirules';
5. whether kpirules and the baseline agree, value by value (printed, never
   asserted: this is a benchmark, not a test).

Timings are printed, never asserted. Each measured command runs in a fresh
process; peak memory is that process's maximum resident set size (from
``/usr/bin/time`` when present, else ``getrusage(RUSAGE_CHILDREN)`` in a
fresh wrapper process). With ``--repeat N`` the median of N runs is shown.

Usage::

    .venv/bin/python benchmarks/run.py            # full run (1M rows; about 10 minutes)
    .venv/bin/python benchmarks/run.py --quick    # 100k rows only
    .venv/bin/python benchmarks/run.py --repeat 3 --save benchmarks/out/results.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import gen_big_ruleset  # noqa: E402
import generate  # noqa: E402

OUT = BENCH / "out"
PYTHON = Path(sys.executable)
TIME = Path("/usr/bin/time")
RULESETS = {17: BENCH / "marketing.kpi", 70: BENCH / "marketing_70.kpi"}
MONTHS = 100
SIZES = {"100k": 1_000, "1M": 10_000, "2M": 20_000}  # label -> campaigns (x 100 months)


@dataclass
class Run:
    """One measured command: median wall seconds, peak RSS in MB, CPU seconds, exit code.

    CPU time (user + system) is less sensitive than wall time to other work
    on a shared machine, so it is kept beside it.
    """

    wall: float
    rss_mb: float
    rc: int
    stderr: str = ""
    cpu: float = math.nan

    @property
    def ok(self) -> bool:
        """Exit codes 0 and 1 both mean "evaluated" (1: something is critical)."""
        return self.rc in (0, 1)


#: Extra environment of measured commands (``PYTHONPATH`` pointing at the
#: checkout's ``src``, unless --installed: the venv's editable install may
#: point at another copy of the project).
CHILD_ENV: dict[str, str] = {}
BUSY: list[float] = []  # the machine's busy share seen before each run


def _once(cmd: Sequence[str | Path]) -> Run:
    """Run ``cmd`` once in a fresh process, measuring wall time and peak memory."""
    env = {**os.environ, "NO_COLOR": "1", **CHILD_ENV}
    argv = [str(a) for a in cmd]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as rep:
        if TIME.exists():
            full = [str(TIME), "-f", "%M %U %S", "-o", rep.name, *argv]
        else:  # a fresh wrapper, so that RUSAGE_CHILDREN holds this command only
            code = (
                "import resource, subprocess, sys\n"
                "rc = subprocess.call(sys.argv[2:])\n"
                "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
                "open(sys.argv[1], 'w').write(f'{u.ru_maxrss} {u.ru_utime} {u.ru_stime}')\n"
                "sys.exit(rc)\n"
            )
            full = [str(PYTHON), "-c", code, rep.name, *argv]
        start = time.perf_counter()
        proc = subprocess.run(full, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        lines = [ln for ln in Path(rep.name).read_text().splitlines() if ln.strip()]
    try:  # the last line; /usr/bin/time puts "Command exited with…" before it
        rss_kb, user, system = (float(x) for x in lines[-1].split())
    except (IndexError, ValueError):
        rss_kb = user = system = math.nan
    return Run(wall, rss_kb / 1024, proc.returncode, proc.stderr[-2000:], user + system)


def busy_fraction(interval: float = 0.5) -> float:
    """Share of all cores busy over ``interval`` seconds (from /proc/stat; 0 if unknown)."""
    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields), idle
    try:
        total0, idle0 = sample()
        time.sleep(interval)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_quiet(max_wait: float, threshold: float = 0.15) -> float:
    """Wait (up to ``max_wait`` s) until other work leaves the machine nearly idle.

    On a shared machine a figure measured while someone else runs a test
    suite says more about them than about kpirules. Returns the busy share
    last seen, so that it can be reported with the figures.
    """
    deadline = time.monotonic() + max_wait
    busy = busy_fraction()
    while busy > threshold and time.monotonic() < deadline:
        time.sleep(2)
        busy = busy_fraction()
    return busy


def measure(cmd: Sequence[str | Path], repeat: int = 1, quiet_wait: float = 0.0) -> Run:
    """The median of ``repeat`` runs (wall, memory, CPU each); the first failure stops."""
    runs = []
    for _ in range(max(1, repeat)):
        if quiet_wait:
            BUSY.append(wait_quiet(quiet_wait))
        run = _once(cmd)
        if not run.ok:
            return run
        runs.append(run)
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.rss_mb for r in runs),
               runs[-1].rc, runs[-1].stderr, statistics.median(r.cpu for r in runs))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table, aligned so that it also reads well in a terminal."""
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.rjust(w) if _numeric(c) else c.ljust(w)
                                for c, w in zip(r, widths, strict=True)) + " |" for r in cells[1:]]
    return "\n".join(lines)


_NUMBER = re.compile(r"^[-×]?[\d,]+(\.\d+)?(e[-+]?\d+)?$")


def _numeric(text: str) -> bool:
    """Whether a cell is a figure (right-aligned) rather than a label."""
    return bool(_NUMBER.match(text))


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(a: Run | None, b: Run | None, attr: str = "wall") -> str:
    """``a / b`` as ``×N.N``, or a dash when either run is missing or failed."""
    if not a or not b or not a.ok or not b.ok:
        return "–"
    den = getattr(b, attr)
    return f"×{getattr(a, attr) / den:.2f}" if den else "–"


class Bench:
    """The benchmark session: options, the runs made so far, printing."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.kpirules = Path(args.kpirules)
        self.results: dict[str, Any] = {"runs": {}}
        self.cache: dict[str, Run] = {}
        OUT.mkdir(parents=True, exist_ok=True)

    def say(self, text: str = "") -> None:
        """Print at once (the run is long; show progress as it goes)."""
        print(text, flush=True)

    def note(self, text: str) -> None:
        """Progress on standard error, so that standard output keeps the tables only."""
        print(f"  … {text}", file=sys.stderr, flush=True)

    def run(self, key: str, cmd: Sequence[str | Path], repeat: int | None = None) -> Run:
        """Measure ``cmd`` once per session (cached by ``key``), and remember it."""
        if key not in self.cache:
            self.note(key)
            run = measure(cmd, self.args.repeat if repeat is None else repeat, self.args.quiet_wait)
            if not run.ok:
                self.note(f"{key} failed with exit code {run.rc}:\n{run.stderr.strip()[-800:]}")
            self.cache[key] = run
            self.results["runs"][key] = asdict(run) | {"cmd": [str(c) for c in cmd]}
        return self.cache[key]

    # -- what is measured -------------------------------------------------------------

    def kpirules_works(self) -> bool:
        """Whether the installed CLI has an ``eval`` command yet."""
        if not self.kpirules.exists():
            return False
        proc = subprocess.run([self.kpirules, "eval", "--help"], capture_output=True, text=True,
                              env={**os.environ, **CHILD_ENV})
        return proc.returncode == 0

    def eval_kpirules(self, data: Path, kpis: int, out: Path | None = None) -> Run:
        """``kpirules eval`` of the 17- or 70-KPI ruleset on ``data``, JSON to a file."""
        out = out or OUT / f"kpirules_{kpis}_{data.name}.json"
        cmd = [self.kpirules, "eval", RULESETS[kpis], "--data", data, "--format", "json",
               "-o", out, "--fail-on", "never"]
        return self.run(f"kpirules eval {RULESETS[kpis].name} {data.name}", cmd)

    def eval_baseline(self, data: Path, out: Path | None = None) -> Run:
        """The hand-written Polars script on ``data``."""
        out = out or OUT / f"baseline_{data.name}.json"
        cmd = [PYTHON, BENCH / "baseline_polars.py", data, "-o", out]
        return self.run(f"baseline {data.name}", cmd)

    def machine(self) -> dict[str, Any]:
        """What the figures were measured on."""
        cpu = "?"
        mem = "?"
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
            for line in Path("/proc/meminfo").read_text().splitlines():
                if line.startswith("MemTotal"):
                    mem = f"{int(line.split()[1]) / 1024**2:.0f} GiB"
        except OSError:
            pass
        import polars

        version = "not installed"
        env = {**os.environ, **CHILD_ENV}
        if self.kpirules.exists():
            proc = subprocess.run([self.kpirules, "--version"], capture_output=True, text=True, env=env)
            version = (proc.stdout or proc.stderr).strip().splitlines()[-1] if proc.returncode == 0 else "?"
        where = subprocess.run([PYTHON, "-c", "import kpirules; print(kpirules.__file__)"],
                               capture_output=True, text=True, env=env).stdout.strip()
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip() or "?"
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True).stdout.strip()
        return {
            "cpu": cpu, "cores": os.cpu_count(), "memory": mem,
            "commit": commit + (" (src has uncommitted changes)" if dirty else ""),
            "python": platform.python_version(), "polars": polars.__version__,
            "kpirules": version, "kpirules source": str(Path(where).parent) if where else "?",
            "os": platform.platform(),
            "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        }


def section_compare(b: Bench, size: str, ok: bool) -> None:
    """kpirules against the hand-written Polars script, CSV and Parquet."""
    campaigns = SIZES[size]
    paths = generate.ensure(campaigns, MONTHS)
    rows = []
    for kind in ("parquet", "csv"):
        base = b.eval_baseline(paths[kind])
        kr = b.eval_kpirules(paths[kind], 17) if ok else None
        rows.append((kind, "baseline (hand-written Polars)", base.wall, base.cpu, base.rss_mb, "", "", ""))
        if kr:
            rows.append((kind, "kpirules eval", kr.wall if kr.ok else f"failed ({kr.rc})", kr.cpu,
                         kr.rss_mb, ratio(kr, base), ratio(kr, base, "cpu"), ratio(kr, base, "rss_mb")))
    b.say(f"\n## kpirules vs hand-written Polars — {size} rows ({campaigns:,} campaigns × {MONTHS} months), 17 KPIs\n")
    b.say(table(("data", "engine", "wall s", "CPU s", "peak MB", "wall ratio", "CPU ratio", "memory ratio"),
                rows))


def section_scaling(b: Bench, sizes: list[str], ok: bool) -> None:
    """How time and memory grow with rows and with KPIs."""
    rows = []
    for size in sizes:
        campaigns = SIZES[size]
        path = generate.ensure(campaigns, MONTHS)["parquet"]
        n = campaigns * MONTHS
        base = b.eval_baseline(path)
        runs: list[tuple[str, Run | None, str]] = [("baseline, 17 KPIs", base, "")]
        if ok:
            k17 = b.eval_kpirules(path, 17)
            k70 = b.eval_kpirules(path, 70)
            runs += [("kpirules, 17 KPIs", k17, ratio(k17, base)),
                     ("kpirules, 70 KPIs", k70, ratio(k70, base))]
        for label, r, vs in runs:
            if r is None:
                continue
            if not r.ok:
                rows.append((f"{n:,}", label, f"failed ({r.rc})", None, None, None, ""))
                continue
            rows.append((f"{n:,}", label, r.wall, r.cpu, r.rss_mb, r.wall / n * 1e6, vs))
    b.say("\n## Scaling (Parquet input)\n")
    b.say(table(("input rows", "engine", "wall s", "CPU s", "peak MB", "µs/row (wall)",
                 "wall vs baseline"), rows))


def _lines(path: Path) -> int:
    """Number of lines of a text file."""
    return len(path.read_text(encoding="utf-8").splitlines())


def section_check(b: Bench, ok_cli: bool) -> None:
    """Check time of a 7,000-line ruleset, and start-up times."""
    big = OUT.parent / "data" / "big.kpi"
    big.parent.mkdir(parents=True, exist_ok=True)
    text = gen_big_ruleset.generate()
    if not big.exists() or big.read_text(encoding="utf-8") != text:
        big.write_text(text, encoding="utf-8")
    lines = text.count("\n") + 1
    # the same file with one syntax error halfway: the path where statements are parsed one by one
    broken = big.with_name("big_one_error.kpi")
    kpi_lines = [i for i, line in enumerate(text.split("\n")) if line.startswith("kpi ")]
    broken_lines = text.split("\n")
    middle = kpi_lines[len(kpi_lines) // 2]
    broken_lines[middle] = broken_lines[middle].replace(" = ", " = = ", 1)
    broken.write_text("\n".join(broken_lines), encoding="utf-8")
    startup = max(5, b.args.repeat)
    rows = [("python -c pass", b.run("python -c pass", [PYTHON, "-c", "pass"], startup))]
    if ok_cli:
        rows += [
            ("kpirules --version", b.run("kpirules --version", [b.kpirules, "--version"], startup)),
            (f"kpirules check marketing.kpi ({_lines(RULESETS[17])} lines)",
             b.run("kpirules check marketing.kpi", [b.kpirules, "check", RULESETS[17]], startup)),
            (f"kpirules check marketing_70.kpi ({_lines(RULESETS[70])} lines)",
             b.run("kpirules check marketing_70.kpi", [b.kpirules, "check", RULESETS[70]], startup)),
            (f"kpirules check big.kpi ({lines:,} lines)",
             b.run("kpirules check big.kpi", [b.kpirules, "check", big])),
            ("kpirules check big_one_error.kpi (a syntax error at line "
             f"{middle + 1:,})", b.run("kpirules check big_one_error.kpi", [b.kpirules, "check", broken])),
        ]
    out = []
    for label, r in rows:
        out.append((label, r.wall if r.ok or ("check" in label and r.rc == 2) else f"failed ({r.rc})",
                    r.rss_mb, "" if r.rc == 0 else f"exit {r.rc}"))
    b.say("\n## Check and start-up\n")
    b.say(table(("command", "wall s", "peak MB", "note"), out))
    check = b.cache.get("kpirules check big.kpi")
    if check and check.wall:
        b.say(f"\nbig.kpi: {lines / check.wall:,.0f} lines/s (start-up included)")
        if check.rc != 0:
            b.say(f"big.kpi check exit code {check.rc}; first messages:\n{check.stderr.strip()[:600]}")


def section_rule_engine(b: Bench, size: str, ok: bool) -> None:
    """Records per second: a per-record Python rule engine against kpirules."""
    try:
        import rule_engine  # noqa: F401
    except ImportError:
        b.say("\n(rule-engine is not installed: per-record comparison skipped)")
        return
    import rule_engine_compare

    campaigns = SIZES[size]
    path = generate.ensure(campaigns, MONTHS)["parquet"]
    b.note(f"rule-engine on {b.args.sample:,} records")
    res = rule_engine_compare.run(path, b.args.sample)
    b.results["rule_engine"] = res
    evaluated = (campaigns + 1) * MONTHS  # (segment + overall) x period rows kpirules computes
    rows = [("rule-engine, per record (evaluation only, timed in-process)",
             f"{res['records']:,} sample", res["seconds"], res["records_per_second"], "×1.00")]
    k17 = b.cache.get(f"kpirules eval marketing.kpi {path.name}")
    base = b.cache.get(f"baseline {path.name}")
    for label, r in (("kpirules eval (whole command)", k17), ("hand-written Polars (whole script)", base)):
        if r and r.ok:
            rps = evaluated / r.wall
            rows.append((label, f"{evaluated:,}", r.wall, rps, f"×{rps / res['records_per_second']:,.0f}"))
    b.say(f"\n## Records per second — per-record rule engine vs vectorised ({size} data)\n")
    b.say(table(("engine", "records", "seconds", "records/s", "vs rule-engine"), rows))
    extrapolated = evaluated / res["records_per_second"]
    b.say(f"\nrule-engine would need about {extrapolated:,.0f} s for the {evaluated:,} records "
          f"({res['rules_per_record']} expressions each); it agrees with the baseline on "
          f"{res['agree']:,} of {res['compared']:,} values.")


# -- agreement -----------------------------------------------------------------------


def _key(row: dict[str, Any]) -> tuple[str, tuple[tuple[str, Any], ...]]:
    return row["period"], tuple(sorted((row.get("segment") or {}).items()))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def compare_docs(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """Compare kpirules' JSON (``ours``) with the baseline's, cell by cell."""
    mine = {_key(r): r for r in ours.get("rows", [])}
    cells = same = 0
    missing_rows = 0
    bad: Counter[str] = Counter()
    examples: list[str] = []
    for row in theirs["rows"]:
        got = mine.get(_key(row))
        if got is None:
            missing_rows += 1
            continue
        for part in ("values", "status", "decisions", "rules"):
            for name, want in row[part].items():
                have = (got.get(part) or {}).get(name, "<absent>")
                cells += 1
                if _same(have, want):
                    same += 1
                else:
                    bad[f"{part}.{name}"] += 1
                    if len(examples) < 8:
                        examples.append(f"{row['period']} {row['segment'] or 'overall'} {part}.{name}: "
                                        f"kpirules {have!r}, baseline {want!r}")
    def actions(doc: dict[str, Any]) -> set[tuple[Any, ...]]:
        return {(a["rule"], tuple(sorted(a["segment"].items())), a.get("new"), a["action"],
                 json.dumps(a.get("args"), sort_keys=True)) for a in doc.get("actions", [])}
    a_ours, a_theirs = actions(ours), actions(theirs)
    return {
        "rows_baseline": len(theirs["rows"]), "rows_kpirules": len(ours.get("rows", [])),
        "rows_missing": missing_rows, "cells": cells, "same": same,
        "mismatch_by_name": dict(bad.most_common(12)), "examples": examples,
        "actions_baseline": len(a_theirs), "actions_kpirules": len(a_ours),
        "actions_same": len(a_ours & a_theirs),
    }


def section_agreement(b: Bench, size: str, ok: bool) -> None:
    """Do kpirules and the baseline give the same figures? Printed, not asserted."""
    if not ok:
        return
    b.say("\n## Agreement between kpirules and the hand-written baseline\n")
    cases = []
    path = generate.ensure(SIZES[size], MONTHS)["parquet"]
    cases.append((f"{size}, as-of period", OUT / f"kpirules_17_{path.name}.json",
                  OUT / f"baseline_{path.name}.json"))
    # A small table with calendar gaps, every period (--history): windows and completion.
    small = generate.ensure(300, 30, gap_rate=0.05)["csv"]
    ko, bo = OUT / "agree_kpirules.json", OUT / "agree_baseline.json"
    b.note("agreement run on a gapped table, --history")
    subprocess.run([b.kpirules, "eval", RULESETS[17], "--data", small, "--format", "json",
                    "-o", ko, "--fail-on", "never", "--history"], capture_output=True,
                   env={**os.environ, **CHILD_ENV})
    subprocess.run([PYTHON, BENCH / "baseline_polars.py", small, "-o", bo, "--history"], check=True)
    cases.append(("9k rows with 5% gaps, every period", ko, bo))
    rows = []
    b.results["agreement"] = {}
    for label, ours, theirs in cases:
        if not ours.exists() or not theirs.exists():
            rows.append((label, "no output", "", "", ""))
            continue
        res = compare_docs(json.loads(ours.read_text()), json.loads(theirs.read_text()))
        b.results["agreement"][label] = res
        rows.append((label, f"{res['rows_kpirules']:,} / {res['rows_baseline']:,}",
                     f"{res['same']:,} / {res['cells']:,}",
                     f"{res['actions_same']:,} / {res['actions_baseline']:,} (kpirules {res['actions_kpirules']:,})",
                     ", ".join(f"{k}: {v}" for k, v in res["mismatch_by_name"].items()) or "none"))
    b.say(table(("case", "rows kpirules / baseline", "cells equal", "actions equal", "differences"), rows))
    for label, res in b.results["agreement"].items():
        for ex in res["examples"]:
            b.say(f"  {label}: {ex}")


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k rows only")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument("--sample", type=int, default=20_000, help="records for rule-engine")
    parser.add_argument("--kpirules", default=str(shutil.which("kpirules", path=str(PYTHON.parent)) or
                                                  PYTHON.parent / "kpirules"))
    parser.add_argument("--only", choices=("compare", "scaling", "check", "rule-engine", "agreement"),
                        action="append", help="run only these sections (repeatable)")
    parser.add_argument("--save", type=Path, help="also write every figure as JSON")
    parser.add_argument("--installed", action="store_true",
                        help="measure the kpirules the venv has installed, not this checkout's src")
    parser.add_argument("--quiet-wait", type=float, default=60.0,
                        help="before each run, wait up to this many seconds for other work "
                             "on the machine to stop (0: do not wait)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sample = min(args.sample, 5_000)

    if not args.installed and (ROOT / "src" / "kpirules").is_dir():
        CHILD_ENV["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])
    b = Bench(args)
    ok = b.kpirules_works()
    machine = b.machine()
    b.results["machine"] = machine
    b.say("# kpirules benchmarks\n")
    b.say("\n".join(f"- {k}: {v}" for k, v in machine.items()))
    b.say(f"repeat: {args.repeat} (median shown); peak memory: "
          f"{'/usr/bin/time' if TIME.exists() else 'getrusage'}")
    if not ok:
        b.say(f"\n{b.kpirules} has no working `eval` yet: only the baseline and rule-engine are measured.")

    main_size = "100k" if args.quick else "1M"
    sizes = ["100k"] if args.quick else ["100k", "1M", "2M"]
    wanted = set(args.only or ("compare", "scaling", "check", "rule-engine", "agreement"))
    if "compare" in wanted:
        section_compare(b, main_size, ok)
    if "scaling" in wanted:
        section_scaling(b, sizes, ok)
    if "check" in wanted:
        section_check(b, b.kpirules.exists())
    if "rule-engine" in wanted:
        section_rule_engine(b, main_size, ok)
    if "agreement" in wanted:
        section_agreement(b, main_size, ok)
    if BUSY:
        b.say(f"\nbefore each run the machine was on average {statistics.mean(BUSY):.0%} busy "
              f"(worst {max(BUSY):.0%}) with other work")
        b.results["busy_before_runs"] = BUSY
    b.say(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"(other work on the machine skews figures; use --repeat)")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(b.results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
