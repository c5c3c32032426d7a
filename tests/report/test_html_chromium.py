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

pytestmark = [pytest.mark.chromium, pytest.mark.slow]

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


# ── the shipped rulesets, as a reader sees them at 1400 and 800 px ──

REPO = Path(__file__).resolve().parents[2]
SHIPPED = {
    "acquisition": ["examples/data/marketing.csv"],
    "customers": ["examples/data/company.csv"],
    "email_social": ["examples/data/marketing.csv"],
    "funnel": ["examples/data/marketing.csv"],
    "revenue": ["examples/data/marketing.csv"],
    "seo": ["examples/data/seo.csv"],
    "seo_keywords": ["examples/data/seo_keywords.csv"],
    "team": ["examples/data/company.csv"],
    "web": ["examples/data/marketing.csv"],
}
#: Put in a copy of the report only (the report itself has no script): the
#: layout facts a person would notice, written where --dump-dom shows them.
MEASURE = """<script>
addEventListener("load", () => {
  const wrap = document.querySelector("#status .table-wrap");
  const verdict = document.querySelector("#status td.decision-cell");
  const box = verdict ? verdict.getBoundingClientRect() : null;
  document.body.dataset.pageScroll = String(document.documentElement.scrollWidth > innerWidth);
  document.body.dataset.tableScroll = String(wrap.scrollWidth > wrap.clientWidth + 1);
  document.body.dataset.verdictVisible = box ? String(box.right <= innerWidth && box.width > 0) : "none";
  document.body.dataset.legends = String(document.querySelectorAll(".chart-legend").length);
  document.body.dataset.maxLines = String(Math.max(0, ...[...document.querySelectorAll("svg.kchart")]
    .map(svg => svg.querySelectorAll(".series.focus, .series.overall").length)));
});
</script>"""


def shipped_report(name: str, tmp_path: Path) -> Path:
    import kpirules

    rs = kpirules.load(REPO / "rulesets" / f"{name}.kpi")
    result = kpirules.evaluate(rs, [str(REPO / path) for path in SHIPPED[name]], history=True)
    html = BUILTIN_FORMATS["html"].render(result.to_dict(), RenderOptions())
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(path, ARTIFACTS / f"{name}.html")
    return path


def measured(report: Path, width: int, tmp_path: Path) -> dict[str, str]:
    import re

    probe = tmp_path / f"probe-{width}.html"
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"),
                     encoding="utf-8")
    result = run_browser([f"--window-size={width},1000", "--dump-dom", probe.as_uri()], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", result.stdout)
    assert body, result.stdout[:500]
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body.group(1)))


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_reports_fit_1400px_in_french(name: str, tmp_path: Path) -> None:
    report = shipped_report(name, tmp_path)
    facts = measured(report, 1400, tmp_path)
    assert facts["page-scroll"] == "false"
    assert facts["table-scroll"] == "false", "the status table scrolls sideways at 1400 px"
    has_decision = 'class="decision-cell' in report.read_text(encoding="utf-8")
    assert facts["verdict-visible"] == ("true" if has_decision else "none")
    assert int(facts["legends"]) >= 1
    assert 1 <= int(facts["max-lines"]) <= 6  # overall + at most 5 coloured lines
    html = report.read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    for word in ("Revue du mois", "État par", "Indicateurs dans le temps", "Règles déclenchées"):
        assert word in html
    for english in ("Status by", "KPIs over time", "Rules firing", ">Decisions<", "NO DATA"):
        assert english not in html


def test_at_800px_the_page_does_not_scroll_and_the_verdict_stays_in_view(tmp_path: Path) -> None:
    report = shipped_report("funnel", tmp_path)
    facts = measured(report, 800, tmp_path)
    assert facts["page-scroll"] == "false"  # the table scrolls inside its card instead
    assert facts["verdict-visible"] == "true"  # second column, next to the sticky segment


def test_screenshots_of_the_french_funnel(tmp_path: Path) -> None:
    report = shipped_report("funnel", tmp_path)
    for width in (1400, 800):
        png = tmp_path / f"funnel-{width}.png"
        result = run_browser([f"--screenshot={png}", f"--window-size={width},2400",
                              report.as_uri()], tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        assert png.stat().st_size > 50_000
        shutil.copy(png, ARTIFACTS / f"funnel-{width}.png")
