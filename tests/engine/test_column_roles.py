"""Which column is what (interfaces §1): numeric-looking text is never a dimension, a misspelt
metric names the column it meant, identifiers are ignored, true/false is not a number."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import kpirules
from kpirules.data.columns import holds_numbers, nearest_column
from kpirules.errors import DataError
from support.cli import RunCli

FRENCH_CSV = ("Mois;Canal;Dépenses\n"
              "2026-01;Réseaux sociaux;4 800,00\n"
              "2026-01;Search;1 200,50\n"
              "2026-02;Réseaux sociaux;5 100,00\n")


def test_a_misspelt_metric_never_splits_the_segments(tmp_path: Path) -> None:
    path = tmp_path / "fr.csv"
    path.write_text(FRENCH_CSV, encoding="utf-8")
    result = kpirules.loads("ruleset r\nmetric Depenses\n").evaluate(str(path), history=True)
    assert result.dimensions == ["Canal"]  # not "Dépenses": its cells are numbers (4 800,00)
    assert all("4 800" not in str(seg) for seg in result.to_polars()["Canal"].to_list())
    warnings = " ".join(map(str, result.warnings))
    assert '"Dépenses"' in warnings and "ignored" in warnings
    assert 'no column supplies metric "Depenses" (null); did you mean the column "Dépenses"? ' \
           "(write `Dépenses` or rename the column)" in map(str, result.warnings)


def test_the_right_name_reads_the_french_numbers(tmp_path: Path) -> None:
    path = tmp_path / "fr.csv"
    path.write_text(FRENCH_CSV, encoding="utf-8")
    result = kpirules.loads("ruleset r\nmetric `Dépenses`\n").evaluate(str(path), period="2026-01")
    assert result.value("Dépenses") == pytest.approx(6000.5)
    assert result.warnings == []


@pytest.mark.parametrize(("values", "decimal", "numeric"), [
    (["4 800,00", "1.200,5", "-3"], ",", True),
    (["4\u00a0800,00"], ",", True),
    (["1 234.5", "12"], ".", True),
    (["Réseaux sociaux", "12"], ",", False),
    (["n/a", "12"], ".", False),
])
def test_holds_numbers_in_the_files_number_style(values: list[str], decimal: str, numeric: bool) -> None:
    assert holds_numbers(pl.Series(values), decimal) is numeric


def test_null_markers_do_not_make_a_column_text() -> None:
    assert holds_numbers(pl.Series(["n/a", "12"]), ".", ("n/a",))


@pytest.mark.parametrize(("metric", "columns", "expected"), [
    ("depenses", ["Mois", "Dépenses (€)"], "Dépenses (€)"),
    ("Depenses", ["Mois", "Dépenses"], "Dépenses"),
    ("conversions", ["month", "conversion"], "conversion"),
    ("visits", ["month", "revenue"], None),
])
def test_nearest_column(metric: str, columns: list[str], expected: str | None) -> None:
    assert nearest_column(metric, columns) == expected


def test_a_text_column_with_more_than_1000_values_is_an_identifier() -> None:
    n = 3000
    frame = pl.DataFrame({
        "month": ["2026-01"] * (n // 2) + ["2026-02"] * (n // 2),
        "InvoiceNo": [f"INV{i}" for i in range(n)],
        "Country": ["FR", "DE", "UK"] * (n // 3),
        "sales": [1.0] * n,
    })
    result = kpirules.loads("ruleset r\nmetric sales\n").evaluate(frame)
    assert result.dimensions == ["Country"]
    assert result.to_polars().height == 4  # overall + 3 countries, not 3,000 invoices
    found = next(w for w in result.warnings if "InvoiceNo" in str(w))
    warning = str(found)
    assert "identifier" in warning and "dimensions=[...]" in warning and "count_distinct" in warning
    assert [h.option for h in found.message.hints] == ["dimensions"]  # eval says --dimension


def test_a_declared_identifier_is_still_a_dimension() -> None:
    n = 1500
    frame = pl.DataFrame({"month": ["2026-01"] * n, "code": [f"C{i}" for i in range(n)], "sales": [1.0] * n})
    result = kpirules.loads("ruleset r\ndimension code\nmetric sales\n").evaluate(frame)
    assert result.dimensions == ["code"]


def test_true_false_in_a_metric_column_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("month,visits\n2026-01,true\n2026-02,false\n")
    with pytest.raises(DataError, match=r'b.csv:2:2: "true" in column "visits" is not a number \(1 more'):
        kpirules.loads("ruleset r\nmetric visits\n").evaluate(str(path))
    result = kpirules.loads("ruleset r\nmetric visits\n").evaluate(str(path), on_bad_value="null")
    assert result.value("visits") is None and result.bad_values == 2


def test_a_boolean_column_is_not_an_ignored_number() -> None:
    frame = pl.DataFrame({"month": ["2026-01", "2026-01"], "promo": [True, False], "visits": [1.0, 2.0]})
    result = kpirules.loads("ruleset r\nmetric visits\n").evaluate(frame)
    assert result.dimensions == ["promo"]


@pytest.mark.slow
def test_warnings_are_printed_once_and_grouped(run_cli: RunCli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.kpi").write_text("ruleset r\nmetric visits\n")
    (tmp_path / "d.csv").write_text("month,channel,visits,a,b,c\n2026-01,paid,1,2,3,4\n")
    code = run_cli("eval", str(tmp_path / "r.kpi"), "--data", str(tmp_path / "d.csv")).code
    assert code == 0
    err = capsys.readouterr().err
    assert err.count("warning:") == 1, err
    assert '"a", "b", "c"' in err and "--ignore 'a' --ignore 'b' --ignore 'c'" in err


def test_no_warning_for_a_dimension_the_breakdown_does_not_use(run_cli: RunCli, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.kpi").write_text("ruleset r\nmetric visits\nmetric spend\n")
    (tmp_path / "v.csv").write_text("month,channel,region,visits\n2026-01,paid,north,1\n")
    (tmp_path / "s.csv").write_text("month,region,spend\n2026-01,north,5\n")
    args = ["eval", str(tmp_path / "r.kpi"), "--data", str(tmp_path / "v.csv"), "--data", str(tmp_path / "s.csv")]
    assert run_cli(*args, "--by", "region").code == 0
    assert "warning" not in capsys.readouterr().err
    assert run_cli(*args, "--by", "channel").code == 0
    assert "cannot be split by channel" in capsys.readouterr().err


def test_a_declared_dimension_the_data_lacks_splits_nothing_with_a_warning() -> None:
    rows = [{"month": "2026-01", "Region": "north", "visits": 1.0}]
    result = kpirules.loads("ruleset r\ndimension region\nmetric visits\n").evaluate(rows, by=None)
    assert 'no column supplies dimension "region": it splits nothing; did you mean the column "Region"? ' \
           "(write `Region` or rename the column)" in map(str, result.warnings)
    quiet = kpirules.loads("ruleset r\ndimension region\nmetric visits\n").evaluate(rows, by="none")
    assert not any("region" in w for w in map(str, quiet.warnings))  # a breakdown that does not use it: no news
