"""A job whose source is a database table of raw rows: aggregates pushed down, parameters included.

`kpirules run` hands the connector the ruleset's aggregate metrics and the
parameter values of the run (configuration and --param), so that a row
condition reading a parameter is computed in the database with the value
the run uses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from kpirules.job import RunOptions, run_job

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"

RULES = """ruleset shop
param big = 100
dimension channel
metric orders     = count_distinct(order_id)               unit count
metric big_orders = count_distinct(order_id) where amount >= big  unit count
metric buyers     = count_distinct(customer)               unit count
"""

LINES = [
    ("2026-01-05", "web", "A1", "c1", 50.0), ("2026-01-06", "web", "A2", "c2", 150.0),
    ("2026-01-07", "shop", "A3", "c1", 120.0), ("2026-02-01", "web", "A4", "c3", 80.0),
]


def project(tmp_path: Path) -> Path:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE lines (date TEXT, channel TEXT, order_id TEXT, customer TEXT, amount REAL)"))
        conn.execute(sa.text("INSERT INTO lines VALUES (:d, :c, :o, :u, :a)"),
                     [dict(zip("dcoua", line, strict=True)) for line in LINES])
    engine.dispose()
    (tmp_path / "shop.kpi").write_text(RULES, encoding="utf-8")
    config = tmp_path / "kpirules.toml"
    config.write_text('rulesets = ["shop.kpi"]\n\n[sources.orders]\nconnector = "sql"\n'
                      'url = "sqlite:///shop.db"\ntable = "lines"\n\n'
                      '[report]\nformats = ["json"]\ndir = "reports"\n', encoding="utf-8")
    return config


def _january(tmp_path: Path) -> dict[str, dict[str, float]]:
    doc = json.loads(next((tmp_path / "reports").glob("shop-*.json")).read_text(encoding="utf-8"))
    return {r["segment"].get("channel", "all"): r["values"] for r in doc["rows"] if r["period"] == "2026-01"}


def test_run_pushes_aggregates_down_with_the_run_parameters(tmp_path: Path) -> None:
    config = project(tmp_path)
    report = run_job(config, RunOptions(period="2026-01"))
    assert report.exit_code == 0
    january = _january(tmp_path)
    assert january["all"] == {"orders": 3, "big_orders": 2, "buyers": 2}
    assert january["web"] == {"orders": 2, "big_orders": 1, "buyers": 2}
    for path in (tmp_path / "reports").glob("*"):
        path.unlink()
    run_job(config, RunOptions(period="2026-01", params={"big": "130"}))
    assert _january(tmp_path)["all"]["big_orders"] == 1  # only A2 (150) at 130 and above
