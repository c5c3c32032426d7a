"""The one-page monthly review at the top of the HTML report.

What a marketing director reads first, in four blocks: what is critical now,
what changed most since the previous period, the objectives at risk, and the
decisions by segment. Each block is short (a handful of lines, the worst or
largest first) and says so when it is empty, so that "nothing to worry
about" is a statement, not a blank.
"""

from __future__ import annotations

from typing import Any

from kpirules.report.htmlparts import thresholds_text
from kpirules.report.objectives import objective_rows
from kpirules.report.values import is_number
from kpirules.report.view import DocView

#: Lines per block: a review is read in two minutes.
MAX_LINES = 6


def monthly_review(view: DocView) -> dict[str, Any]:
    """The review's blocks as lists of ready-to-print lines."""
    return {
        "critical": _critical(view),
        "changes": _changes(view),
        "previous": view.previous_period(view.as_of) if view.as_of else None,
        "at_risk": _at_risk(view),
        "decisions": _decisions(view),
    }


def _critical(view: DocView) -> list[dict[str, str]]:
    lines = []
    for row in view.rows_of(view.as_of):
        for column in view.columns:
            status = (row.get("status") or {}).get(column.name)
            if status != "critical":
                continue
            lines.append({
                "segment": view.segment_name(row.get("segment")),
                "kpi": column.label,
                "value": view.fmt_unit((row.get("values") or {}).get(column.name), column.unit),
                "threshold": thresholds_text(view, column.name),
            })
    return lines[:MAX_LINES]


def _changes(view: DocView) -> list[dict[str, str]]:
    """The largest relative moves since the previous period, one per KPI.

    A move is measured against the larger of the two values, so a value
    crossing zero (a difference in points) counts as a big move, not an
    infinite one; each KPI appears once, with its largest move (overall or
    in a segment), so that one jumpy KPI does not fill the block.
    """
    previous = view.previous_period(view.as_of) if view.as_of else None
    if previous is None:
        return []
    moves: list[tuple[float, dict[str, str]]] = []
    for row in view.rows_of(view.as_of):
        before = view.row(previous, row.get("segment"))
        if before is None:
            continue
        for column in view.columns:
            now = (row.get("values") or {}).get(column.name)
            then = (before.get("values") or {}).get(column.name)
            if not (is_number(now) and is_number(then)) or now == then:
                continue
            size = abs(now - then) / max(abs(then), abs(now))
            trend = view.trend(row, column)
            moves.append((size, {
                "segment": view.segment_name(row.get("segment")),
                "kpi": column.label,
                "before": view.fmt_unit(then, column.unit),
                "after": view.fmt_unit(now, column.unit),
                "arrow": trend.arrow if trend else "",
                "tone": trend.tone if trend else "neutral",
            }))
    moves.sort(key=lambda item: -item[0])
    seen: set[str] = set()
    lines = []
    for _, line in moves:
        if line["kpi"] not in seen:
            seen.add(line["kpi"])
            lines.append(line)
    return lines[:MAX_LINES]


def _at_risk(view: DocView) -> list[dict[str, str]]:
    """Objectives at risk or missed, one line per objective with its segments."""
    lines: dict[str, dict[str, str]] = {}
    for objective in objective_rows(view):
        if not objective.behind:
            continue
        status = objective.status
        where = f"{objective.segment_name} {objective.current} / {objective.goal}"
        title = objective.label
        line = lines.setdefault(title, {"title": title, "status": status,
                                        "status_label": objective.status_label,
                                        "segments": ""})
        if status == "missed" and line["status"] != "missed":
            line.update(status=status, status_label=view.tr("objective.missed"))
        line["segments"] = f"{line['segments']} · {where}" if line["segments"] else where
    return list(lines.values())[:MAX_LINES]


def _decisions(view: DocView) -> list[dict[str, Any]]:
    """Per decision, each label with its segments (the overall level left out)."""
    result = []
    rows = [r for r in view.rows_of(view.as_of) if r.get("segment")]
    for name in view.decisions:
        labels: dict[str, list[str]] = {}
        for row in rows:
            label = (row.get("decisions") or {}).get(name)
            if label is not None:
                labels.setdefault(str(label), []).append(view.segment_name(row.get("segment")))
        if labels:
            result.append({"title": view.decision_title(name),
                           "labels": [{"label": k, "segments": v} for k, v in labels.items()]})
    return result
