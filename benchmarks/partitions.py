"""An aggregated table larger than a memory limit, evaluated whole and in segment partitions.

Generates an aggregated table as Parquet (``--segments`` campaigns × ``--days``
days, four metric columns: visits, spend, an ``avg`` score and a ``min``),
then runs, each in a fresh process that reports its own peak memory:

* the whole evaluation (``kpirules.evaluate`` on the table read in memory);
* the evaluation in segment partitions
  (``kpirules.engine.partitions.evaluate_in_partitions``) under
  ``--limit`` MB, its rows written as JSON Lines as they come;
* the same with a limit below one segment's need: the error naming the limit.

and prints rows, partitions, wall time and peak memory, and the engine's
bytes per cell (what ``ENGINE_BYTES_PER_CELL`` estimates).

Usage::

    .venv/bin/python benchmarks/partitions.py [--segments 20000] [--days 365] [--limit 700]

Figures go to docs/scaling.md; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

RULES = (Path(__file__).parent / "segments.kpi").read_text(encoding="utf-8")

CHILD = r"""
import json, resource, sys, time
import kpirules, polars as pl
mode, path, limit, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
ruleset = kpirules.loads(sys.stdin.read(), "ads.kpi")
start = time.perf_counter()
rows, extra = 0, {}
try:
    if mode == "whole":
        doc = kpirules.evaluate(ruleset, pl.read_parquet(path))
        rows = len(doc.to_dict()["rows"])
    else:
        from kpirules.engine.partitions import evaluate_in_partitions
        header, produced = evaluate_in_partitions(ruleset, path, memory_limit_mb=limit)
        with open(out, "w", encoding="utf-8") as sink:
            for row in produced:
                sink.write(json.dumps(row) + "\n")
                rows += 1
        extra = header["partitions"]
except Exception as err:
    extra = {"error": str(err)}
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows, "extra": extra,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generate(segments: int, days: int, out: Path) -> Path:
    import numpy as np
    import polars as pl

    path = out / f"segments_{segments}x{days}.parquet"
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    start = pl.date(2025, 1, 1)
    dates = pl.date_range(start, start + pl.duration(days=days - 1), eager=True).to_numpy()
    seg = np.repeat(np.arange(segments, dtype=np.int64), days)
    frame = pl.DataFrame({
        "date": np.tile(dates, segments),
        "channel": pl.Series(np.asarray(["search", "social", "display", "email", "affiliate"])[seg % 5]),
        "campaign": pl.Series(seg).cast(pl.String).str.zfill(6),
        "visits": rng.integers(0, 2000, seg.size).astype(np.float64),
        "spend": rng.random(seg.size) * 300, "score": rng.random(seg.size) * 10, "low": rng.random(seg.size),
    })
    frame.write_parquet(path)
    return path


def run(mode: str, path: Path, limit: float, out: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), str(limit), str(out)],
                          input=RULES, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"seconds": 0, "rows": 0, "peak_mb": 0, "extra": {"error": done.stderr.strip()[-300:]}}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--limit", type=float, default=700, help="memory limit in MB for the partitioned run")
    parser.add_argument("--out", type=Path, default=Path("/tmp/kpirules-bench-partitions"))
    args = parser.parse_args()

    start = time.perf_counter()
    path = generate(args.segments, args.days, args.out)
    rows = args.segments * args.days
    print(f"aggregated table: {rows:,} rows x 7 columns ({path.stat().st_size / 1e6:,.0f} MB Parquet), "
          f"made in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    whole = run("whole", path, args.limit, args.out / "whole.jsonl")
    parts = run("partitions", path, args.limit, args.out / "rows.jsonl")
    tiny = run("partitions", path, 150, args.out / "tiny.jsonl")
    print(f"{'run':<34}{'wall s':>9}{'peak MB':>10}{'rows out':>11}  notes")
    print(f"{'whole table in memory':<34}{whole['seconds']:>9.1f}{whole['peak_mb']:>10,.0f}{whole['rows']:>11,}"
          f"  {whole['extra'] or ''}")
    print(f"{f'partitions, limit {args.limit:,.0f} MB':<34}{parts['seconds']:>9.1f}{parts['peak_mb']:>10,.0f}"
          f"{parts['rows']:>11,}  {parts['extra']}")
    print(f"{'partitions, limit 150 MB':<34}{tiny['seconds']:>9.1f}{tiny['peak_mb']:>10,.0f}{tiny['rows']:>11,}"
          f"  {tiny['extra']}")
    whole_peak = float(whole["peak_mb"])  # type: ignore[arg-type]
    print(f"engine bytes per cell (whole run): {(whole_peak - 160) * 1e6 / (rows * 7):,.0f}")


if __name__ == "__main__":
    main()
