"""``index.html``: every ruleset's latest report and the earlier ones, in the reports' language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kpirules.report import BUILTIN_FORMATS, RenderOptions
from kpirules.report.index import INDEX_NAME, collect, main, write_index
from support.cli import RunCli


def write_report(folder: Path, name: str, doc: dict[str, Any], ruleset: str, as_of: str,
                 locale: str = "fr") -> None:
    doc = {**doc, "ruleset": ruleset, "as_of": as_of, "locale": locale}
    (folder / name).write_text(BUILTIN_FORMATS["html"].render(doc, RenderOptions()),
                               encoding="utf-8")


def test_latest_first_then_the_previous_ones(history_doc: dict[str, Any], tmp_path: Path) -> None:
    write_report(tmp_path, "funnel-2026-05.html", history_doc, "funnel", "2026-05")
    write_report(tmp_path, "funnel-2026-06.html", history_doc, "funnel", "2026-06")
    write_report(tmp_path, "seo.html", history_doc, "seo", "2026-06")
    (tmp_path / "notes.html").write_text("<p>not a report</p>", encoding="utf-8")
    rulesets = collect(tmp_path)
    assert [r["name"] for r in rulesets] == ["funnel", "seo"]
    assert rulesets[0]["latest"]["href"] == "funnel-2026-06.html"
    assert [r["href"] for r in rulesets[0]["previous"]] == ["funnel-2026-05.html"]
    page = write_index(tmp_path).read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and "Dernier rapport" in page
    assert re.findall(r'href="([^"]+)"', page) == [
        "funnel-2026-06.html", "funnel-2026-05.html", "seo.html"]
    assert "notes.html" not in page and "http" not in page


def test_the_command_line_entry(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 0
    assert "No report yet." in (tmp_path / INDEX_NAME).read_text(encoding="utf-8")
    assert main([str(tmp_path / "missing")]) == 2


@pytest.mark.slow
def test_run_writes_the_index_beside_the_html_reports(run_cli: RunCli, tmp_path: Path, capsys: Any,
                                                       monkeypatch: Any) -> None:
    from support.project import Project

    monkeypatch.setenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
    project = Project(tmp_path / "proj")
    text = project.config.read_text().replace('formats = ["json"]', 'formats = ["html", "json"]')
    project.config.write_text(text)
    project.month("2026-01", paid=0.05, display=0.005)
    project.month("2026-02", paid=0.05, display=0.005)
    run_cli("run", "--config", str(project.config), "--fail-on", "never")
    index = project.root / "reports" / INDEX_NAME
    assert index.is_file()
    assert 'href="shop-2026-02.html"' in index.read_text(encoding="utf-8")
