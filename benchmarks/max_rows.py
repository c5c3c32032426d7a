"""Peak memory of ``kpirules eval`` on a small Parquet file that expands to many rows.

Writes a Parquet file of ROWS rows of constant values (a few hundred KB on
disk, as in issue 10), then runs ``kpirules eval`` on it in a child process
and prints the exit code, the wall time and the child's peak resident
memory: once with the default ``--max-rows`` (the file is refused from its
metadata, before any row is read), and once with each ``--max-rows`` given
(``--allow``) so that the file is read. Figures go in docs/performance.md.

Usage::

    .venv/bin/python benchmarks/max_rows.py [--rows 30000000] [--allow 40000000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RULES = "ruleset big\nmetric visits\nmetric orders\nkpi conv = orders / visits\n"


def write_file(folder: Path, rows: int) -> Path:
    """A Parquet file of ``rows`` identical rows (it compresses to almost nothing)."""
    import polars as pl

    path = folder / "big.parquet"
    frame = pl.select(month=pl.repeat("2026-01", rows, dtype=pl.String),
                      visits=pl.repeat(1000, rows, dtype=pl.Int64),
                      orders=pl.repeat(20, rows, dtype=pl.Int64))
    frame.write_parquet(path, compression="zstd")
    return path


def run(folder: Path, data: Path, extra: list[str]) -> tuple[int, float, float, str]:
    """Exit code, seconds, peak MB of the child and the last line of its stderr."""
    err_path = folder / "stderr.txt"
    start = time.perf_counter()
    with open(err_path, "w") as err, open(os.devnull, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kpirules", "eval",
                                 str(folder / "big.kpi"), "--data", str(data), "--format", "json",
                                 *extra], stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own peak, not the largest so far
    seconds = time.perf_counter() - start
    last = (err_path.read_text().strip().splitlines() or [""])[-1]
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=30_000_000)
    parser.add_argument("--allow", type=int, action="append", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "big.kpi").write_text(RULES)
        data = write_file(folder, args.rows)
        print(f"{args.rows:,} rows, {data.stat().st_size / 1024:.0f} KB on disk")
        for extra in ([], *(["--max-rows", str(n)] for n in args.allow)):
            code, seconds, peak, last = run(folder, data, extra)
            label = " ".join(extra) or "default --max-rows"
            print(f"{label:>26}: exit {code}, {seconds:.2f} s, peak {peak:,.0f} MB  {last[:90]}")


if __name__ == "__main__":
    main()
