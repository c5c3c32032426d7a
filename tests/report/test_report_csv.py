"""The ``csv`` and ``csv-fr`` formats."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from kpirules.report import BUILTIN_FORMATS, RenderOptions

EXPECTED_HEADER = [
    "period", "channel",
    "visits", "leads", "customers", "revenue", "spend", "session_time",
    "conversion_rate", "cac", "roi", "revenue_per_visit",
    "status.conversion_rate", "status.cac",
    "decision.verdict",
    "rule.stop_channel", "rule.cac_alert",
]  # fmt: skip


def render(name: str, doc: dict[str, Any]) -> str:
    return BUILTIN_FORMATS[name].render(doc, RenderOptions())


def read(text: str, delimiter: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter))


def test_header_lists_period_dimensions_values_statuses_decisions_rules(
    doc: dict[str, Any],
) -> None:
    first_line = render("csv", doc).splitlines()[0]
    assert first_line.split(",") == EXPECTED_HEADER


def test_one_line_per_row_with_raw_values(history_doc: dict[str, Any]) -> None:
    records = read(render("csv", history_doc), ",")
    assert len(records) == len(history_doc["rows"])
    for record, row in zip(records, history_doc["rows"], strict=True):
        assert record["period"] == row["period"]
        assert record["channel"] == row["segment"].get("channel", "")
        for name, value in row["values"].items():
            if value is None:
                assert record[name] == ""
            else:
                assert float(record[name]) == value  # exact: no rounding for machines
        for name, status in row["status"].items():
            assert record[f"status.{name}"] == status
        verdict = row["decisions"]["verdict"]
        assert record["decision.verdict"] == ("" if verdict is None else verdict)
        for name, fires in row["rules"].items():
            assert record[f"rule.{name}"] == ("true" if fires else "false")


def test_overall_row_comes_first_with_empty_dimensions(doc: dict[str, Any]) -> None:
    records = read(render("csv", doc), ",")
    assert [r["channel"] for r in records] == ["", "Réseaux sociaux", "display", "paid", "seo"]


def test_plain_csv_is_read_by_polars_as_numbers(history_doc: dict[str, Any]) -> None:
    import polars as pl

    frame = pl.read_csv(io.BytesIO(render("csv", history_doc).encode("utf-8")))
    assert frame.height == len(history_doc["rows"])
    assert frame.schema["conversion_rate"] == pl.Float64
    assert frame.schema["visits"] == pl.Int64
    seo = frame.filter((pl.col("channel") == "seo") & (pl.col("period") == "2026-06"))
    assert seo["cac"].to_list() == [None]


def test_csv_fr_is_for_french_excel(doc: dict[str, Any]) -> None:
    text = render("csv-fr", doc)
    raw = text.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    header = text.removeprefix("\ufeff").splitlines()[0]
    assert header.split(";") == EXPECTED_HEADER
    records = read(text, ";")
    overall = records[0]
    assert overall["conversion_rate"].startswith("0,")
    assert "." not in overall["conversion_rate"]
    assert (
        float(overall["conversion_rate"].replace(",", "."))
        == doc["rows"][0]["values"]["conversion_rate"]
    )
    assert overall["session_time"] == "95,5"
    assert overall["visits"] == str(doc["rows"][0]["values"]["visits"])  # no thousands separator
    assert [r["rule.stop_channel"] for r in records] == ["FAUX", "FAUX", "VRAI", "FAUX", "FAUX"]
    assert records[1]["channel"] == "Réseaux sociaux"
    assert float(records[1]["cac"].replace(",", ".")) == doc["rows"][1]["values"]["cac"]


def test_csv_fr_is_read_back_by_polars_with_decimal_commas(doc: dict[str, Any]) -> None:
    import polars as pl

    data = render("csv-fr", doc).encode("utf-8").removeprefix(b"\xef\xbb\xbf")
    frame = pl.read_csv(io.BytesIO(data), separator=";", decimal_comma=True)
    assert frame.schema["roi"] == pl.Float64
    assert frame["roi"].to_list()[0] == pytest.approx(doc["rows"][0]["values"]["roi"], rel=1e-15)


@pytest.mark.parametrize(("name", "delimiter"), [("csv", ","), ("csv-fr", ";")])
def test_separators_in_text_are_quoted(doc: dict[str, Any], name: str, delimiter: str) -> None:
    doc["rows"][1]["segment"] = {"channel": 'Ads; "search", FR'}
    records = read(render(name, doc), delimiter)
    assert records[1]["channel"] == 'Ads; "search", FR'
    assert len(records) == 5


def test_non_finite_numbers_are_empty_cells(doc: dict[str, Any]) -> None:
    doc["rows"][0]["values"]["roi"] = float("nan")
    doc["rows"][1]["values"]["roi"] = float("inf")
    records = read(render("csv", doc), ",")
    assert records[0]["roi"] == "" and records[1]["roi"] == ""


@pytest.mark.parametrize("name", ["csv", "csv-fr"])
@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x","clic")', "+1+2", "-2+3", "@SUM(A1)",
                                  "\tcmd", "\rcmd"])
def test_formula_cells_are_neutralised(doc: dict[str, Any], name: str, evil: str) -> None:
    segment = next(row for row in doc["rows"] if row["segment"])["segment"]
    dimension = next(iter(segment))
    segment[dimension] = evil
    delimiter = "," if name == "csv" else ";"
    records = read(render(name, doc), delimiter)
    cells = [r[dimension] for r in records]
    assert "'" + evil in cells
    assert evil not in cells


@pytest.mark.parametrize("name", ["csv", "csv-fr"])
def test_negative_numbers_are_not_touched(doc: dict[str, Any], name: str) -> None:
    row = next(row for row in doc["rows"] if row["segment"])
    row["values"]["roi"] = -0.25
    segment = row["segment"]
    segment[next(iter(segment))] = "-12"
    text = render(name, doc)
    assert "'-" not in text
    assert ("-0.25" if name == "csv" else "-0,25") in text
