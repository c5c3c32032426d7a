"""How `kpirules eval` grows with the number of text columns (issue 10: 8,000 of them once took minutes).

Each file has 12 monthly rows, one metric and N text columns of three values
each (every one a dimension of the data), plus one identifier column of
2,000 distinct values in a 2,000-row file. Prints the wall time of the whole
command (start-up, reading, evaluation, JSON) for each N, and the time per
1,000 columns, which stays about flat when the work is linear.

    .venv/bin/python benchmarks/wide_columns.py                  # 1,000 to 8,000 columns
    .venv/bin/python benchmarks/wide_columns.py --columns 500 1000 --cmd /other/.venv/bin/kpirules
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RULES = "ruleset wide\nmetric visits\n"


def write_wide(path: Path, columns: int, rows: int = 12) -> None:
    rng = random.Random(columns)
    with path.open("w", encoding="utf-8") as out:
        out.write("month,visits," + ",".join(f"t{i}" for i in range(columns)) + "\n")
        for r in range(rows):
            cells = ",".join(rng.choice("abc") for _ in range(columns))
            out.write(f"2026-{r % 12 + 1:02d},{r},{cells}\n")


def write_identifiers(path: Path, rows: int = 2000) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("month,InvoiceNo,Country,visits\n")
        for r in range(rows):
            out.write(f"2026-{r % 12 + 1:02d},INV{r:06d},{'FR' if r % 2 else 'DE'},1\n")


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--columns", type=int, nargs="+", default=[1000, 2000, 4000, 8000])
    parser.add_argument("--cmd", default=str(Path(sys.executable).with_name("kpirules")))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rules = folder / "wide.kpi"
        rules.write_text(RULES, encoding="utf-8")
        print(f"{'text columns':>12}  {'seconds':>8}  {'s per 1,000 columns':>20}")
        for n in args.columns:
            data = folder / f"wide{n}.csv"
            write_wide(data, n)
            seconds = timed([args.cmd, "eval", str(rules), "--data", str(data), "--format", "json"])
            print(f"{n:>12,}  {seconds:>8.2f}  {seconds / n * 1000:>20.2f}")
        ids = folder / "ids.csv"
        write_identifiers(ids)
        seconds = timed([args.cmd, "eval", str(rules), "--data", str(ids), "--format", "json"])
        print(f"identifier column (2,000 invoices, ignored): {seconds:.2f} s")


if __name__ == "__main__":
    main()
