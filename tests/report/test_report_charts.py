"""Threshold bands and inline SVG charts (kpirules.report.charts)."""

from __future__ import annotations

import re
from typing import Any

from kpirules.report.charts import BAND_COLORS, Band, ChartRenderer, Series, threshold_bands


def clause(level: str, op: str | None, value: float | None) -> dict[str, Any]:
    return {"level": level, "op": op, "value": value, "text": f"{op} {value}"}


def test_bands_follow_the_comparison_warning_first() -> None:
    entries = [
        {"where": None, "clauses": [clause("critical", "<", 0.1), clause("warning", "<=", 0.3)]}
    ]
    assert threshold_bands(entries, "higher") == [
        Band("warning", 0.3, "low"),
        Band("critical", 0.1, "low"),
    ]
    entries = [
        {"where": None, "clauses": [clause("critical", ">", 4000), clause("warning", ">=", 2400)]}
    ]
    assert threshold_bands(entries, None) == [
        Band("warning", 2400, "high"),
        Band("critical", 4000, "high"),
    ]


def test_the_threshold_without_condition_is_preferred() -> None:
    entries = [
        {"where": 'channel == "paid"', "clauses": [clause("critical", "<", 0.05)]},
        {"where": None, "clauses": [clause("critical", "<", 0.2)]},
    ]
    assert threshold_bands(entries, "higher") == [Band("critical", 0.2, "low")]
    assert threshold_bands(entries[:1], "higher") == [Band("critical", 0.05, "low")]


def test_clauses_that_cannot_be_drawn_are_left_out() -> None:
    entries = [
        {
            "where": None,
            "clauses": [
                clause("warning", "<", None),  # previous(x) * 0.8: not constant
                clause("critical", "==", 0),
                clause("critical", "!=", 1),
                clause("info", "<", 3),
            ],
        }
    ]
    assert threshold_bands(entries, "higher") == []
    assert threshold_bands(None, "higher") == []
    assert threshold_bands([], "lower") == []


def test_better_tells_the_bad_side_when_the_comparison_does_not() -> None:
    entries = [{"where": None, "clauses": [clause("critical", None, 5)]}]
    assert threshold_bands(entries, "higher") == [Band("critical", 5, "low")]
    assert threshold_bands(entries, "lower") == [Band("critical", 5, "high")]
    assert threshold_bands(entries, None) == []


def draw(renderer: ChartRenderer, bands: list[Band]) -> str:
    series = [
        Series("(overall)", "#111827", (1.0, 2.0, None, 4.0), overall=True),
        Series("paid", "#2563eb", (2.0, 1.5, 1.0, 0.5)),
    ]
    return renderer.render(series, "EUR", bands)


def test_charts_are_bare_inline_svg_elements() -> None:
    renderer = ChartRenderer(["2026-01", "2026-02", "2026-03", "2026-04"])
    svg = draw(renderer, [Band("critical", 3.0, "high")])
    renderer.close()
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    root = svg[: svg.index(">")]
    assert "viewBox=" in root
    assert "width=" not in root and "height=" not in root and "xmlns" not in root
    assert "<?xml" not in svg and "DOCTYPE" not in svg and "<metadata" not in svg
    assert "http" not in svg
    assert "#111827" in svg and "#2563eb" in svg
    assert BAND_COLORS["critical"] in svg
    assert ">2026-04</text>" in svg  # text stays text: the browser draws it
    assert re.search(r"€</text>", svg)


def test_no_band_no_band_colour() -> None:
    renderer = ChartRenderer(["2026-01", "2026-02", "2026-03", "2026-04"])
    svg = draw(renderer, [])
    assert BAND_COLORS["critical"] not in svg and BAND_COLORS["warning"] not in svg


def test_successive_charts_never_share_an_id() -> None:
    renderer = ChartRenderer(["2026-01", "2026-02", "2026-03", "2026-04"])
    first = draw(renderer, [Band("critical", 3.0, "high")])
    second = draw(renderer, [Band("critical", 3.0, "high")])
    ids_first = set(re.findall(r'\bid="([^"]+)"', first))
    ids_second = set(re.findall(r'\bid="([^"]+)"', second))
    assert ids_first and ids_second
    assert not ids_first & ids_second
    for svg, ids in ((first, ids_first), (second, ids_second)):
        for ref in re.findall(r'(?:href="|url\()#([^")]+)', svg):
            assert ref in ids


def test_a_chart_shows_only_its_own_lines() -> None:
    renderer = ChartRenderer(["2026-01", "2026-02", "2026-03", "2026-04"])
    draw(renderer, [Band("warning", 3.0, "high")])
    svg = renderer.render([Series("seo", "#ea580c", (1.0, 1.0, 1.0, 1.0))], None, [])
    assert "#ea580c" in svg
    assert "#2563eb" not in svg and BAND_COLORS["warning"] not in svg
