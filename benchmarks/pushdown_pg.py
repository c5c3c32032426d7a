"""The ``sql`` connector's push-down on PostgreSQL: this checkout against another, interleaved.

Loads the order lines of ``benchmarks/orders_bench.py`` (``--lines``, generated
once into its folder) into a PostgreSQL table with a server-side ``COPY``
(the server must be local: it reads the CSV file itself), then runs, each in
a fresh process and in rotating order for ``--repeat`` rounds, the connector
reading ``rulesets/orders.kpi``'s aggregates from that table by channel and
country (every level computed in the database) with this checkout's
``src/`` and, with ``--before SRC``, another one's. It prints the median
wall time of the query and transfer, the client's CPU time and peak memory,
the rows transferred, and whether both checkouts returned the same value in
every cell. With ``--explain`` it also prints ``EXPLAIN (ANALYZE, BUFFERS)``
of this checkout's statement (parameters bound, as the connector sends it).

Usage::

    python benchmarks/pushdown_pg.py --pg postgresql://… [--lines 1000000] [--repeat 3]
        [--before /tmp/old/src] [--explain]

Figures go to docs/performance.md and docs/scaling.md; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from orders_bench import RULES, generate, interleaved
from run import PYTHON, ROOT, table

DIMENSIONS = ["channel", "country"]

# run in a fresh process for each checkout: read through the connector, keep the cells, say how long
READ = """
import json, sys, time
sys.path.insert(0, {src!r})
import kpirules
from kpirules.plugins import load_registry
from kpirules.testing import source_context
ruleset = kpirules.load({rules!r})
connector = load_registry(autoload=False).connectors["sql"]
settings = {{"url": {url!r}, "table": {table!r}, "dimensions": {dims!r}}}
start = time.perf_counter()
read = connector.read(settings, source_context(ruleset, source="orders", base_dir="."))
seconds = time.perf_counter() - start
read.frame.write_parquet({out!r})
json.dump({{"seconds": seconds, "rows": read.frame.height, "pushed_down": read.extra["pushed_down"]}},
          open({out!r} + ".json", "w"))
"""


def load(url: str, csv: Path, name: str) -> None:
    """The CSV in table ``name`` (kept when it already holds every line)."""
    import sqlalchemy as sa

    lines = sum(1 for _ in csv.open("rb")) - 1
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        exists = conn.execute(sa.text("SELECT to_regclass(:name)"), {"name": name}).scalar()
        if exists and conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar() == lines:
            return
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))  # a constant of this script
        conn.execute(sa.text(f"CREATE TABLE {name} (date timestamp, order_id text, customer_id text, "
                             "channel text, country text, sku text, quantity integer, unit_price float8)"))
        from psycopg import sql  # COPY takes no bound parameter: the path as a quoted literal

        copy = sql.SQL("COPY {} FROM {} WITH (FORMAT csv, HEADER true)").format(sql.Identifier(name),
                                                                                 sql.Literal(str(csv)))
        conn.connection.driver_connection.execute(copy)
        conn.execute(sa.text(f"ANALYZE {name}"))
    engine.dispose()
    print(f"loaded {lines:,} lines into {name}", file=sys.stderr)


def explain(url: str, name: str) -> str:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the statement this checkout's connector sends."""
    import sqlalchemy as sa

    import kpirules
    from kpirules.builtin.sql import _numeric
    from kpirules.builtin.sql_pushdown import prepare, table_plan

    ruleset = kpirules.load(RULES)
    aggregates = {n: m for n, m in ruleset.metrics.items() if m.aggregate is not None}
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        source = sa.Table(name, sa.MetaData(), autoload_with=conn)
        planned = table_plan(conn, source, "date", DIMENSIONS, set(), aggregates,
                             {n: p.value for n, p in ruleset.params.items()}, "month", [], _numeric)
        assert planned is not None
        compiled = planned[0].compile(dialect=conn.dialect)
        prepare(conn)
        result = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", compiled.params)
        text = "\n".join(row[0] for row in result)
    engine.dispose()
    return text


def server_pid(url: str) -> int:
    """The PostgreSQL server's main process (the parent of this connection's backend): a local server."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        backend = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    engine.dispose()
    return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])


def server_cpu(pid: int) -> float:
    """CPU seconds of the server's ended children (backends and parallel workers, once they exit)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime + cstime


def same_cells(a: Path, b: Path) -> str:
    """Whether two reads returned the same cells, value for value (relative 1e-9)."""
    import polars as pl

    left, right = pl.read_parquet(a), pl.read_parquet(b)
    keys = [c for c in left.columns if not c.startswith("__rows__") and left.schema[c] == pl.String] + ["__level"]
    keys = list(dict.fromkeys(k for k in keys if k in left.columns))
    if left.height != right.height or sorted(left.columns) != sorted(right.columns):
        return f"NO ({left.height} against {right.height} cells)"
    joined = left.join(right, on=keys, how="full", suffix="_b", nulls_equal=True)
    for column in left.columns:
        if column in keys:
            continue
        x, y = joined[column].cast(pl.Float64), joined[f"{column}_b"].cast(pl.Float64)
        differ = ((x - y).abs() > 1e-9 * y.abs().clip(lower_bound=1)) | (x.is_null() != y.is_null())
        if differ.fill_null(True).any():
            return f"NO ({column})"
    return f"yes, {left.height:,} cells × {left.width - len(keys)} values"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", required=True, help="a PostgreSQL URL (a local server: it reads the CSV)")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "kpirules-orders-bench")
    parser.add_argument("--before", type=Path, help="another checkout's src/ folder, interleaved")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of the statement")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    _, csv = generate(args.lines, args.dir)
    name = f"order_lines_{args.lines}"
    load(args.pg, csv, name)
    if args.explain:
        print(explain(args.pg, name))
    sources = {"this checkout": ROOT / "src", **({"before": args.before.resolve()} if args.before else {})}
    outs = {who: args.dir / f"pushdown_{i}.parquet" for i, who in enumerate(sources)}
    commands: dict[str, list[Any]] = {
        who: [PYTHON, "-c", READ.format(src=str(src), rules=str(RULES), url=args.pg, table=name, dims=DIMENSIONS,
                                        out=str(outs[who]))]
        for who, src in sources.items()}
    server = server_pid(args.pg)
    cpu: dict[str, list[float]] = {who: [] for who in commands}

    runs = {}
    for round_ in range(args.repeat):  # rotating order, as orders_bench.interleaved
        order = list(commands)[round_ % len(commands):] + list(commands)[:round_ % len(commands)]
        for who in order:
            before_cpu = server_cpu(server)  # its backend ends with the process: counted in cutime
            runs.setdefault(who, []).append(interleaved({who: commands[who]}, 1)[who])
            time.sleep(0.5)
            cpu[who].append(server_cpu(server) - before_cpu)
    runs = {who: sorted(rs, key=lambda r: r.wall)[len(rs) // 2] for who, rs in runs.items()}
    rows = []
    for who, run in runs.items():
        if run.rc != 0:
            sys.exit(f"{who} failed: {run.stderr}")
        facts = json.loads(Path(f"{outs[who]}.json").read_text(encoding="utf-8"))
        rows.append([who, facts["rows"], round(run.wall, 2), round(statistics.median(cpu[who]), 2),
                     round(run.cpu, 2), round(run.rss_mb), facts["pushed_down"]])
    print(f"{args.lines:,} order lines in PostgreSQL, orders.kpi's 8 aggregates by {' × '.join(DIMENSIONS)} "
          f"(every level), median of {args.repeat} interleaved rounds; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(table(["checkout", "rows transferred", "wall s (process)", "server CPU s", "client CPU s", "client MB",
                 "pushed down"],
                rows))
    if args.before:
        print(f"same cells as before: {same_cells(outs['this checkout'], outs['before'])}")


if __name__ == "__main__":
    main()
