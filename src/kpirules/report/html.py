"""The ``html`` format: one self-contained report file, readable offline.

Everything the page needs is inside it: the CSS inline, the charts as inline
SVG drawn by :mod:`kpirules.report.charts`, no script, no font or image to
fetch (fonts come from the system). The file can be mailed, archived or
opened from a shared drive years later and look the same.

Every word is in the ruleset's language (``locale``, see
:mod:`kpirules.report.i18n`) and every number in its style.

This module turns the document into a plain context of ready-to-print
strings; the Jinja2 template (``templates/report.html.j2``, shipped in the
package and read through importlib.resources) only lays them out, with
autoescaping on because labels, segments and action texts are user text.

What the page draws is capped (``MAX_TABLE_SEGMENTS`` rows, ``MAX_CHART_SEGMENTS``
lines), the largest segments first, with a note: a report of 100,000
segments shows the ones a person can read, and costs memory in proportion.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kpirules.engine.segment import Segment
from kpirules.report.base import RenderOptions
from kpirules.report.htmlparts import (
    actions_context,
    clause_text,
    decisions_context,
    objectives_context,
    rules_context,
    thresholds_text,
)
from kpirules.report.objectives import objective_rows
from kpirules.report.review import monthly_review
from kpirules.report.values import CURRENCY_SYMBOLS, POINT_UNITS, is_currency, is_number
from kpirules.report.view import STATUSES, Column, DocView

if TYPE_CHECKING:
    import jinja2

    from kpirules.engine.result import Result

TEMPLATE = "report.html.j2"
#: Rows of the status table: the biggest segments, the rest counted in a note.
MAX_TABLE_SEGMENTS = 200
#: Segments a chart may draw at all (as grey context lines at least).
MAX_CHART_SEGMENTS = 40
#: Coloured lines per chart besides the overall one: the highest and the lowest.
FOCUS_TOP, FOCUS_BOTTOM = 3, 2

__all__ = ["build_context", "clause_text", "render_html", "render_html_result", "top_segments"]


@functools.cache
def _environment() -> jinja2.Environment:
    """The Jinja2 environment, built once; templates come from the installed package."""
    import importlib.resources

    import jinja2

    templates = importlib.resources.files("kpirules.report").joinpath("templates")

    def load(name: str) -> str:
        return templates.joinpath(name).read_text(encoding="utf-8")

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(name: str, context: Mapping[str, Any]) -> str:
    """One of the package's templates rendered with ``context``."""
    return _environment().get_template(name).render(**context)


def render_html(doc: dict[str, Any], options: RenderOptions) -> str:
    """The document as a complete HTML page (UTF-8 text)."""
    view = DocView(doc, options.title)
    return render_template(TEMPLATE, build_context(view, options))


def render_html_result(result: Result, doc: dict[str, Any], options: RenderOptions) -> str:
    """The page of a typed result (``doc``: its document, with what the command or the job added);
    the page :func:`render_html` makes of ``doc``, its facts read from ``result``."""
    from kpirules.report.result_view import ResultView

    return render_template(TEMPLATE, build_context(ResultView(result, doc, options.title), options))


def build_context(view: DocView, options: RenderOptions) -> dict[str, Any]:
    """Everything the template shows, as plain strings, lists and dicts."""
    from markupsafe import Markup

    tr = view.tr
    generated_at = options.generated_at or view.doc.get("generated_at")
    ranked = top_segments(view, max(MAX_TABLE_SEGMENTS, MAX_CHART_SEGMENTS))
    total_segments = max(len([s for s in view.segments() if s]),
                         int(view.doc.get("segments_total") or 0))
    # the biggest segments are shown, in the document's order (by dimension values)
    kept = {Segment.of(s) for s in ranked[: MAX_TABLE_SEGMENTS + 1]}
    table_segments = [s for s in view.segments() if Segment.of(s) in kept]
    chart_segments = ranked[: MAX_CHART_SEGMENTS + 1]
    colors = _segment_colors(view, chart_segments)
    charts = []
    if len(view.periods) > 1:
        charts = [{**chart, "svg": Markup(chart["svg"])}
                  for chart in _charts(view, chart_segments, colors)]
    shown = len(table_segments) - 1 if table_segments and not table_segments[0] else len(table_segments)
    return {
        "tr": tr,
        "lang": view.locale,
        "title": view.title,
        "ruleset": view.doc.get("ruleset") or "",
        "as_of": view.as_of or "",
        "generated_at": generated_at or "",
        "dimensions": view.dimensions_title(),
        "segment_count": total_segments,
        "period_count": len(view.periods),
        "periods_text": tr("period_count_one") if len(view.periods) == 1
        else tr("period_count", count=len(view.periods)),
        "capped": tr("capped", shown=shown, total=total_segments) if shown < total_segments else "",
        "summary": _summary(view),
        "review": monthly_review(view),
        "status_table": _status_table(view, table_segments),
        "decisions": decisions_context(view),
        "objectives": objectives_context(view),
        "rules": rules_context(view),
        "actions": actions_context(view),
        "charts": charts,
        "legend_overall": tr("overall"),
        "warnings": view.warnings(),
        "why": list(view.doc.get("why") or []),  # ready-made strings (kpirules.answers.report)
    }


def build_status_table(view: DocView, options: RenderOptions) -> dict[str, Any]:
    """The context of the as-of status table alone (notebooks), capped as the report is."""
    kept = {Segment.of(s) for s in top_segments(view, MAX_TABLE_SEGMENTS)}
    segments = [s for s in view.segments() if Segment.of(s) in kept]
    total = max(len([s for s in view.segments() if s]), int(view.doc.get("segments_total") or 0))
    shown = len([s for s in segments if s])
    return {
        "tr": view.tr,
        "title": view.title,
        "as_of": view.as_of or "",
        "dimensions": view.dimensions_title(),
        "status_table": _status_table(view, segments),
        "capped": view.tr("capped", shown=shown, total=total) if shown < total else "",
    }


def _summary(view: DocView) -> list[dict[str, Any]]:
    tr = view.tr
    counts = view.status_counts()
    cards = [{"key": s, "label": tr(f"status.{s}"), "count": counts.get(s, 0)} for s in STATUSES]
    firing = sum(len(segs) for _, segs in view.firing())
    cards.append({"key": "rules", "label": tr("rule_firings"), "count": firing})
    if view.objectives:
        behind = sum(1 for o in objective_rows(view) if o.behind)
        cards.append({"key": "objectives", "label": tr("objectives_behind"), "count": behind})
    return cards


def _cell(view: DocView, row: Mapping[str, Any], column: Column) -> dict[str, Any]:
    value = (row.get("values") or {}).get(column.name)
    status = view.shown_status(row, column.name, (row.get("status") or {}).get(column.name))
    trend = view.trend(row, column)
    return {
        "text": view.fmt_unit(value, column.unit),
        "status": status or "none",
        "arrow": trend.arrow if trend else "",
        "tone": trend.tone if trend else "",
        "tooltip": view.tr(f"status.{status}") if status else "",
    }


def unit_hint(view: DocView, column: Column) -> str:
    """The small line under a column header: unit and better direction, ``% · ↑ better``."""
    unit = column.unit or ""
    if unit == "percent":
        unit = "%"
    elif unit in POINT_UNITS:
        unit = "pts" if view.locale == "fr" else "pp"
    elif unit == "seconds":
        unit = "s"
    elif is_currency(unit):
        unit = CURRENCY_SYMBOLS.get(unit, unit)
    elif unit in ("count", "score", "ratio", "number"):
        unit = ""
    better = view.tr(f"better.{column.better}") if column.better in ("higher", "lower") else ""
    return " · ".join(part for part in (unit, better) if part)


def _status_table(view: DocView, segments: list[dict[str, Any]]) -> dict[str, Any]:
    """The as-of period: a row per segment, verdicts right after the segment name."""
    rows = []
    for segment in segments:
        row = view.row(view.as_of, segment)
        if row is None:
            continue
        rows.append({
            "segment": view.segment_name(segment),
            "overall": not segment,
            "cells": [_cell(view, row, c) for c in view.columns],
            "decisions": [(row.get("decisions") or {}).get(d) for d in view.decisions],
        })
    return {
        "columns": [{"label": c.label, "name": c.name, "hint": unit_hint(view, c)}
                    for c in view.columns],
        "decisions": [view.decision_title(d) for d in view.decisions],
        "rows": rows,
    }


def _volume_metric(view: DocView) -> str | None:
    """The metric that best measures a segment's size: a count, else money."""
    metrics = [n for n, d in view.definitions.items() if d.get("kind") == "metric"]
    for wanted in ("count", "currency"):
        for name in metrics:
            unit = view.unit_of(name) or ""
            if unit == wanted or (wanted == "currency" and is_currency(unit)):
                return name
    return metrics[0] if metrics else None


def top_segments(view: DocView, limit: int) -> list[dict[str, Any]]:
    """The overall level, then the ``limit`` biggest segments.

    Size is the segment's total of its volume metric (the first count metric,
    such as visits, else the first money metric) over the document's periods.
    Without such a metric, segments keep the document's order.
    """
    segments = view.segments()
    overall = [s for s in segments if not s]
    others = [s for s in segments if s]
    volume = _volume_metric(view)
    if volume is not None:
        totals: dict[Segment, float] = {}
        for row in view.rows:
            value = (row.get("values") or {}).get(volume)
            key = Segment.of(row.get("segment"))
            totals[key] = totals.get(key, 0.0) + (float(value) if is_number(value) else 0.0)
        others.sort(key=lambda seg: -totals.get(Segment.of(seg), 0.0))
    return overall + others[:limit]


def _segment_colors(view: DocView, segments: list[dict[str, Any]]) -> dict[str, str]:
    from kpirules.report.charts import OVERALL_COLOR, segment_colors

    colors = segment_colors([view.segment_name(s) for s in segments if s])
    colors[view.segment_name({})] = OVERALL_COLOR
    return colors


def _focus(series: list[Any]) -> list[Any]:
    """The segments worth a colour: the highest and the lowest at the as-of period.

    A segment without a value at the as-of period is not ranked: its line
    stays grey context, whatever it did before.
    """
    current = [s for s in series if s.values and s.values[-1] is not None]
    ranked = sorted(current, key=lambda s: s.values[-1], reverse=True)
    if len(ranked) <= FOCUS_TOP + FOCUS_BOTTOM:
        return ranked
    return ranked[:FOCUS_TOP] + ranked[-FOCUS_BOTTOM:]


def _charts(view: DocView, segments: list[dict[str, Any]],
            colors: Mapping[str, str]) -> list[dict[str, Any]]:
    import attrs

    from kpirules.report.charts import ChartRenderer, Series, threshold_bands

    charts = []
    for column in view.columns:
        renderer = ChartRenderer(view.periods, functools.partial(view.fmt_unit, unit=column.unit),
                                 view.tr)
        lines = []
        for seg in segments:
            values: list[float | None] = []
            statuses: list[str | None] = []
            for period in view.periods:
                row = view.row(period, seg)
                value = (row.get("values") or {}).get(column.name) if row else None
                values.append(float(value) if is_number(value) else None)
                status = (row.get("status") or {}).get(column.name) if row else None
                statuses.append(view.shown_status(row, column.name, status) if row else None)
            if any(v is not None for v in values):
                name = view.segment_name(seg)
                lines.append(Series(name, colors[name], tuple(values),
                                    "overall" if not seg else "context", tuple(statuses)))
        segment_lines = [s for s in lines if not s.overall]
        focus = {s.label for s in _focus(segment_lines)}
        lines = [attrs.evolve(s, role="focus") if s.label in focus else s for s in lines]
        latest = view.row(view.as_of, {})
        latest_value = (latest.get("values") or {}).get(column.name) if latest else None
        latest_status = ((latest or {}).get("status") or {}).get(column.name)
        legend = [{"label": s.label, "color": s.color, "overall": s.overall}
                  for s in lines if s.role != "context"]
        chart = {
            "name": column.name,
            "label": column.label,
            "latest": view.fmt_unit(latest_value, column.unit),
            "latest_status": (view.shown_status(latest, column.name, latest_status)
                              if latest else None) or "none",
            "thresholds": thresholds_text(view, column.name),
            "legend": legend,
            "others": len(segment_lines) - len(focus),
            "svg": "",
        }
        if lines:
            bands = threshold_bands(view.thresholds.get(column.name), column.better)
            chart["svg"] = renderer.render(lines, bands)
        charts.append(chart)
    return charts
