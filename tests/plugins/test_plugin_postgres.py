"""The ``sql`` connector against a real PostgreSQL server (see tests/support/pg.py).

The push-down must give the same results as reading the raw rows, averages
across segments included.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

import kpirules
from kpirules.plugin_api import SourceContext
from kpirules.plugins import load_registry

pytestmark = pytest.mark.postgres

RULES = """
ruleset pg "Push-down"
  grain month

dimension channel

metric visits unit count
metric nps    agg avg
metric peak   agg max

kpi visits_per_point = visits / nps
"""

TABLE = 'Web "Traffic"'  # needs quoting: a space, capitals and a double quote


def fill(url: str, schema: str) -> list[dict[str, object]]:
    rng = random.Random(7)
    rows = []
    for day in range(1, 91):
        for channel in ("paid", "organic", "e-mail"):
            for _ in range(rng.randint(0, 3)):
                rows.append({
                    "Day": dt.date(2026, 1, 1) + dt.timedelta(days=day),
                    "channel": channel,
                    "visits": rng.randint(0, 500),
                    "nps": None if rng.random() < 0.1 else round(rng.uniform(-100, 100), 2),
                    "peak": rng.randint(0, 50),
                    "internal_id": rng.randint(0, 10**6),
                })
    meta = sa.MetaData(schema=schema)
    table = sa.Table(TABLE, meta, sa.Column("Day", sa.Date), sa.Column("channel", sa.Text),
                     sa.Column("visits", sa.Integer), sa.Column("nps", sa.Numeric(6, 2)),
                     sa.Column("peak", sa.BigInteger), sa.Column("internal_id", sa.Integer))
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        meta.create_all(conn)
        conn.execute(table.insert(), rows)
    engine.dispose()
    return rows


def test_pushdown_matches_raw_rows(pg_schema: tuple[str, str], tmp_path: Path) -> None:
    url, schema = pg_schema
    rows = fill(url, schema)
    rs = kpirules.loads(RULES)
    connector = load_registry(autoload=False).connectors["sql"]
    ctx = SourceContext(source="pg", metrics={m.name: m.agg for m in rs.metrics.values()},
                        dimensions=("channel",), base_dir=tmp_path, grain="month")
    settings = {"url": url, "table": TABLE, "schema": schema, "period_column": "Day"}
    connector.validate(settings)
    pushed = connector.read(settings, ctx)
    assert pushed.pre_aggregated and pushed.dimensions == ("channel",)
    assert pushed.frame.height < len(rows)  # one row per day and channel at most
    assert "internal_id" not in pushed.frame.columns

    raw = pl.DataFrame(rows).drop("internal_id").with_columns(
        pl.col("nps").cast(pl.Float64))
    expected = rs.evaluate(raw, period_column="Day", history=True).to_dict()
    actual = rs.evaluate([pushed], history=True).to_dict()
    assert [r["period"] for r in actual["rows"]] == [r["period"] for r in expected["rows"]]
    for got, want in zip(actual["rows"], expected["rows"], strict=True):
        assert got["segment"] == want["segment"]
        for name, value in want["values"].items():
            if value is None:
                assert got["values"][name] is None, (name, got, want)
            else:
                assert got["values"][name] == pytest.approx(value, rel=1e-9), (name, got, want)


def test_query_source_on_postgres(pg_schema: tuple[str, str], tmp_path: Path) -> None:
    url, schema = pg_schema
    fill(url, schema)
    connector = load_registry(autoload=False).connectors["sql"]
    query = (f'SELECT date_trunc(\'month\', "Day")::date AS month, channel, sum(nps) AS nps '
             f'FROM "{schema}"."Web ""Traffic""" WHERE channel = :channel GROUP BY 1, 2')
    settings = {"url": url, "query": query, "params": {"channel": "paid"}}
    connector.validate(settings)
    table = connector.read(settings, SourceContext(source="q", base_dir=tmp_path))
    assert set(table.frame["channel"].to_list()) == {"paid"}
    assert table.frame.schema["nps"] == pl.Float64  # numeric → float
    assert table.frame.height == 4  # January to April


def test_first_last_read_raw_rows_on_postgres(pg_schema: tuple[str, str], tmp_path: Path) -> None:
    url, schema = pg_schema
    rows = fill(url, schema)
    connector = load_registry(autoload=False).connectors["sql"]
    table = connector.read({"url": url, "table": TABLE, "schema": schema},
                           SourceContext(source="pg", metrics={"visits": "sum", "peak": "last"},
                                         base_dir=tmp_path))
    assert not table.pre_aggregated and table.frame.height == len(rows)
