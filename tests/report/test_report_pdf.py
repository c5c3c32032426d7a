"""``--format pdf``: the HTML report printed by headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_html_chromium import chromium

from support.cli import run_process

pytestmark = pytest.mark.slow  # measured: docs/performance.md, tests

REPO = Path(__file__).resolve().parents[2]


ARGS = ["eval", "rulesets/seo.kpi", "--data", "examples/data/seo.csv", "--format", "pdf",
        "--fail-on", "never"]


@pytest.mark.chromium
def test_the_report_prints_to_pdf(tmp_path: Path) -> None:
    chromium()  # required, as for the other browser tests
    target = tmp_path / "seo.pdf"
    done = run_process(*ARGS, "-o", str(target), cwd=REPO)
    assert done.returncode == 0, done.stderr
    data = target.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    assert data.count(b"/Type /Page") >= 2  # the review on its own page, then the rest


def test_a_pdf_needs_an_output_file() -> None:
    done = run_process(*ARGS, cwd=REPO)
    assert done.returncode == 2 and "give -o PATH" in done.stderr


def test_without_chromium_a_clear_error(tmp_path: Path) -> None:
    done = run_process(*ARGS, "-o", str(tmp_path / "x.pdf"), cwd=REPO,
                       env={"KPIRULES_CHROMIUM": "no-such-browser-here"})
    assert done.returncode == 3
    assert "KPIRULES_CHROMIUM=no-such-browser-here: no such program" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "x.pdf").exists()
