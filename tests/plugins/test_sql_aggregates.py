"""Aggregate metrics through the ``sql`` connector: SQLite, PostgreSQL and DuckDB agree with the engine.

The shared matrix (kpirules.testing.aggregate_matrix) is stored in a database
and read with ``table``: every aggregate is computed in the database for every
level (GROUPING SETS on PostgreSQL and DuckDB, one query per level on SQLite) and each
value is held to the same reference as the in-memory engine. What cannot be
pushed down (first, last, median) reads the raw rows, with the same values.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import kpirules
from kpirules.plugin_api import SourceContext
from kpirules.plugins import load_registry
from kpirules.testing import aggregate_matrix as matrix

TABLE = 'Order "lines"'  # quoting needed: a space, a capital and a double quote


def store(url: str, schema: str | None, dates: Any) -> None:
    meta = sa.MetaData(schema=schema)
    table = sa.Table(TABLE, meta, sa.Column("date", dates), sa.Column("channel", sa.Text),
                     sa.Column("country", sa.Text), sa.Column("order_id", sa.Text),
                     sa.Column("customer", sa.Text), sa.Column("quantity", sa.Integer),
                     sa.Column("unit_price", sa.Float), sa.Column("status", sa.Text))
    rows = matrix.rows()
    if dates is sa.Date:
        rows = [{**r, "date": dt.date.fromisoformat(r["date"])} for r in rows]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        meta.create_all(conn)
        conn.execute(table.insert(), rows)
    engine.dispose()


def read(url: str, schema: str | None, rules: str, tmp_path: Path) -> tuple[kpirules.Ruleset, Any]:
    ruleset = kpirules.loads(rules, "matrix.kpi")
    settings: dict[str, Any] = {"url": url, "table": TABLE}
    if schema:
        settings["schema"] = schema
    return ruleset, read_settings(settings, ruleset, tmp_path)


def read_settings(settings: dict[str, Any], ruleset: kpirules.Ruleset, tmp_path: Path) -> Any:
    connector = load_registry(autoload=False).connectors["sql"]
    ctx = SourceContext(source="orders", metrics={n: m.agg for n, m in ruleset.metrics.items()},
                        dimensions=tuple(ruleset.dimensions), base_dir=tmp_path, grain=ruleset.grain,
                        aggregates={n: m for n, m in ruleset.metrics.items() if m.aggregate is not None},
                        params={n: p.value for n, p in ruleset.params.items()})
    connector.validate(settings)
    return connector.read(settings, ctx)


def assert_deduplicated(sql: str) -> None:
    """The statement de-duplicates before it counts: no COUNT(DISTINCT) sorting raw rows per level,
    no window over the raw rows for the first periods (sql_cells)."""
    lowered = sql.lower()
    assert "count(distinct" not in lowered and " over (" not in lowered
    assert "kpi_dedup" in lowered and "kpi_fine" in lowered and "kpi_first" in lowered


def check_all_levels(ruleset: kpirules.Ruleset, table: Any, grain: str) -> None:
    for by in ([], ["channel"], ["country"], ["channel", "country"]):
        doc = ruleset.evaluate([table], by=by, history=True).to_dict()
        assert matrix.compare(doc, grain, by) > 0


@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_sqlite_computes_every_level_in_the_database(tmp_path: Path, grain: str) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    store(url, None, sa.Text)
    ruleset, table = read(url, None, matrix.PUSHABLE_RULES.format(grain=grain), tmp_path)
    assert table.extra["pushed_down"] and "UNION ALL" in table.extra["sql"]
    assert_deduplicated(table.extra["sql"])
    assert "'paid'" not in table.extra["sql"]  # the parameter is bound
    # only cells cross the wire: 4 levels (overall, channel, country, both) per period
    assert table.frame.height < 4 * len(matrix.LINES)
    check_all_levels(ruleset, table, grain)


@pytest.mark.parametrize("dialect", ["sqlite", "duckdb"])
def test_raw_rows_are_read_for_first_last_and_median(tmp_path: Path, dialect: str) -> None:
    url = f"{dialect}:///{tmp_path / 'shop.db'}"
    store(url, None, sa.Text)
    ruleset, table = read(url, None, matrix.RULES.format(grain="month"), tmp_path)
    assert not table.extra["pushed_down"] and table.frame.height == len(matrix.LINES)
    check_all_levels(ruleset, table, "month")


def test_sqlite_period_column_that_is_not_iso_reads_raw_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE TABLE "{TABLE.replace(chr(34), 2 * chr(34))}" '
                             "(date TEXT, order_id TEXT)"))
        conn.execute(sa.text(f'INSERT INTO "{TABLE.replace(chr(34), 2 * chr(34))}" VALUES '
                             "('05/01/2026', 'A1'), ('20/01/2026', 'A2'), ('03/02/2026', 'A3')"))
    engine.dispose()
    ruleset, table = read(url, None, "ruleset t\nmetric orders = count_distinct(order_id)\n", tmp_path)
    assert not table.extra["pushed_down"]
    doc = ruleset.evaluate([table], history=True).to_dict()
    assert [r["values"]["orders"] for r in doc["rows"]] == [2, 1]


@pytest.mark.postgres
@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_postgres_computes_every_level_with_grouping_sets(pg_schema: tuple[str, str], tmp_path: Path,
                                                          grain: str) -> None:
    url, schema = pg_schema
    store(url, schema, sa.Date)
    ruleset, table = read(url, schema, matrix.PUSHABLE_RULES.format(grain=grain), tmp_path)
    assert table.extra["pushed_down"] and "GROUPING SETS" in table.extra["sql"]
    check_all_levels(ruleset, table, grain)


@pytest.mark.postgres
def test_postgres_runs_the_push_down_without_jit_for_that_transaction_only(pg_schema: tuple[str, str]) -> None:
    from kpirules.builtin.sql_pushdown import prepare

    url, _ = pg_schema
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        conn.execute(sa.text("SET jit = on"))  # the session's own setting (this connection only)
        conn.commit()
        prepare(conn)  # opens the transaction the statement runs in
        assert conn.execute(sa.text("SHOW jit")).scalar() == "off"
        conn.commit()
        assert conn.execute(sa.text("SHOW jit")).scalar() == "on"  # SET LOCAL: back after the statement
    engine.dispose()


@pytest.mark.postgres
def test_postgres_reads_raw_rows_for_first_last_and_median(pg_schema: tuple[str, str], tmp_path: Path) -> None:
    url, schema = pg_schema
    store(url, schema, sa.Date)
    ruleset, table = read(url, schema, matrix.RULES.format(grain="quarter"), tmp_path)
    assert not table.extra["pushed_down"]
    check_all_levels(ruleset, table, "quarter")


@pytest.mark.slow
@pytest.mark.parametrize("grain", ["month", "quarter", "week"])
def test_duckdb_computes_every_level_with_grouping_sets(tmp_path: Path, grain: str) -> None:
    url = f"duckdb:///{tmp_path / 'shop.duckdb'}"
    store(url, None, sa.Date)
    ruleset, table = read(url, None, matrix.PUSHABLE_RULES.format(grain=grain), tmp_path)
    assert table.extra["pushed_down"] and "GROUPING SETS" in table.extra["sql"]
    assert "'paid'" not in table.extra["sql"]  # the parameter is bound
    assert table.frame.height < 4 * len(matrix.LINES)  # only cells cross the wire
    if grain != "week":  # the reference knows months and quarters
        check_all_levels(ruleset, table, grain)
    else:  # ISO weeks: the engine on the raw rows is the reference
        local = ruleset.evaluate([matrix_table()], by=["channel"], history=True).to_dict()
        pushed = ruleset.evaluate([table], by=["channel"], history=True).to_dict()
        assert pushed["rows"] == local["rows"] and len(local["periods"]) > 20


def test_duckdb_reads_a_parquet_glob_in_place(tmp_path: Path) -> None:
    import polars as pl

    folder = tmp_path / "orders"
    folder.mkdir()
    frame = pl.DataFrame(matrix.rows()).with_columns(pl.col("date").str.to_date())
    frame.head(6).write_parquet(folder / "part-1.parquet")
    frame.slice(6).write_parquet(folder / "part-2.parquet")
    ruleset = kpirules.loads(matrix.PUSHABLE_RULES.format(grain="month"), "matrix.kpi")
    table = read_settings({"url": "duckdb:///:memory:", "parquet": "orders/*.parquet"}, ruleset, tmp_path)
    assert table.extra["pushed_down"] and "read_parquet" in table.extra["sql"]
    assert str(folder) not in table.extra["sql"]  # the path is a bound parameter
    check_all_levels(ruleset, table, "month")


def test_parquet_is_a_duckdb_setting(tmp_path: Path) -> None:
    from kpirules.plugin_api import SettingsError

    connector = load_registry(autoload=False).connectors["sql"]
    with pytest.raises(SettingsError, match="only with a duckdb:/// URL"):
        connector.validate({"url": "sqlite:///x.db", "parquet": "data/*.parquet"})
    with pytest.raises(SettingsError, match="exactly one"):
        connector.validate({"url": "duckdb:///:memory:", "parquet": "a.parquet", "table": "t"})


def matrix_table() -> Any:
    import polars as pl

    return pl.DataFrame(matrix.rows())
