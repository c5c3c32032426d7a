"""The ``html`` format: one self-contained report file, readable offline.

Everything the page needs is inside it: the CSS inline, the charts as inline
SVG, no script, no font or image to fetch (fonts come from the system). The
file can be mailed, archived or opened from a shared drive years later and
look the same.

This module turns the document into a plain context of ready-to-print
strings; the Jinja2 template (``templates/report.html.j2``, shipped in the
package and read through importlib.resources) only lays them out, with
autoescaping on because labels, segments and action texts are user text.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kpirules.report.base import RenderOptions
from kpirules.report.lifecycle import lifecycle_text
from kpirules.report.values import CURRENCY_SYMBOLS, NULL_TEXT, format_value, is_currency, is_number
from kpirules.report.view import (
    SEVERITIES,
    STATUSES,
    Column,
    DocView,
    action_args_text,
    segment_key,
)

if TYPE_CHECKING:
    import jinja2

TEMPLATE = "report.html.j2"
#: Segments drawn on each chart besides the overall line: more is unreadable.
MAX_CHART_SEGMENTS = 8

STATUS_LABELS = {
    "critical": "Critical",
    "warning": "Warning",
    "ok": "OK",
    "no_data": "No data",
    "skipped": "Not judged",
}
OBJECTIVE_LABELS = {
    "achieved": "Achieved",
    "on_track": "On track",
    "at_risk": "At risk",
    "missed": "Missed",
    "no_data": "No data",
}


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


def render_html(doc: dict[str, Any], options: RenderOptions) -> str:
    """The document as a complete HTML page (UTF-8 text)."""
    view = DocView(doc, options.title)
    template = _environment().get_template(TEMPLATE)
    return template.render(**build_context(view, options))


def build_context(view: DocView, options: RenderOptions) -> dict[str, Any]:
    """Everything the template shows, as plain strings, lists and dicts."""
    from markupsafe import Markup

    generated_at = options.generated_at or view.doc.get("generated_at")
    segments = view.segments()
    chart_segments = top_segments(view, MAX_CHART_SEGMENTS)
    colors = _segment_colors(chart_segments)
    charts = []
    if len(view.periods) > 1:
        charts = [
            {**chart, "svg": Markup(chart["svg"])}
            for chart in _charts(view, chart_segments, colors)
        ]
    return {
        "title": view.title,
        "ruleset": view.doc.get("ruleset") or "",
        "grain": view.doc.get("grain") or "",
        "as_of": view.as_of or "",
        "generated_at": generated_at or "",
        "dimensions": " / ".join(view.dimensions) or "segment",
        "segment_count": len([s for s in segments if s]),
        "period_count": len(view.periods),
        "summary": _summary(view),
        "status_table": _status_table(view),
        "decisions": _decisions(view),
        "objectives": _objectives(view),
        "rules": _rules(view),
        "actions": _actions(view),
        "charts": charts,
        "legend": [
            {"label": view.segment_name(seg), "color": colors[segment_key(seg)], "overall": not seg}
            for seg in chart_segments
        ],
        "hidden_segments": max(0, len([s for s in segments if s]) - (len(chart_segments) - 1)),
        "warnings": view.warnings(),
        "why": list(view.doc.get("why") or []),  # ready-made strings (kpirules.answers.report)
    }


def _summary(view: DocView) -> list[dict[str, Any]]:
    counts = view.status_counts()
    cards = [{"key": s, "label": STATUS_LABELS[s], "count": counts.get(s, 0)} for s in STATUSES]
    firing = sum(len(segs) for _, segs in view.firing())
    cards.append({"key": "rules", "label": "Rule firings", "count": firing})
    if view.objectives:
        behind = sum(1 for o in view.objectives if o.get("status") in ("at_risk", "missed"))
        cards.append({"key": "objectives", "label": "Objectives behind", "count": behind})
    return cards


def _cell(view: DocView, row: Mapping[str, Any], column: Column) -> dict[str, Any]:
    value = (row.get("values") or {}).get(column.name)
    status = (row.get("status") or {}).get(column.name)
    trend = view.trend(row, column)
    tooltip = STATUS_LABELS.get(status or "", "")
    return {
        "text": format_value(value, column.unit),
        "status": status or "none",
        "arrow": trend.arrow if trend else "",
        "tone": trend.tone if trend else "",
        "tooltip": tooltip,
    }


def _column_hint(column: Column) -> str:
    """The small line under a column header: unit and better direction, ``% · ↑ better``."""
    unit = column.unit or ""
    if unit == "percent":
        unit = "%"
    elif unit == "seconds":
        unit = "s"
    elif is_currency(unit):
        unit = CURRENCY_SYMBOLS.get(unit, unit)
    better = {"higher": "↑ better", "lower": "↓ better"}.get(column.better or "", "")
    return " · ".join(part for part in (unit, better) if part)


def _status_table(view: DocView) -> dict[str, Any]:
    rows = []
    for row in view.rows_of(view.as_of):
        rows.append(
            {
                "segment": view.segment_name(row.get("segment")),
                "overall": not row.get("segment"),
                "cells": [_cell(view, row, c) for c in view.columns],
                "decisions": [(row.get("decisions") or {}).get(d) for d in view.decisions],
            }
        )
    return {
        "columns": [
            {"label": c.label, "name": c.name, "hint": _column_hint(c)} for c in view.columns
        ],
        "decisions": [view.decision_title(d) for d in view.decisions],
        "rows": rows,
    }


def _decisions(view: DocView) -> list[dict[str, Any]]:
    """Per decision, the segments grouped under each label, in the label order."""
    result = []
    rows = view.rows_of(view.as_of)
    for name in view.decisions:
        labels: dict[str | None, list[dict[str, Any]]] = {
            label: [] for label in (view.decision_defs.get(name) or {}).get("labels") or []
        }
        for row in rows:
            label = (row.get("decisions") or {}).get(name)
            labels.setdefault(label, []).append(_chip(view, row.get("segment")))
        groups = [
            {
                "label": NULL_TEXT if label is None else str(label),
                "segments": segs,
                "index": i,
                "none": label is None,
            }
            for i, (label, segs) in enumerate(labels.items())
        ]
        result.append({"name": name, "title": view.decision_title(name), "groups": groups})
    return result


def _chip(view: DocView, segment: Mapping[str, Any] | None) -> dict[str, Any]:
    """A segment as the report's chips show it: its name, and whether it is the overall level."""
    return {"name": view.segment_name(segment), "overall": not segment}


def _percent_width(value: Any) -> float:
    """A progress fraction as a CSS width in percent, bounded to [0, 100]."""
    if not is_number(value):
        return 0.0
    return round(max(0.0, min(1.0, float(value))) * 100, 1)


def _objectives(view: DocView) -> list[dict[str, Any]]:
    result = []
    for objective in view.objectives:
        kpi = str(objective.get("kpi") or "")
        status = str(objective.get("status") or "no_data")
        progress = objective.get("progress")
        expected = objective.get("expected_progress")
        result.append(
            {
                "title": view.objective_label(objective),
                "name": objective.get("name") or "",
                "kpi": view.column(kpi).label if kpi else "",
                "segment": view.segment_name(objective.get("segment")),
                "baseline": view.fmt(kpi, objective.get("baseline")),
                "current": view.fmt(kpi, objective.get("current")),
                "goal": view.fmt(kpi, objective.get("goal")),
                "progress": format_value(progress, "percent"),
                "progress_width": _percent_width(progress),
                "expected": format_value(expected, "percent"),
                "expected_width": _percent_width(expected) if is_number(expected) else None,
                "deadline": objective.get("deadline") or NULL_TEXT,
                "status": status,
                "status_label": OBJECTIVE_LABELS.get(status, status),
            }
        )
    return result


def _rules(view: DocView) -> list[dict[str, Any]]:
    result = []
    for name, segments in view.firing():
        definition = view.rule_defs.get(name) or {}
        result.append(
            {
                "name": name,
                "title": view.rule_title(name),
                "severity": view.rule_severity(name),
                "segments": [_chip(view, s) for s in segments],
                "for_periods": definition.get("for_periods") or 1,
            }
        )
    return result


def _actions(view: DocView) -> list[dict[str, Any]]:
    return [
        {
            "rule": action.get("rule") or "",
            "title": view.rule_title(str(action.get("rule") or "")),
            "severity": action.get("severity")
            if action.get("severity") in SEVERITIES
            else "warning",
            "segment": view.segment_name(action.get("segment")),
            "action": action.get("action") or "",
            "new": bool(action.get("new")),
            "lifecycle": lifecycle_text(action),
            "args": action_args_text(action.get("args")),
            "outcome": action.get("outcome") or "",
        }
        for action in view.actions
    ]


def _volume_metric(view: DocView) -> str | None:
    """The metric that best measures a segment's size: a count, else money."""
    metrics = [n for n, d in view.definitions.items() if d.get("kind") == "metric"]
    for wanted in ("count", "currency"):
        for name in metrics:
            unit = view.unit_of(name) or ""
            if unit == wanted or (wanted == "currency" and len(unit) == 3 and unit.isupper()):
                return name
    return metrics[0] if metrics else None


def top_segments(view: DocView, limit: int) -> list[dict[str, Any]]:
    """The overall level, then the ``limit`` biggest segments.

    Size is the segment's total of its volume metric (the first count metric,
    such as visits, else the first money metric) over the document's periods,
    so the same segments, in the same colours, appear on every chart.
    Without such a metric, segments keep the document's order.
    """
    segments = view.segments()
    overall = [s for s in segments if not s]
    others = [s for s in segments if s]
    volume = _volume_metric(view)
    if volume is not None:
        totals: dict[tuple[tuple[str, Any], ...], float] = {}
        for row in view.rows:
            value = (row.get("values") or {}).get(volume)
            key = segment_key(row.get("segment"))
            totals[key] = totals.get(key, 0.0) + (float(value) if is_number(value) else 0.0)
        others.sort(key=lambda seg: -totals.get(segment_key(seg), 0.0))
    return overall + others[:limit]


def _segment_colors(segments: list[dict[str, Any]]) -> dict[tuple[tuple[str, Any], ...], str]:
    from kpirules.report.charts import OVERALL_COLOR, PALETTE

    colors = {}
    rank = 0
    for seg in segments:
        if not seg:
            colors[segment_key(seg)] = OVERALL_COLOR
        else:
            colors[segment_key(seg)] = PALETTE[rank % len(PALETTE)]
            rank += 1
    return colors


def _clause_text(clause: Mapping[str, Any]) -> str:
    """One clause as the rule file writes it: ``critical < 10%``.

    The engine's ``text`` is the comparison as written (``< 10%``, or a
    parameter name); the level is added unless the text already has it.
    """
    level = str(clause.get("level") or "")
    text = clause.get("text")
    if not text:
        text = f"{clause.get('op')} {clause.get('value')}"
    text = str(text)
    return text if not level or text.startswith(level) else f"{level} {text}"


def _thresholds_text(view: DocView, name: str) -> str:
    """A KPI's thresholds, clauses and conditions, for the chart captions."""
    parts = []
    for entry in view.thresholds.get(name) or []:
        clauses = ", ".join(_clause_text(c) for c in entry.get("clauses") or [])
        parts.append(clauses + (f" where {entry['where']}" if entry.get("where") else ""))
    return "; ".join(parts)


def _charts(
    view: DocView,
    segments: list[dict[str, Any]],
    colors: Mapping[tuple[tuple[str, Any], ...], str],
) -> list[dict[str, Any]]:
    from kpirules.report.charts import ChartRenderer, Series, threshold_bands

    renderer = ChartRenderer(view.periods)
    charts = []
    try:
        for column in view.columns:
            series = []
            for seg in segments:
                values = []
                for period in view.periods:
                    row = view.row(period, seg)
                    value = (row.get("values") or {}).get(column.name) if row else None
                    values.append(float(value) if is_number(value) else None)
                if any(v is not None for v in values):
                    series.append(
                        Series(
                            view.segment_name(seg), colors[segment_key(seg)], tuple(values), not seg
                        )
                    )
            latest = view.row(view.as_of, {})
            latest_value = (latest.get("values") or {}).get(column.name) if latest else None
            chart = {
                "name": column.name,
                "label": column.label,
                "better": column.better or "",
                "latest": format_value(latest_value, column.unit),
                "latest_status": ((latest or {}).get("status") or {}).get(column.name) or "none",
                "thresholds": _thresholds_text(view, column.name),
                "svg": "",
            }
            if series:
                bands = threshold_bands(view.thresholds.get(column.name), column.better)
                chart["svg"] = renderer.render(series, column.unit, bands)
            charts.append(chart)
    finally:
        renderer.close()
    return charts
