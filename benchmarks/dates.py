"""How long reading a period column takes: a UCI-like export of 540,000 rows with date-times
written month first (``12/1/10 8:26``), several thousand distinct values.

The column is read by Polars, one regular expression per written form over the
distinct values, and the day-or-month order is decided once for the column
(interfaces §1); this prints the best of three runs per grain.

    .venv/bin/python benchmarks/dates.py
"""

from __future__ import annotations

import random
import time

import polars as pl

from kpirules.engine.periods import map_periods


def main() -> None:
    rng = random.Random(1)
    distinct = [f"{m}/{d}/{y} {h}:{mi:02d}" for y in (10, 11) for m in range(1, 13) for d in range(1, 29)
                for h in (8, 12, 17) for mi in (0, 26, 41)]
    column = pl.Series("InvoiceDate", [rng.choice(distinct) for _ in range(540_000)])
    print(f"{column.len():,} rows, {column.n_unique():,} distinct date-times")
    for grain in ("day", "month"):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            map_periods(column, grain)
            best = min(best, time.perf_counter() - start)
        print(f"grain {grain:<6} {best:.3f} s")


if __name__ == "__main__":
    main()
