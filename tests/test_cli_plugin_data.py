"""`kpirules eval --data` reads a file of a kind a plugin's connector provides (xlsx)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from support.cli import run_process

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"

RULES = """ruleset ventes
dimension canal
metric visites
metric commandes
kpi conversion = commandes / visites unit percent
"""


def test_eval_reads_an_excel_workbook_through_the_plugin(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["month", "canal", "visites", "commandes"])
    sheet.append(["2026-01", "Payant", 1000, 20])
    sheet.append(["2026-01", "Organique", 3000, 30])
    book.save(tmp_path / "ventes.xlsx")
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    for spec in ("ventes.xlsx", "xlsx:ventes.xlsx"):
        proc = run_process("eval", "rules.kpi", "--data", spec, "--format", "json", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        rows = {r["segment"].get("canal"): r["values"]["conversion"] for r in doc["rows"]}
        assert rows == {None: 0.0125, "Payant": 0.02, "Organique": 0.01}


def test_a_missing_data_file_exits_3_whatever_the_connector(tmp_path: Path) -> None:
    """interfaces §2: unreadable data is exit 3, for a built-in or a plugin's connector."""
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "folder.xlsx").mkdir()
    specs = ["missing.csv", "csv:missing.txt", "missing.parquet", "missing.json",
             "missing.jsonl", "missing.xlsx", "xlsx:missing.xlsx", "folder.xlsx"]
    for spec in specs:
        proc = run_process("eval", "rules.kpi", "--data", spec, cwd=tmp_path)
        path = spec.partition(":")[2] or spec
        assert (proc.returncode, proc.stdout) == (3, ""), (spec, proc.stderr)
        assert proc.stderr.startswith(f"error: {path}: cannot read the data file: "), proc.stderr
        assert "no such file" in proc.stderr.lower() or "directory" in proc.stderr.lower()
