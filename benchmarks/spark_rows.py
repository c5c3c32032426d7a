"""Raw order lines from Parquet through the ``spark`` connector (plugins/kpirules-spark).

Generates ``--lines`` raw order lines (``examples/generate_orders.py``, 36
months, one customer per 20 lines) as Parquet files of ``--chunk`` lines each
(kept between runs: generating takes a while), then, in this process:

1. starts a Spark session (``--master``, default ``local[2]``) — timed apart;
2. reads the files through the connector with ``rulesets/orders.kpi``: Spark
   computes every aggregate (count_distinct, sum, count_new,
   count_returning…, each with its ``where``) for every level with
   GROUPING SETS, and only the cells come back as Arrow — timed, with the
   rows transferred;
3. evaluates the ruleset on those cells (``--by channel``, with history) —
   timed;
4. with ``--check`` (sizes that fit in memory), evaluates the same files with
   kpirules' own reader and says whether every value agrees.

Usage::

    .venv/bin/python benchmarks/spark_rows.py [--lines 50000000] [--chunk 2000000]
        [--master local[2]] [--driver-memory 4g] [--check]

Figures go to docs/scaling.md; nothing here is a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rulesets" / "orders.kpi"


def generate(lines: int, chunk: int, out: Path) -> list[Path]:
    """``part-NNN.parquet`` files of about ``chunk`` lines each, order ids unique across parts."""
    import polars as pl

    folder = out / f"orders_{lines}"
    parts = sorted(folder.glob("part-*.parquet"))
    if parts and (folder / "DONE").exists():
        return parts
    folder.mkdir(parents=True, exist_ok=True)
    spec = importlib.util.spec_from_file_location("generate_orders", ROOT / "examples" / "generate_orders.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    start, written, index = time.perf_counter(), 0, 0
    while written < lines:
        size = min(chunk, lines - written)
        frame = module.orders_frame(size, max(1000, lines // 20), 36, seed=1000 + index)
        frame = frame.with_columns(pl.col("date").str.to_datetime("%Y-%m-%d %H:%M"),
                                   pl.format("P{}-{}", pl.lit(index), pl.col("order_id")).alias("order_id"))
        frame.write_parquet(folder / f"part-{index:03d}.parquet")
        written += frame.height
        index += 1
        print(f"  generated {written:,} lines", file=sys.stderr)
    (folder / "DONE").write_text(str(written))
    print(f"generated {written:,} lines in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return sorted(folder.glob("part-*.parquet"))


def jvm_usage(spark: Any) -> tuple[float, float]:
    """CPU seconds and peak resident memory (MB) of the Spark JVM so far (local mode: driver and executors)."""
    pid = int(spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid())
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    peak = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith("VmHWM:"))
    return cpu, peak / 1024


def through_duckdb(parts: list[Path], ruleset: Any, dims: list[str]) -> None:
    """The same files through the ``sql`` connector on DuckDB: ``read_parquet`` of the glob, pushed down."""
    import kpirules
    from kpirules.plugins import load_registry
    from kpirules.testing import source_context

    connector = load_registry(autoload=False).connectors["sql"]
    settings = {"url": "duckdb:///:memory:", "parquet": str(parts[0].parent / "*.parquet"), "dimensions": dims}
    connector.validate(settings)
    start = time.perf_counter()
    table = connector.read(settings, source_context(ruleset, source="orders", base_dir=ROOT))
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    doc = kpirules.evaluate(ruleset, [table], by=["channel"], history=True).to_dict()
    eval_s = time.perf_counter() - start
    lines = int((parts[0].parent / "DONE").read_text())
    print(f"DuckDB (sql connector, parquet glob): pushed down {table.extra['pushed_down']}, "
          f"{table.frame.height:,} rows transferred, aggregation {read_s:.1f} s "
          f"({lines / read_s / 1e6:.2f} M lines/s), evaluation {eval_s:.2f} s ({len(doc['rows']):,} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000_000)
    parser.add_argument("--chunk", type=int, default=2_000_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/kpirules-bench-spark"))
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    parser.add_argument("--dimensions", default="channel,country",
                        help="the source's dimensions (the export's sku column would be one otherwise)")
    parser.add_argument("--check", action="store_true", help="also evaluate in memory and compare every value")
    parser.add_argument("--duckdb", action="store_true",
                        help="also through the sql connector on DuckDB (parquet = the same glob)")
    parser.add_argument("--no-spark", action="store_true", help="skip Spark (with --duckdb)")
    args = parser.parse_args()

    from kpirules_spark.connector import SparkConnector

    import kpirules
    from kpirules.testing import source_context

    parts = generate(args.lines, args.chunk, args.out)
    size = sum(p.stat().st_size for p in parts)
    print(f"{len(parts)} Parquet files, {size / 1e6:,.0f} MB", file=sys.stderr)
    ruleset = kpirules.load(RULES)
    if args.duckdb:
        through_duckdb(parts, ruleset, [d for d in args.dimensions.split(",") if d])
    if args.no_spark:
        return

    from pyspark.sql import SparkSession

    start = time.perf_counter()
    spark = (SparkSession.builder.master(args.master).appName("kpirules-bench")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", args.driver_memory)
             .config("spark.sql.shuffle.partitions", str(args.shuffle_partitions))
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    session_s = time.perf_counter() - start

    settings: dict[str, Any] = {"path": str(parts[0].parent / "*.parquet"), "master": args.master,
                                "dimensions": [d for d in args.dimensions.split(",") if d]}
    connector = SparkConnector()
    connector.validate(settings)
    cpu_before, _ = jvm_usage(spark)
    start = time.perf_counter()
    table = connector.read(settings, source_context(ruleset, source="orders", base_dir=ROOT))
    read_s = time.perf_counter() - start
    jvm_cpu, jvm_peak = jvm_usage(spark)
    start = time.perf_counter()
    doc = kpirules.evaluate(ruleset, [table], by=["channel"], history=True).to_dict()
    eval_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lines = int((parts[0].parent / "DONE").read_text())
    print(f"lines read by Spark       {lines:>14,}")
    print(f"plan                      {table.extra['plan']:>14}")
    print(f"rows transferred          {table.extra['rows_transferred']:>14,}  "
          f"({lines / max(1, table.extra['rows_transferred']):,.0f} lines per row)")
    print(f"Spark session start       {session_s:>14.1f} s")
    print(f"Spark aggregation + Arrow {read_s:>14.1f} s  ({lines / read_s / 1e6:.2f} M lines/s)")
    print(f"Spark JVM CPU, peak RSS   {jvm_cpu - cpu_before:>14.1f} s  (the aggregation's; "
          f"{jvm_peak:,.0f} MB at its peak since the session started)")
    print(f"kpirules evaluation       {eval_s:>14.2f} s  ({len(doc['rows']):,} rows, by channel, history)")
    print(f"Python peak RSS           {peak_mb:>14,.0f} MB  (the Spark JVM apart)")
    print(f"load average              {' '.join(f'{x:.1f}' for x in os.getloadavg()):>14}  "
          f"(shuffle partitions {spark.conf.get('spark.sql.shuffle.partitions')}, {args.master})")
    if args.check:
        import polars as pl

        frame = pl.concat([pl.read_parquet(p) for p in parts])
        local = kpirules.evaluate(ruleset, frame, by=["channel"], history=True).to_dict()
        agree = local["rows"] == doc["rows"]
        print(f"agrees with in-memory     {'yes' if agree else 'NO':>14}  ({len(local['rows']):,} rows compared)")
    spark.stop()


if __name__ == "__main__":
    main()
