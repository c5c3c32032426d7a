"""Data in (interfaces §1): dialects, encodings, periods, bad cells, rollups, joins."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest

import kpirules
from kpirules.data.readers import read_file
from kpirules.data.table import RawTable
from kpirules.errors import DataError, UsageError

from .helpers import evaluate, row, values

RULES = "ruleset t\ndimension canal\nmetric visites\nmetric depenses unit EUR\nkpi cpv = depenses / visites\n"


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
def test_french_csv_is_detected(tmp_path: Path, encoding: str) -> None:
    text = "mois;canal;visites;depenses\r\n2026-03;Référencement;1 000;1.234,50\r\n2026-03;Réseaux;500;0,5\r\n"
    path = write(tmp_path, "fr.csv", text.encode(encoding))
    doc = kpirules.loads(RULES).evaluate(path, period_column="mois").to_dict()
    assert row(doc)["values"]["visites"] == 1500
    assert math.isclose(row(doc, canal="Référencement")["values"]["depenses"], 1234.5)
    assert row(doc, canal="Réseaux")["values"]["depenses"] == 0.5


def test_separator_decimal_and_encoding_can_be_forced(tmp_path: Path) -> None:
    path = write(tmp_path, "x.txt", b"month|canal|visites|depenses\n2026-01|a|10|2,5\n")
    table = read_file(f"csv:{path}", sep="|", decimal=",", encoding="utf-8")
    doc = kpirules.loads(RULES).evaluate(table).to_dict()
    assert row(doc)["values"]["depenses"] == 2.5


def test_a_bad_cell_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", b"month,canal,visites,depenses\n2026-01,a,10,5\n2026-02,a,abc,5\n")
    with pytest.raises(DataError) as err:
        kpirules.loads(RULES).evaluate(path)
    assert err.value.where == f"{path}:3:3"
    assert '"abc"' in str(err.value) and "visites" in str(err.value)


def test_on_bad_value_null_counts_the_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", b"month,canal,visites,depenses\n2026-01,a,x,5\n2026-01,b,y,5\n")
    doc = kpirules.loads(RULES).evaluate(path, on_bad_value="null").to_dict()
    assert doc["bad_values"] == 2
    assert row(doc)["values"]["visites"] is None


def test_null_markers(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", b"month,canal,visites,depenses\n2026-01,a,n/a,5\n2026-01,b,4,-\n")
    table = read_file(path, null_values=("n/a", "-"))
    doc = kpirules.loads(RULES).evaluate(table).to_dict()
    assert row(doc)["values"]["visites"] == 4 and row(doc)["values"]["depenses"] == 5


def test_numeric_column_that_is_not_a_metric_is_ignored_with_a_warning() -> None:
    rows = [{"month": "2026-01", "canal": "a", "visites": 1, "depenses": 2, "visits": 3}]
    result = kpirules.loads(RULES).evaluate(rows)
    assert any('"visits"' in w for w in map(str, result.warnings))
    assert result.to_dict()["dimensions"] == ["canal"]


def test_metric_supplied_by_no_column_is_null_with_a_warning() -> None:
    result = kpirules.loads(RULES).evaluate([{"month": "2026-01", "visites": 1}])
    assert any('"depenses"' in w for w in map(str, result.warnings))
    assert result.value("depenses") is None


@pytest.mark.parametrize(("grain", "periods", "expected"), [
    ("month", ["2026-01-05", "2026-01-31T23:59:00", "2026-02-01"], ["2026-01", "2026-02"]),
    ("quarter", ["2026-01", "2026-03", "2026-04"], ["2026-Q1", "2026-Q2"]),
    ("quarter", ["2026-01-31", "2026-03-31", "2026-04-30"], ["2026-Q1", "2026-Q2"]),
    ("year", ["2025-Q4", "2026-Q3"], ["2025", "2026"]),
    ("week", ["2026-01-01", "2026-01-05"], ["2026-W01", "2026-W02"]),
    ("day", ["2026-03-01", "2026-03-03"], ["2026-03-01", "2026-03-02", "2026-03-03"]),
    ("month", ["2026-W05", "2025-W01"], [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01"]),
    ("month", ["202601", "202602", "202603"], ["2026-01", "2026-02", "2026-03"]),
    ("month", ["20260115", "20260215"], ["2026-01", "2026-02"]),
    ("month", ["15/01/2026", "31/03/2026"], ["2026-01", "2026-02", "2026-03"]),
])
def test_periods_map_to_the_grain(grain: str, periods: list[str], expected: list[str]) -> None:
    rows = [{"period": p, "x": 1} for p in periods]
    doc = evaluate(f"ruleset t\n  grain {grain}\nmetric x\n", rows, history=True)
    assert doc["periods"] == expected


def test_datetime_and_date_columns() -> None:
    from datetime import date, datetime

    frame = pl.DataFrame({"date": [date(2026, 1, 3), date(2026, 2, 1)], "x": [1.0, 2.0]})
    assert kpirules.loads("ruleset t\nmetric x\n").evaluate(frame, history=True).to_dict()["periods"] == \
        ["2026-01", "2026-02"]
    frame = pl.DataFrame({"date": [datetime(2026, 1, 3, 10), datetime(2026, 1, 3, 9)], "x": [1.0, 2.0]})
    doc = kpirules.loads("ruleset t\nmetric x agg last\n").evaluate(frame).to_dict()
    assert row(doc)["values"]["x"] == 1  # the later time of day wins, whatever the row order


def test_coarser_data_than_the_grain_is_an_error() -> None:
    with pytest.raises(DataError, match="coarser"):
        evaluate("ruleset t\n  grain week\nmetric x\n", [{"period": "2026-03", "x": 1}])


def test_a_period_that_is_not_one_is_an_error_with_a_position(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", b"month,x\n2026-01,1\n2026-13,2\n")
    with pytest.raises(DataError) as err:
        kpirules.loads("ruleset t\nmetric x\n").evaluate(path)
    assert err.value.where == f"{path}:3:1"


def test_missing_period_column_is_explained() -> None:
    with pytest.raises(DataError, match="period column"):
        evaluate("metric x\n", [{"when": "2026-01", "x": 1}])


def test_rollups_by_agg_ignore_nulls_and_follow_time_order() -> None:
    rows = [
        {"date": "2026-01-20", "s": 2, "a": 10, "lo": 5, "hi": 5, "f": 7, "l": 9},
        {"date": "2026-01-05", "s": None, "a": 20, "lo": 1, "hi": 8, "f": 3, "l": 4},
        {"date": "2026-01-25", "s": 3, "a": None, "lo": None, "hi": None, "f": None, "l": None},
    ]
    rules = "metric s\nmetric a agg avg\nmetric lo agg min\nmetric hi agg max\nmetric f agg first\nmetric l agg last\n"
    got = row(evaluate(rules, rows))["values"]
    assert got == {"s": 5, "a": 15, "lo": 1, "hi": 8, "f": 3, "l": 9}


def test_all_null_inputs_roll_up_to_null_and_missing_fills_them() -> None:
    rows = [{"period": "2026-01", "x": None, "y": None}, {"period": "2026-03", "x": 1, "y": 1}]
    doc = evaluate("metric x\nmetric y missing 0\n", rows, history=True)
    assert values(doc, "x") == [None, None, 1]
    assert values(doc, "y") == [0, 0, 1]


def test_across_segments_avg_is_the_mean_of_input_rows_and_last_is_a_sum() -> None:
    rows = [
        {"period": "2026-01", "c": "a", "nps": 10, "stock": 5},
        {"period": "2026-01", "c": "a", "nps": 20, "stock": 6},
        {"period": "2026-01", "c": "b", "nps": 60, "stock": 100},
    ]
    doc = evaluate("dimension c\nmetric nps agg avg\nmetric stock agg last\n", rows)
    assert row(doc)["values"] == {"nps": 30, "stock": 106}
    assert row(doc, c="a")["values"] == {"nps": 15, "stock": 6}


def test_by_subset_rolls_other_dimensions_up_and_none_keeps_overall_only() -> None:
    rows = [
        {"period": "2026-01", "ch": "ads", "camp": "x", "v": 1},
        {"period": "2026-01", "ch": "ads", "camp": "y", "v": 2},
        {"period": "2026-01", "ch": "seo", "camp": "z", "v": 4},
    ]
    rs = kpirules.loads("ruleset t\nmetric v\n")
    doc = rs.evaluate(rows, by=["ch"]).to_dict()
    assert doc["dimensions"] == ["ch"]
    assert [(r["segment"], r["values"]["v"]) for r in doc["rows"]] == [
        ({}, 7), ({"ch": "ads"}, 3), ({"ch": "seo"}, 4)]
    doc = rs.evaluate(rows, by="none").to_dict()
    assert doc["dimensions"] == [] and len(doc["rows"]) == 1
    with pytest.raises(UsageError):
        rs.evaluate(rows, by=["country"])


def test_tables_join_on_period_and_shared_dimensions() -> None:
    web = RawTable(pl.DataFrame({"month": ["2026-01", "2026-01"], "ch": ["a", "b"], "visits": [10.0, 20.0]}), "web")
    crm = RawTable(pl.DataFrame({"month": ["2026-01"], "ch": ["a"], "leads": [5.0]}), "crm")
    rs = kpirules.loads("ruleset t\nmetric visits\nmetric leads\nkpi cr = leads / visits\n")
    doc = rs.evaluate([web, crm]).to_dict()
    assert row(doc, ch="a")["values"]["cr"] == 0.5
    assert row(doc, ch="b")["values"]["leads"] is None
    twice = RawTable(pl.DataFrame({"month": ["2026-01"], "visits": [1.0]}), "other")
    with pytest.raises(DataError, match="two sources"):
        rs.evaluate([web, twice])


@pytest.mark.slow
def test_in_memory_inputs_dict_pandas_and_rows() -> None:
    import pandas as pd

    rs = kpirules.loads("ruleset t\nmetric spend\nmetric customers\nkpi cac = spend / customers\n")
    assert rs.evaluate({"spend": 200000, "customers": 20}).value("cac") == 10000
    frame = pd.DataFrame({"month": ["2026-01"], "spend": [10.0], "customers": [2]})
    assert rs.evaluate(frame).value("cac") == 5
    assert rs.evaluate([{"month": "2026-01", "spend": 9, "customers": 3}]).value("cac") == 3


@pytest.mark.slow
@pytest.mark.parametrize(("suffix", "writer"), [
    (".jsonl", lambda f, p: f.write_ndjson(p)),
    (".parquet", lambda f, p: f.write_parquet(p)),
    (".json", lambda f, p: Path(p).write_text(f.write_json())),
])
def test_other_file_kinds(tmp_path: Path, suffix: str, writer) -> None:  # type: ignore[no-untyped-def]
    frame = pl.DataFrame({"month": ["2026-01", "2026-02"], "x": [1.0, 2.0]})
    path = str(tmp_path / f"d{suffix}")
    writer(frame, path)
    assert kpirules.loads("ruleset t\nmetric x\n").evaluate(path).value("x") == 2
