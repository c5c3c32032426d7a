"""The xlsx connector: sheets, French headers, dates, and a full evaluation."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import kpirules
import openpyxl
import pytest
from kpirules.plugin_api import DataError, RawTable, SettingsError
from kpirules.testing import assert_cheap_import, source_context

from kpirules_xlsx.connector import XlsxConnector, normalize

RULES = """
ruleset ventes "Ventes"
  grain month

dimension canal

metric visites unit count
metric commandes unit count
metric cout_marketing unit EUR

kpi conversion = commandes / visites unit percent
kpi cout_par_commande = cout_marketing / commandes unit EUR
"""


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes["A1"] = "Export du CRM"
    sheet = book.create_sheet("2026")
    sheet.append(["Rapport mensuel"])  # a title row above the header
    sheet.append(["Période", "Canal", "Visites", "Commandes", "Coût marketing (€)"])
    sheet.append([dt.datetime(2026, 1, 1), "Payant", 1000, 20, 500.5])
    sheet.append([dt.datetime(2026, 1, 1), "Organique", 3000, 30, None])
    sheet.append([dt.datetime(2026, 2, 1), "Payant", 1200, 30, 600])
    sheet.append([dt.datetime(2026, 2, 1), "Organique", 2800, "n/d", 0])
    sheet.append([None, None, None, None, None])
    path = tmp_path / "ventes.xlsx"
    book.save(path)
    return path


def read(path: Path, **settings: object) -> RawTable:
    connector = XlsxConnector()
    full = {"path": str(path), **settings}
    connector.validate(full)
    return connector.read(full, source_context(source="ventes", base_dir=path.parent))


def test_headers_become_names() -> None:
    assert normalize("Coût marketing (€)") == "cout_marketing"
    assert normalize("  Période ") == "periode"
    assert normalize("Taux d'ouverture") == "taux_d_ouverture"


def test_a_sheet_by_name_with_a_header_below_a_title(workbook: Path) -> None:
    table = read(workbook, sheet="2026", header_row=2, null_values=["n/d"])
    assert table.frame.columns == ["periode", "canal", "visites", "commandes", "cout_marketing"]
    assert table.period_column == "periode"  # found among the French names
    assert table.frame.height == 4  # the trailing empty row is dropped
    assert table.frame["periode"][0] == dt.date(2026, 1, 1)
    assert table.frame["commandes"].to_list() == [20, 30, 30, None]
    assert table.first_line == 3 and table.source.endswith("ventes.xlsx[2026]")


def test_a_sheet_by_number(workbook: Path) -> None:
    assert read(workbook, sheet=1).frame.columns == ["export_du_crm"]
    with pytest.raises(DataError, match="sheet 3 asked, the workbook has 2"):
        read(workbook, sheet=3)
    with pytest.raises(DataError, match="no sheet '2027'; sheets: Notes, 2026"):
        read(workbook, sheet="2027")


def test_settings_are_checked(workbook: Path, tmp_path: Path) -> None:
    connector = XlsxConnector()
    with pytest.raises(SettingsError, match=r'did you mean "sheet"'):
        connector.validate({"path": str(workbook), "sheets": "2026"})
    with pytest.raises(SettingsError, match="no such file"):
        connector.validate({"path": str(tmp_path / "nope.xlsx")})
    with pytest.raises(SettingsError, match="header_row"):
        connector.validate({"path": str(workbook), "header_row": 0})


def test_a_full_evaluation_from_a_workbook(workbook: Path) -> None:
    table = read(workbook, sheet="2026", header_row=2, null_values=["n/d"])
    doc = kpirules.loads(RULES).evaluate([table]).to_dict()
    assert doc["as_of"] == "2026-02"
    paid = next(r for r in doc["rows"] if r["segment"] == {"canal": "Payant"})
    assert paid["values"]["conversion"] == pytest.approx(30 / 1200)
    assert paid["values"]["cout_par_commande"] == pytest.approx(20)


def test_a_bad_cell_is_reported_with_sheet_line_and_column(workbook: Path) -> None:
    table = read(workbook, sheet="2026", header_row=2)  # "n/d" is not a null marker here
    with pytest.raises(DataError, match=r"ventes\.xlsx\[2026\]:6:4"):
        kpirules.loads(RULES).evaluate([table])


def test_the_plugin_registers_through_its_entry_point_module(kpirules_registry) -> None:  # type: ignore[no-untyped-def]
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    target = pyproject["project"]["entry-points"]["kpirules"]["xlsx"]
    registry = kpirules_registry(target)
    assert isinstance(registry.connectors["xlsx"], XlsxConnector)
    owner = registry.owner("connectors", "xlsx")
    assert owner is not None and owner.version == "0.1.0"


def test_importing_the_plugin_stays_cheap() -> None:
    assert_cheap_import("kpirules_xlsx")  # openpyxl and Polars only when a workbook is read
