"""The built-in file and SQL connectors (SQLite here; PostgreSQL in its own file)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import polars as pl
import pytest

from kpirules.data.table import RawTable
from kpirules.errors import DataError
from kpirules.plugin_api import SettingsError, SourceContext
from kpirules.plugins import load_registry

REGISTRY = load_registry(autoload=False)
METRICS = {"visits": "sum", "nps": "avg", "low": "min", "high": "max"}


def ctx(tmp_path: Path, metrics: dict[str, str] | None = None, **kw: object) -> SourceContext:
    return SourceContext(source="web", metrics=metrics or METRICS, dimensions=("channel",),
                         base_dir=tmp_path, grain="month", **kw)  # type: ignore[arg-type]


def read(name: str, settings: dict[str, object], context: SourceContext) -> RawTable:
    connector = REGISTRY.connectors[name]
    connector.validate(settings)
    return connector.read(settings, context)


ROWS = [
    {"month": "2026-01", "channel": "paid", "visits": 10},
    {"month": "2026-02", "channel": "paid", "visits": 12},
]


def test_csv_connector_passes_its_options_to_the_reader(tmp_path: Path) -> None:
    (tmp_path / "web.csv").write_bytes("mois;canal;visits\n2026-01;payé;1 234,5\n2026-02;payé;n/a\n"
                                       .encode("cp1252"))
    settings = {"path": str(tmp_path / "web.csv"), "sep": ";", "decimal": ",",
                "encoding": "cp1252", "null_values": ["n/a"], "period_column": "mois",
                "dimensions": ["canal"]}
    table = read("csv", settings, ctx(tmp_path))
    assert table.period_column == "mois" and table.decimal == ","
    assert "n/a" in table.null_values and "canal" in table.dimensions
    assert table.frame["canal"].to_list() == ["payé", "payé"]


@pytest.mark.parametrize("kind", ["jsonl", "json", "parquet"])
def test_other_file_kinds(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"web.{kind}"
    if kind == "jsonl":
        path.write_text("\n".join(json.dumps(r) for r in ROWS))
    elif kind == "json":
        path.write_text(json.dumps(ROWS))
    else:
        pl.DataFrame(ROWS).write_parquet(path)
    table = read(kind, {"path": str(path)}, ctx(tmp_path))
    assert table.frame.height == 2
    assert [float(v) for v in table.frame["visits"].to_list()] == [10.0, 12.0]


def test_file_settings_are_checked(tmp_path: Path) -> None:
    csv = REGISTRY.connectors["csv"]
    with pytest.raises(SettingsError, match=r'perod_column: unknown setting .*did you mean "period_column"'):
        csv.validate({"path": "x.csv", "perod_column": "day"})
    with pytest.raises(SettingsError, match="path: no such file"):
        csv.validate({"path": str(tmp_path / "missing.csv")})
    with pytest.raises(SettingsError, match="path: missing"):
        csv.validate({})
    (tmp_path / "a.csv").write_text("x\n")
    with pytest.raises(SettingsError, match="sep: must be one character"):
        csv.validate({"path": str(tmp_path / "a.csv"), "sep": ";;"})
    with pytest.raises(SettingsError, match="unknown setting"):  # sep is for CSV only
        REGISTRY.connectors["json"].validate({"path": str(tmp_path / "a.csv"), "sep": ";"})


# -- SQL on SQLite -----------------------------------------------------------------

def make_sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute('CREATE TABLE "web traffic" (day TEXT, channel TEXT, visits INTEGER, nps REAL, '
               'low REAL, high REAL, note_id INTEGER)')
    db.executemany('INSERT INTO "web traffic" VALUES (?, ?, ?, ?, ?, ?, ?)', [
        ("2026-01-05", "paid", 10, 8.0, 1, 5, 1),
        ("2026-01-05", "paid", 20, 6.0, 2, 9, 2),
        ("2026-01-05", "organic", 5, None, 3, 3, 3),
        ("2026-01-06", "paid", 1, 10.0, 0.5, 1, 4),
    ])
    db.commit()
    db.close()


def test_sql_table_pushes_the_rollup_down(tmp_path: Path) -> None:
    make_sqlite(tmp_path / "kpi.db")
    settings = {"url": "sqlite:///kpi.db", "table": "web traffic", "period_column": "day",
                "dimensions": ["channel"]}
    table = read("sql", settings, ctx(tmp_path))
    assert table.pre_aggregated and table.extra["pushed_down"]
    assert "GROUP BY" in table.extra["sql"]
    rows = {(r["day"], r["channel"]): r for r in table.frame.to_dicts()}
    assert set(rows) == {("2026-01-05", "paid"), ("2026-01-05", "organic"), ("2026-01-06", "paid")}
    paid = rows[("2026-01-05", "paid")]
    assert paid["visits"] == 30 and paid["low"] == 1 and paid["high"] == 9
    assert paid["nps"] == 7.0 and paid["__count__nps"] == 2  # avg: AVG and COUNT
    organic = rows[("2026-01-05", "organic")]
    assert organic["nps"] is None and organic["__count__nps"] == 0
    assert "note_id" not in table.frame.columns  # a numeric non-metric column is not a dimension


def test_sql_table_dimensions_default_to_text_columns(tmp_path: Path) -> None:
    make_sqlite(tmp_path / "kpi.db")
    table = read("sql", {"url": "sqlite:///kpi.db", "table": "web traffic"}, ctx(tmp_path))
    assert table.period_column == "day" and table.dimensions == ("channel",)


def test_sql_table_renamed_columns_are_metrics(tmp_path: Path) -> None:
    make_sqlite(tmp_path / "kpi.db")
    table = read("sql", {"url": "sqlite:///kpi.db", "table": "web traffic"},
                 ctx(tmp_path, metrics={"sessions": "avg"}, rename={"visits": "sessions"}))
    row = next(r for r in table.frame.to_dicts() if r["channel"] == "paid" and r["day"] == "2026-01-05")
    assert row["visits"] == 15 and row["__count__sessions"] == 2  # the mean of 10 and 20


def test_sql_first_last_metrics_read_raw_rows(tmp_path: Path) -> None:
    make_sqlite(tmp_path / "kpi.db")
    table = read("sql", {"url": "sqlite:///kpi.db", "table": "web traffic"},
                 ctx(tmp_path, metrics={"visits": "sum", "high": "last"}))
    assert not table.pre_aggregated and table.frame.height == 4
    assert "GROUP BY" not in table.extra["sql"]


def test_sql_query_with_bound_parameters(tmp_path: Path) -> None:
    make_sqlite(tmp_path / "kpi.db")
    settings = {"url": f"sqlite:///{tmp_path / 'kpi.db'}",
                "query": 'SELECT day, channel, visits FROM "web traffic" WHERE channel = :ch',
                "params": {"ch": "paid' OR '1'='1"}}
    assert read("sql", settings, ctx(tmp_path)).frame.height == 0  # a value, never SQL
    settings["params"] = {"ch": "organic"}
    table = read("sql", settings, ctx(tmp_path))
    assert table.frame.to_dicts() == [{"day": "2026-01-05", "channel": "organic", "visits": 5}]
    assert not table.pre_aggregated


def test_sql_settings_are_checked(tmp_path: Path) -> None:
    sql = REGISTRY.connectors["sql"]
    with pytest.raises(SettingsError, match="exactly one"):
        sql.validate({"url": "sqlite://", "query": "select 1", "table": "t"})
    with pytest.raises(SettingsError, match="exactly one"):
        sql.validate({"url": "sqlite://"})
    with pytest.raises(SettingsError) as info:
        sql.validate({"url": "::not a url hunter2::", "table": "t"})
    assert "hunter2" not in str(info.value)


def test_sql_errors_are_data_errors_without_the_password(tmp_path: Path) -> None:
    make_sqlite(tmp_path / "kpi.db")
    with pytest.raises(DataError, match="no table 'nope'"):
        read("sql", {"url": "sqlite:///kpi.db", "table": "nope"}, ctx(tmp_path))
    with pytest.raises(DataError, match="source web"):
        read("sql", {"url": "sqlite:///kpi.db", "query": "SELECT nope FROM nothing"},
             ctx(tmp_path))
    with pytest.raises(DataError) as info:
        read("sql", {"url": "postgresql+psycopg://kpi:s3cretpw@127.0.0.1:1/none",
                     "query": "select 1"}, ctx(tmp_path))
    assert "s3cretpw" not in str(info.value)
