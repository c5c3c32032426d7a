"""Threshold bands and inline SVG charts (kpirules.report.charts)."""

from __future__ import annotations

import re
from typing import Any

from kpirules.report.charts import (
    BAND_COLORS,
    CONTEXT_COLOR,
    PALETTE,
    Band,
    ChartRenderer,
    Series,
    nice_step,
    segment_colors,
    threshold_bands,
)


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


PERIODS = ["2026-01", "2026-02", "2026-03", "2026-04"]


def euros(value: float) -> str:
    return f"{value:g} €"


def draw(renderer: ChartRenderer, bands: list[Band]) -> str:
    series = [
        Series("(overall)", "#111827", (1.0, 2.0, None, 4.0), role="overall"),
        Series("paid", "#2563eb", (2.0, 1.5, 1.0, 0.5), statuses=("ok", "ok", "warning", "critical")),
    ]
    return renderer.render(series, bands)


def test_charts_are_bare_inline_svg_elements() -> None:
    renderer = ChartRenderer(PERIODS, euros)
    svg = draw(renderer, [Band("critical", 3.0, "high")])
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    root = svg[: svg.index(">")]
    assert "viewBox=" in root
    assert "width=" not in root and "height=" not in root and "xmlns" not in root
    assert "http" not in svg and "<script" not in svg
    assert "#111827" in svg and "#2563eb" in svg
    assert BAND_COLORS["critical"] in svg
    assert ">2026-04</text>" in svg  # text stays text: the browser draws it
    assert re.search(r"€</text>", svg)
    assert ' id="' not in svg  # nothing to collide between charts of one page


def test_points_carry_a_tooltip_with_period_segment_value_and_status() -> None:
    renderer = ChartRenderer(PERIODS, euros, lambda key, **kw: {"status.critical": "Critique"}.get(key, key))
    svg = draw(renderer, [])
    assert "<title>2026-04 · paid : 0.5 € (Critique)</title>" in svg
    assert "<title>2026-02 · (overall) : 2 €</title>" in svg


def test_no_band_no_band_colour() -> None:
    svg = draw(ChartRenderer(PERIODS, euros), [])
    assert BAND_COLORS["critical"] not in svg and BAND_COLORS["warning"] not in svg


def test_a_chart_shows_only_its_own_lines() -> None:
    renderer = ChartRenderer(PERIODS, euros)
    draw(renderer, [Band("warning", 3.0, "high")])
    svg = renderer.render([Series("seo", "#ea580c", (1.0, 1.0, 1.0, 1.0))], [])
    assert "#ea580c" in svg
    assert "#2563eb" not in svg and BAND_COLORS["warning"] not in svg


def axis_labels(svg: str) -> list[float]:
    return [float(v) for v in re.findall(r'text-anchor="end" font-size="11" fill="#4b5563">([-\d.]+) €<', svg)]


def test_a_distant_band_does_not_squash_the_scale() -> None:
    renderer = ChartRenderer(PERIODS, euros)
    svg = renderer.render([Series("cpl", "#0072B2", (10.0, 30.0, 45.0, 50.0))],
                          [Band("warning", 160.0, "high")])
    labels = axis_labels(svg)
    assert max(labels) <= 60 and min(labels) == 0
    assert "160 €" in svg  # named at the edge instead
    assert BAND_COLORS["warning"] not in svg  # nothing of the band is in the plotted range


def test_a_near_band_is_brought_into_view() -> None:
    renderer = ChartRenderer(PERIODS, euros)
    svg = renderer.render([Series("cpl", "#0072B2", (10.0, 30.0, 45.0, 50.0))],
                          [Band("warning", 55.0, "high")])
    assert max(axis_labels(svg)) >= 55
    assert BAND_COLORS["warning"] in svg and 'stroke-dasharray="4 3"' in svg


def test_context_lines_are_grey_and_without_points() -> None:
    svg = ChartRenderer(PERIODS, euros).render(
        [Series("small", "#0072B2", (1.0, 2.0, 3.0, 4.0), role="context")], [])
    assert CONTEXT_COLOR in svg and "#0072B2" not in svg and "<circle" not in svg
    assert "<title>small</title>" in svg  # named on hover


def test_segment_colours_are_stable_distinct_and_order_free() -> None:
    names = ["seo", "sea", "email", "social", "display", "affiliation", "direct", "referral"]
    colors = segment_colors(names)
    assert segment_colors(list(reversed(names))) == colors
    assert len(set(colors.values())) == len(names)
    assert set(colors.values()) <= set(PALETTE)
    # a segment keeps its own colour in any report where no other takes its slot
    alone = {name: segment_colors([name])[name] for name in names}
    assert sum(alone[n] == colors[n] for n in names) >= len(names) // 2


def test_nice_steps() -> None:
    assert nice_step(50) == 10
    assert nice_step(0.37) == 0.1
    assert nice_step(1200) == 250
