"""`kpirules run` writes the "why" section into its HTML report when a status worsened."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.project import Project, run_process

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"


@pytest.mark.parametrize("worsens", [True, False])
def test_the_run_report_explains_a_worsened_status(tmp_path: Path, worsens: bool) -> None:
    project = Project(tmp_path / "proj")
    project.set_notify('type = "file"\npath = "alerts.jsonl"')
    project.config.write_text(project.config.read_text().replace('formats = ["json"]', 'formats = ["html"]'))
    project.month("2026-01", web=0.03, shop=0.03)
    project.month("2026-02", web=0.005 if worsens else 0.03, shop=0.03)  # overall 3% → 1.75%: a warning
    proc = run_process("run", "--config", str(project.config))
    assert proc.returncode in (0, 1), proc.stderr
    # the run also writes index.html, which links the report
    (report,) = [p for p in (project.root / "reports").glob("*.html") if p.name != "index.html"]
    html = report.read_text(encoding="utf-8")
    assert ('<section id="why">' in html) is worsens
    if worsens:
        assert 'id="why-conv"' in html and "ok → warning" in html
        assert "In short: conv -1.25 pts" in html.replace("\u00a0", " ")
