"""The sections of the HTML report below the status table, as template contexts.

Decisions, objectives (grouped by objective, a row per segment), rules,
actions, and the threshold captions of charts, all in the report's language
and number style. Split from :mod:`kpirules.report.html` to keep each module
to one job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kpirules.report.lifecycle import lifecycle_text
from kpirules.report.objectives import objective_rows
from kpirules.report.values import NULL_TEXT, is_number
from kpirules.report.view import SEVERITIES, DocView, action_args_text


def clause_text(view: DocView, name: str, clause: Mapping[str, Any]) -> str:
    """One threshold clause with its value, in the report's words: ``alerte > 40 €``.

    The value is the constant the engine computed (parameters replaced by
    their values); a clause whose value is not constant keeps the comparison
    as the rule file writes it (``< previous(cac) * 0.8``).
    """
    level = str(clause.get("level") or "")
    level_text = view.tr(f"level.{level}") if level else ""
    value, op = clause.get("value"), clause.get("op")
    if is_number(value) and op:
        text = f"{op} {view.fmt(name, value)}"
    else:
        text = str(clause.get("text") or f"{op} {value}")
        if level and text.startswith(level):
            text = text[len(level):].strip()
    return f"{level_text} {text}".strip()


def readable_condition(view: DocView, text: str) -> str:
    """A condition of the rule file with parameters as values and names as labels.

    ``visits >= min_visits`` reads ``Visites du site >= 500``: the reader of a
    report sees the rule's meaning, not the rule file's vocabulary.
    """
    params = view.doc.get("params") or {}
    names = {**{n: c.label for n in view.definitions for c in [view.column(n)]},
             **{n: view.fmt_unit(v, None) if is_number(v) else f'"{v}"' for n, v in params.items()}}
    if not names:
        return text
    # strings ("paid") are matched first, so that a value is never taken for a name
    pattern = re.compile(r'"(?:[^"\\]|\\.)*"|(?<![\w`])(' + "|".join(
        re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![\w`])")
    return pattern.sub(lambda m: names[m.group(1)] if m.group(1) else m.group(0), text)


def thresholds_text(view: DocView, name: str) -> str:
    """A KPI's thresholds, clauses and conditions, for the chart captions."""
    parts = []
    for entry in view.thresholds.get(name) or []:
        clauses = " · ".join(clause_text(view, name, c) for c in entry.get("clauses") or [])
        where = (f" ({view.tr('where')} {readable_condition(view, str(entry['where']))})"
                 if entry.get("where") else "")
        parts.append(clauses + where)
    return " ; ".join(parts) if view.locale == "fr" else "; ".join(parts)


def chip(view: DocView, segment: Mapping[str, Any] | None) -> dict[str, Any]:
    """A segment as the report's chips show it: its name, and whether it is the overall level."""
    return {"name": view.segment_name(segment), "overall": not segment}


def decisions_context(view: DocView) -> list[dict[str, Any]]:
    """Per decision, the segments grouped under each label, in the label order."""
    result = []
    rows = view.rows_of(view.as_of)
    for name in view.decisions:
        labels: dict[str | None, list[dict[str, Any]]] = {
            label: [] for label in (view.decision_defs.get(name) or {}).get("labels") or []
        }
        for row in rows:
            label = (row.get("decisions") or {}).get(name)
            labels.setdefault(label, []).append(chip(view, row.get("segment")))
        groups = [
            {"label": NULL_TEXT if label is None else str(label), "segments": segs,
             "index": i, "none": label is None}
            for i, (label, segs) in enumerate(labels.items())
        ]
        result.append({"name": name, "title": view.decision_title(name), "groups": groups})
    return result


def _percent_width(value: Any) -> float:
    """A progress fraction as a CSS width in percent, bounded to [0, 100]."""
    if not is_number(value):
        return 0.0
    return round(max(0.0, min(1.0, float(value))) * 100, 1)


def objectives_context(view: DocView) -> list[dict[str, Any]]:
    """Objectives grouped by objective (title once), each with a row per segment.

    A segment where the objective's KPI never has a value (an e-mail open
    rate for the SEO channel) is not a row: the group counts it as not
    applicable.
    """
    tr = view.tr
    groups: dict[str, dict[str, Any]] = {}
    for objective in objective_rows(view):
        group = groups.setdefault(objective.name, {
            "title": objective.label,
            "name": objective.name,
            "kpi": objective.kpi_label,
            "deadline": objective.deadline or NULL_TEXT,
            "rows": [],
            "not_applicable": 0,
        })
        if objective.kpi and not view.applies(objective.segment, objective.kpi):
            group["not_applicable"] += 1  # the KPI never has a value there: not a row
            continue
        expected = objective.expected_progress
        group["rows"].append({
            "segment": objective.segment_name,
            "overall": objective.overall,
            "baseline": objective.baseline,
            "current": objective.current,
            "goal": objective.goal,
            "progress_width": _percent_width(objective.progress),
            "expected_width": _percent_width(expected) if is_number(expected) else None,
            "pacing": tr("pacing", done=objective.progress_text, expected=objective.expected_text),
            "status": objective.status,
            "status_label": objective.status_label,
        })
    return list(groups.values())


def rules_context(view: DocView) -> list[dict[str, Any]]:
    """The rules firing at the as-of period, worst severity first."""
    result = []
    for name, segments in view.firing():
        definition = view.rule_defs.get(name) or {}
        severity = view.rule_severity(name)
        result.append({
            "name": name,
            "title": view.rule_title(name),
            "severity": severity,
            "severity_label": view.tr(f"severity.{severity}"),
            "segments": [chip(view, s) for s in segments],
            "for_periods": definition.get("for_periods") or 1,
        })
    return result


def actions_context(view: DocView) -> list[dict[str, Any]]:
    """The actions of the as-of period, with their outcome in ``run``."""
    result = []
    for action in view.actions:
        severity = action.get("severity")
        outcome = str(action.get("outcome") or "")
        result.append({
            "rule": action.get("rule") or "",
            "title": view.rule_title(str(action.get("rule") or "")),
            "severity": severity if severity in SEVERITIES else "warning",
            "segment": view.segment_name(action.get("segment")),
            "action": action.get("action") or "",
            "new": bool(action.get("new")),
            "lifecycle": lifecycle_text(action, view.tr),
            "args": action_args_text(action.get("args")),
            "outcome": outcome,
            "outcome_label": view.tr(f"outcome.{outcome}") if outcome else "",
        })
    return result
