"""`kpirules eval --data` reads a file of a kind a plugin's connector provides (xlsx)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl

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
        proc = subprocess.run([sys.executable, "-m", "kpirules", "eval", "rules.kpi", "--data", spec,
                               "--format", "json"], cwd=tmp_path, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        rows = {r["segment"].get("canal"): r["values"]["conversion"] for r in doc["rows"]}
        assert rows == {None: 0.0125, "Payant": 0.02, "Organique": 0.01}
