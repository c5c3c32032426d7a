"""Dates and periods as real exports write them (interfaces §1): every form, day or month first
decided once per column, the first bad line in file order, --date-format."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

import kpirules
from kpirules.errors import DataError, OptionError
from support.cli import RunCli

MONTHLY = "ruleset r\nmetric visits\n"


def periods(values: list[object], grain: str = "month", **options: object) -> list[str]:
    rules = f"ruleset r\n  grain {grain}\nmetric visits\n"
    rows = [{"period": v, "visits": i} for i, v in enumerate(values, 1)]
    return kpirules.loads(rules).evaluate(rows, history=True, **options).to_dict()["periods"]


@pytest.mark.parametrize(("values", "expected"), [
    (["2026-03-17", "2026-04-01"], ["2026-03", "2026-04"]),
    (["2026/03/17", "2026/04/01"], ["2026-03", "2026-04"]),
    (["20260317", "20260401"], ["2026-03", "2026-04"]),
    (["17/03/2026", "01/04/2026"], ["2026-03", "2026-04"]),
    (["03-17-2026", "04-01-2026"], ["2026-03", "2026-04"]),
    (["17.03.26", "01.04.26"], ["2026-03", "2026-04"]),
    (["31.08.2023", "01.09.2023"], ["2023-08", "2023-09"]),
    (["2023/08/31", "2023/09/01"], ["2023-08", "2023-09"]),
    (["31-08-2023", "01-09-2023"], ["2023-08", "2023-09"]),
    (["2026-03-17T08:26", "2026-04-01T23:59:59+02:00"], ["2026-03", "2026-04"]),
    (["12/1/10 8:26", "12/13/10 17:02"], ["2010-12"]),
    (["3/31/2026 8:26 PM", "4/1/2026 9:00 AM"], ["2026-03", "2026-04"]),
    (["2026-03", "2026-04"], ["2026-03", "2026-04"]),
    (["202603", "202604"], ["2026-03", "2026-04"]),
    (["03/2026", "04/2026"], ["2026-03", "2026-04"]),
    (["03-2026", "04-2026"], ["2026-03", "2026-04"]),
    (["mars 2026", "avril 2026"], ["2026-03", "2026-04"]),
    (["janv. 2026", "févr. 2026"], ["2026-01", "2026-02"]),
    (["Jan 2026", "FEB 2026"], ["2026-01", "2026-02"]),
    (["January 2026", "february 2026"], ["2026-01", "2026-02"]),
    (["décembre 2025", "Août 2026"], ["2025-12", *[f"2026-{m:02d}" for m in range(1, 9)]]),
    ([202603, 202604], ["2026-03", "2026-04"]),
])
def test_every_listed_form_is_read(values: list[object], expected: list[str]) -> None:
    assert periods(values) == expected


@pytest.mark.parametrize(("values", "expected"), [
    (["2026-Q1", "2026-Q2"], ["2026-Q1", "2026-Q2"]),
    (["Q1 2026", "Q2 2026"], ["2026-Q1", "2026-Q2"]),
    (["T1 2026", "T2 2026"], ["2026-Q1", "2026-Q2"]),
    (["2026-03", "2026-04"], ["2026-Q1", "2026-Q2"]),
])
def test_quarters(values: list[object], expected: list[str]) -> None:
    assert periods(values, "quarter") == expected


def test_weeks_and_years() -> None:
    assert periods(["2026-W05", "2026-W06"], "week") == ["2026-W05", "2026-W06"]
    assert periods(["2026W05", "2026W06"], "week") == ["2026-W05", "2026-W06"]
    assert periods(["2025", "2026"], "year") == ["2025", "2026"]
    assert periods([2025, 2026], "year") == ["2025", "2026"]


def test_a_day_above_12_first_means_day_first_for_the_whole_column() -> None:
    # 03/01 alone could be March 1st; 17/01 says the column is day first
    assert periods(["03/01/2026", "17/01/2026", "05/02/2026"]) == ["2026-01", "2026-02"]


def test_a_second_number_above_12_means_month_first() -> None:
    # the US export of the issue: 11/8/2018 is November, not August
    assert periods(["11/8/2018", "11/28/2018"]) == ["2018-11"]


def test_monthly_exports_on_the_1st_are_month_first_when_the_second_number_is_constant() -> None:
    # 1/1/2024, 2/1/2024, 3/1/2024: a US monthly export, not three days of January
    assert periods(["1/1/2024", "2/1/2024", "3/1/2024"]) == ["2024-01", "2024-02", "2024-03"]


def test_monthly_exports_on_the_1st_day_first() -> None:
    assert periods(["01/03/2026", "01/04/2026"]) == ["2026-03", "2026-04"]


def test_ambiguous_column_is_an_error_showing_both_readings() -> None:
    with pytest.raises(DataError) as err:
        periods(["03/04/2026", "05/06/2026"])
    message = str(err.value)
    assert "03/04/2026" in message and "2026-04-03" in message and "2026-03-04" in message
    # the option is data: the engine names no flag, each layer words it (tests/test_option_hints.py)
    assert [(h.option, h.values) for h in err.value.hints] == [("date_format", ("DMY",))]
    assert "--" not in message and 'date_format="DMY"' in message
    assert ":1" in message or "row 1" in message


def test_both_numbers_above_12_somewhere_is_an_error() -> None:
    with pytest.raises(DataError, match="mixes day first"):
        periods(["13/01/2026", "01/13/2026"])


@pytest.mark.parametrize(("date_format", "expected"), [
    ("DMY", ["2026-04", "2026-05", "2026-06"]), ("MDY", ["2026-03", "2026-04", "2026-05"]),
    ("mdy", ["2026-03", "2026-04", "2026-05"]),
])
def test_date_format_decides(date_format: str, expected: list[str]) -> None:
    assert periods(["03/04/2026", "05/06/2026"], date_format=date_format) == expected


def test_date_format_wins_over_detection() -> None:
    assert periods(["03/01/2026", "03/02/2026"], date_format="MDY") == ["2026-03"]


def test_a_strftime_pattern() -> None:
    assert periods(["2026|17|03", "2026|01|04"], date_format="%Y|%d|%m") == ["2026-03", "2026-04"]
    with pytest.raises(DataError, match=r'"2026-04-01" in column "period" does not match the date format'):
        periods(["2026|17|03", "2026-04-01"], date_format="%Y|%d|%m")


def test_a_bad_date_format_is_a_usage_error() -> None:
    with pytest.raises(OptionError, match="date_format") as err:
        periods(["2026-03"], date_format="DD/MM")
    assert err.value.option == "date_format"


def test_every_value_has_the_same_form() -> None:
    with pytest.raises(DataError, match='"2026-04" in column "period" is not written like "202603"'):
        periods(["202603", "2026-04"])


@pytest.mark.parametrize(("values", "message"), [
    (["31/02/2026", "01/03/2026"], "not a date of the calendar"),
    (["2026-13", "2026-12"], "a month is 01 to 12"),
    (["Q5 2026"], "a quarter is Q1 to Q4"),
    (["2026-W54"], "ISO week"),
    (["brumaire 2026"], "a month is 01 to 12"),
    (["soon"], "is not a date or a period"),
])
def test_impossible_values_are_refused(values: list[str], message: str) -> None:
    grain = "week" if "W" in values[0] else "quarter" if "Q" in values[0] else "month"
    with pytest.raises(DataError, match=message):
        periods(values, grain)


def test_coarser_than_the_grain_is_refused() -> None:
    with pytest.raises(DataError, match="coarser than the ruleset's grain"):
        periods(["2026-Q1"], "month")


def test_the_first_bad_line_in_file_order_every_run(tmp_path: Path) -> None:
    lines = ["period,visits", "2026-01,1", "oops,2"] + [f"bad{i},3" for i in range(200)]
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n")
    rs = kpirules.loads(MONTHLY)
    for _ in range(5):
        with pytest.raises(DataError) as err:
            rs.evaluate(str(path))
        assert str(err.value).startswith(f"{path}:3:1:")


def test_empty_period_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("period,visits\n2026-01,1\n,2\n2026-03,3\n")
    with pytest.raises(DataError, match=r":3:1: empty period"):
        kpirules.loads(MONTHLY).evaluate(str(path))


@pytest.mark.parametrize("name", ["Date", "DATE", " Mois ", "Période", "periode", "Semaine", "Jour",
                                  "Trimestre", "Année", "Month", "Quarter", "Year"])
def test_period_column_found_without_case_or_accents(name: str) -> None:
    frame = pl.DataFrame({"visits": [1.0, 2.0], name: ["2026-01", "2026-02"]})
    rules = "ruleset r\n  grain quarter\nmetric visits\n" if name.strip().lower() in ("trimestre", "quarter") \
        else "ruleset r\n  grain year\nmetric visits\n" if name.strip().lower() in ("année", "year") else MONTHLY
    result = kpirules.loads(rules).evaluate(frame, history=True)
    assert result.value("visits", period=result.to_dict()["periods"][-1]) is not None


def test_period_column_names_in_the_spec_order_whatever_the_column_order() -> None:
    frame = pl.DataFrame({"Mois": ["x", "y"], "Date": ["2026-01-05", "2026-02-05"], "visits": [1.0, 2.0]})
    assert kpirules.loads(MONTHLY).evaluate(frame, history=True).to_dict()["periods"] == ["2026-01", "2026-02"]


@pytest.mark.slow
def test_cli_date_format_and_job_source_date_format(run_cli: RunCli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.kpi").write_text(MONTHLY)
    (tmp_path / "d.csv").write_text("Date,visits\n03/04/2026,1\n05/06/2026,2\n")
    code = run_cli("eval", str(tmp_path / "r.kpi"), "--data", str(tmp_path / "d.csv"), "--format", "json").code
    assert code == 3
    err = capsys.readouterr().err
    assert "d.csv:2:1" in err and "--date-format" in err
    code = run_cli("eval", str(tmp_path / "r.kpi"), "--data", str(tmp_path / "d.csv"), "--format", "json",
                    "--date-format", "MDY", "--history").code
    assert code == 0
    assert '"as_of": "2026-05"' in capsys.readouterr().out
    (tmp_path / "kpirules.toml").write_text(
        'rulesets = ["r.kpi"]\nstate = "s.sqlite"\n[sources.web]\nconnector = "csv"\npath = "d.csv"\n'
        'date_format = "%m/%d/%Y"\n')
    assert run_cli("run", "--config", str(tmp_path / "kpirules.toml")).code == 0
    (tmp_path / "kpirules.toml").write_text(
        'rulesets = ["r.kpi"]\nstate = "s.sqlite"\n[sources.web]\nconnector = "csv"\npath = "d.csv"\n'
        'date_format = "DD/MM"\n')
    assert run_cli("run", "--config", str(tmp_path / "kpirules.toml")).code == 2
    assert "date_format" in capsys.readouterr().err


@pytest.mark.slow
def test_many_distinct_datetimes_are_read_without_a_loop_per_value() -> None:
    # 20,000 distinct UCI-style date-times: read as one column, month first (13/…: never)
    values = [f"{m}/{d}/11 {h}:{mi:02d}" for m in (1, 2) for d in range(1, 29) for h in range(8, 20)
              for mi in range(0, 60, 2)]
    assert len(set(values)) > 20_000
    assert periods(values) == ["2011-01", "2011-02"]


@pytest.mark.parametrize("period", ["févr. 2026", "02/2026", "Feb 2026", "2026-02"])
def test_period_option_takes_the_forms_of_the_data(period: str) -> None:
    rows = [{"Mois": m, "visits": i} for i, m in enumerate(["janv. 2026", "févr. 2026", "mars 2026"], 1)]
    result = kpirules.loads(MONTHLY).evaluate(rows, period=period)
    assert result.to_dict()["as_of"] == "2026-02" and result.value("visits") == 2


@pytest.mark.slow
def test_sql_source_date_format(tmp_path: Path) -> None:
    import sqlite3

    from kpirules.builtin.sql import SqlConnector
    from kpirules.plugin_api import SettingsError, SourceContext

    db = tmp_path / "d.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("create table t (Date text, visits real)")
        conn.executemany("insert into t values (?, ?)", [("03/04/2026", 1), ("05/06/2026", 2)])
    settings = {"url": f"sqlite:///{db}", "query": "select * from t", "date_format": "MDY"}
    SqlConnector().validate(settings)
    table = SqlConnector().read(settings, SourceContext(source="db", metrics={"visits": "sum"}))
    result = kpirules.loads(MONTHLY).evaluate(table, history=True)
    assert result.to_dict()["periods"] == ["2026-03", "2026-04", "2026-05"]
    with pytest.raises(SettingsError, match="date_format"):
        SqlConnector().validate({**settings, "date_format": "MM/DD"})


# docs/language.md's table of US, French and ISO forms: each value it lists is read as it says
LANGUAGE_DOC = (Path(__file__).resolve().parents[2] / "docs" / "language.md").read_text(encoding="utf-8")
DOC_FORMS = [(export, value) for export in ("ISO", "French", "US")
             for line in LANGUAGE_DOC.splitlines() if line.startswith(f"| {export} |")
             for value in re.findall(r"`([^`]+)`", line)]
#: what each form of the table means (a value alone: the table's export says day or month first)
DOC_PERIODS = {"2026-Q1": "2026-Q1", "T1 2026": "2026-Q1", "Q1 2026": "2026-Q1", "2026-W05": "2026-W05",
               "2026W05": "2026-W05", "2026": "2026", "12/1/10 8:26 PM": "2010-12", "janv. 2026": "2026-01",
               "Févr 2026": "2026-02", "Jan 2026": "2026-01", "January 2026": "2026-01"}


def test_the_language_reference_lists_forms_of_every_export() -> None:
    assert {export for export, _ in DOC_FORMS} == {"ISO", "French", "US"}
    assert len(DOC_FORMS) >= 20


@pytest.mark.parametrize(("export", "value"), DOC_FORMS, ids=[f"{e}:{v}" for e, v in DOC_FORMS])
def test_every_form_the_language_reference_lists_is_read(export: str, value: str) -> None:
    expected = DOC_PERIODS.get(value, "2026-03")
    grain = {"Q": "quarter", "W": "week"}.get(expected[5:6], "year" if len(expected) == 4 else "month")
    order = {"French": "DMY", "US": "MDY"}.get(export)
    assert periods([value], grain, **({"date_format": order} if order else {})) == [expected]
