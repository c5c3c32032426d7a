"""Fuzz the rule-file front end: how many files, how many tracebacks, how many unlocated errors.

Two generators share the run:

- ``mutation``: the hypothesis mutation fuzzer of
  ``tests/lang/test_lang_properties.py`` (shipped, conformance and random
  valid files, then characters and tokens deleted, inserted, swapped);
- ``grammar``: files derived at random from the grammar's own rules
  (``tests/lang/grammar_fuzz.py``), half of them then mutated.

Every file is loaded (parse and check) and formatted. A failure other than
``RuleFileError`` is a *traceback*; a ``RuleFileError`` diagnostic without a
file, line and column is *unlocated*; a formatted file that formats
differently again is *unstable*. The script prints these counts, the files
per second and the slowest file, and saves the offending files (``--save``)
for regression tests.

Usage::

    .venv/bin/python benchmarks/fuzz_rules.py [--files 100000] [--workers 1] [--seed 0] [--save DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "lang"))


def _run_share(args: tuple[str, int, int, str | None]) -> tuple[Counter[str], float, float, list[str]]:
    """Fuzz ``count`` files from one generator; (outcomes, seconds, slowest file, problems)."""
    kind, count, seed, save = args
    from grammar_fuzz import grammar_generated, judge

    outcomes: Counter[str] = Counter()
    problems: list[str] = []
    slowest = 0.0

    def one(text: str) -> None:
        nonlocal slowest
        start = time.perf_counter()
        verdict = judge(text)
        slowest = max(slowest, time.perf_counter() - start)
        outcomes["files"] += 1
        if verdict is None:
            return
        outcomes[verdict.split(":", 1)[0]] += 1
        if len(problems) < 200:
            problems.append(verdict)
            if save:
                folder = Path(save)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{kind}-{seed}-{outcomes['files']}.kpi").write_text(text, encoding="utf-8")

    start = time.perf_counter()
    if kind == "grammar":
        rng = random.Random(seed)
        for _ in range(count):
            one(grammar_generated(rng))
    else:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as hypothesis_seed
        from test_lang_properties import mutated_files

        @hypothesis_seed(seed)
        @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(mutated_files())
        def mutation(text: str) -> None:
            one(text)

        mutation()
    return outcomes, time.perf_counter() - start, slowest, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", help="folder for the files that failed badly")
    options = parser.parse_args()
    chunks = max(options.workers, 1) * 4
    per_chunk = options.files // (2 * chunks)
    jobs = [(kind, per_chunk + (1 if i < options.files % (2 * chunks) // 2 else 0),
             options.seed * 1000 + i, options.save)
            for kind in ("mutation", "grammar") for i in range(chunks)]
    start = time.perf_counter()
    totals: dict[str, Counter[str]] = {"mutation": Counter(), "grammar": Counter()}
    slowest = 0.0
    problems: list[str] = []
    with multiprocessing.Pool(options.workers) as pool:
        for (kind, *_), (outcomes, _, slow, found) in zip(jobs, pool.imap(_run_share, jobs), strict=True):
            totals[kind].update(outcomes)
            slowest = max(slowest, slow)
            problems.extend(found)
            done = sum(t["files"] for t in totals.values())
            print(f"  … {done} files", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - start
    print(f"{'generator':<10} {'files':>8} {'tracebacks':>11} {'unlocated':>10} {'unstable':>9}")
    for kind, counts in [*totals.items(), ("total", sum(totals.values(), Counter()))]:
        print(f"{kind:<10} {counts['files']:>8} {counts['traceback']:>11} {counts['unlocated']:>10} "
              f"{counts['unstable format']:>9}")
    files = sum(t["files"] for t in totals.values())
    print(f"{files / elapsed:.0f} files/s with {options.workers} worker(s), {elapsed:.0f} s in all; "
          f"slowest file {slowest * 1000:.0f} ms")
    for problem in sorted(set(problems))[:40]:
        print("  " + problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
