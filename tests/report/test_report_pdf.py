"""``--format pdf``: the HTML report printed by headless Chromium."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_html_chromium import chromium

REPO = Path(__file__).resolve().parents[2]


def kpirules(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "kpirules", *args], capture_output=True,
                          text=True, timeout=300, check=False, cwd=REPO,
                          env={**os.environ, **(env or {})})


ARGS = ["eval", "rulesets/seo.kpi", "--data", "examples/data/seo.csv", "--format", "pdf",
        "--fail-on", "never"]


@pytest.mark.chromium
def test_the_report_prints_to_pdf(tmp_path: Path) -> None:
    chromium()  # required, as for the other browser tests
    target = tmp_path / "seo.pdf"
    done = kpirules(*ARGS, "-o", str(target))
    assert done.returncode == 0, done.stderr
    data = target.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    assert data.count(b"/Type /Page") >= 2  # the review on its own page, then the rest


def test_a_pdf_needs_an_output_file() -> None:
    done = kpirules(*ARGS)
    assert done.returncode == 2 and "give -o PATH" in done.stderr


def test_without_chromium_a_clear_error(tmp_path: Path) -> None:
    done = kpirules(*ARGS, "-o", str(tmp_path / "x.pdf"),
                    env={"KPIRULES_CHROMIUM": "no-such-browser-here"})
    assert done.returncode == 3
    assert "KPIRULES_CHROMIUM=no-such-browser-here: no such program" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "x.pdf").exists()
