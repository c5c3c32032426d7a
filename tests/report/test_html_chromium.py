"""The HTML report as a real browser shows it (Debian's headless Chromium).

Chromium is required: CI installs it (``apt-get install chromium``). Where it
cannot be installed, ``KPIRULES_NO_CHROMIUM=1`` skips these tests explicitly;
without that variable a missing browser is a failure, never a silent skip.

The screenshot and the report are kept in ``tests/report/artifacts/`` for
people to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kpirules.report import BUILTIN_FORMATS, RenderOptions

pytestmark = pytest.mark.chromium

ARTIFACTS = Path(__file__).parent / "artifacts"
WIDTH, HEIGHT = 1400, 2400
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]


def chromium() -> str:
    """The browser's path; fails (or skips only when asked to) when it is missing."""
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
    )
    if path is None:
        if os.environ.get("KPIRULES_NO_CHROMIUM") == "1":
            pytest.skip("chromium not installed and KPIRULES_NO_CHROMIUM=1")
        pytest.fail(
            "chromium is required (apt-get install chromium), or set KPIRULES_NO_CHROMIUM=1"
        )
    return path


def run_browser(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def report(history_doc: dict[str, Any], tmp_path: Path) -> Path:
    html = BUILTIN_FORMATS["html"].render(
        history_doc, RenderOptions(generated_at="2026-07-01 08:00")
    )
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(path, ARTIFACTS / "report.html")
    return path


def test_report_renders_in_chromium_without_console_errors(report: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    result = run_browser(
        [
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={png}",
            f"--window-size={WIDTH},{HEIGHT}",
            report.as_uri(),
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [
        line for line in result.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line
    ]
    assert console == []
    assert "net::ERR" not in result.stderr

    assert png.is_file()
    shutil.copy(png, ARTIFACTS / "report.png")
    assert png.stat().st_size > 50_000

    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (WIDTH, HEIGHT)
        pixels = image.convert("RGB")
        header = pixels.getpixel((20, 20))
        small = pixels.resize((WIDTH // 4, HEIGHT // 4), Image.Resampling.NEAREST)
        colors = small.getcolors(maxcolors=small.width * small.height) or []
        counts = Counter({color: n for n, color in colors})
    # The stylesheet applied: the header band is dark navy (#0f172a).
    assert all(channel < 60 for channel in header), header
    # Not blank: many colours, no colour covering nearly everything.
    assert len(counts) > 100
    assert counts.most_common(1)[0][1] < 0.8 * sum(counts.values())

    # The charts were drawn: their critical bands (#fde2e1) cover visible area.
    def near(color: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
        return all(abs(a - b) <= 3 for a, b in zip(color, target, strict=True))

    band = sum(n for color, n in counts.items() if near(color, (0xFD, 0xE2, 0xE1)))
    assert band > 500


def test_rendered_dom_has_every_part(report: Path, tmp_path: Path) -> None:
    result = run_browser(["--dump-dom", report.as_uri()], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    for part in (
        "summary",
        "status",
        "decisions",
        "objectives",
        "rules",
        "actions",
        "charts",
        "warnings",
    ):
        assert f'id="{part}"' in dom
    assert dom.count("<svg") == 4
    assert dom.count('class="card chart"') == 4
    assert "Réseaux sociaux" in dom
    assert "Coût d'acquisition client" in dom
    assert 'class="fill on_track" style="width: 52.5%"' in dom
