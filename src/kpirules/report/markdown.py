"""The ``markdown`` format: the ``table`` content as GitHub-flavoured Markdown.

Made to be pasted into an issue, a pull request, a wiki page or a chat: one
table per period shown (segments as rows, KPIs as columns, values formatted
by unit), a status emoji before each judged value (🔴 critical, 🟡 warning,
🟢 ok, ⚪ no data, ➖ not judged), trend arrows against the previous period
when the document holds it, then the firing rules, objectives, actions and
warnings. User text is escaped so that a ``|`` in a label cannot break a
table and ``<tag>`` shows as text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kpirules.report.base import RenderOptions
from kpirules.report.lifecycle import lifecycle_text
from kpirules.report.objectives import objective_rows
from kpirules.report.values import NULL_TEXT, is_number
from kpirules.report.view import Column, DocView, action_args_text

if TYPE_CHECKING:
    from kpirules.engine.result import Result

STATUS_EMOJI = {"critical": "🔴", "warning": "🟡", "ok": "🟢", "no_data": "⚪", "skipped": "➖"}
OBJECTIVE_EMOJI = {
    "achieved": "✅",
    "on_track": "🟢",
    "at_risk": "🟡",
    "missed": "🔴",
    "no_data": "⚪",
}
SEVERITY_EMOJI = {"critical": "🔴", "warning": "🟡", "info": "🔵"}

_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "<": "&lt;",
        ">": "&gt;",
        "*": "\\*",
        "`": "\\`",
        "[": "\\[",
        "]": "\\]",
        "\n": " ",
        "\r": " ",
    }
)


def escape(text: Any) -> str:
    """User text made inert inside a Markdown table cell."""
    return str(text).translate(_ESCAPES)


def _table(header: list[str], rows: list[list[str]], right: set[int] | None = None) -> list[str]:
    right = right or set()
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _value_cell(view: DocView, row: dict[str, Any], column: Column) -> str:
    value = (row.get("values") or {}).get(column.name)
    status = (row.get("status") or {}).get(column.name)
    text = view.fmt_unit(value, column.unit)
    if status in STATUS_EMOJI:
        text = f"{STATUS_EMOJI[status]} {text}"
    trend = view.trend(row, column)
    if trend is not None:
        text += f" {trend.arrow}"
    return text


def _period(view: DocView, period: str) -> list[str]:
    rows = view.rows_of(period)
    dims = view.dimensions_title()
    header = [escape(dims)] + [escape(c.label) for c in view.columns]
    header += [escape(view.decision_title(d)) for d in view.decisions]
    body = []
    for row in rows:
        cells = [escape(view.segment_name(row.get("segment")))]
        cells += [escape(_value_cell(view, row, c)) for c in view.columns]
        for name in view.decisions:
            label = (row.get("decisions") or {}).get(name)
            cells.append(NULL_TEXT if label is None else f"**{escape(label)}**")
        body.append(cells)
    current = period == view.as_of and len(view.periods) > 1
    suffix = f" {view.tr('table.current')}" if current else ""
    right = set(range(1, len(view.columns) + 1))
    return [f"## {period}{suffix}", "", *_table(header, body, right), ""]


def _legend(view: DocView) -> list[str]:
    tr = view.tr
    parts = [f"{STATUS_EMOJI[s]} {tr(f'status.{s}').lower()}"
             for s in ("critical", "warning", "ok", "no_data")]
    parts.append(f"{STATUS_EMOJI['skipped']} {tr('legend.skipped')}")
    if len(view.periods) > 1:
        parts.append(f"↑ ↓ → {tr('table.change')}")
    return ["_" + " · ".join(parts) + "_", ""]


def _firing(view: DocView) -> list[str]:
    if not view.rules:
        return []
    tr = view.tr
    lines = [f"## {tr('table.rules_at', period=view.as_of)}", ""]
    firing = view.firing()
    if not firing:
        return [*lines, tr("no_rule_fires"), ""]
    body = []
    for name, segments in firing:
        severity = view.rule_severity(name)
        title = view.rule_title(name)
        label = escape(title) if title == name else f"{escape(title)} (`{name}`)"
        segs = ", ".join(escape(view.segment_name(s)) for s in segments)
        body.append([f"{SEVERITY_EMOJI.get(severity, '')} {tr(f'severity.{severity}')}".strip(),
                     label, segs])
    header = [tr("severity").lower(), tr("rule").lower(), tr("segments").lower()]
    return [*lines, *_table(header, body), ""]


def _objectives(view: DocView) -> list[str]:
    if not view.objectives:
        return []
    body = []
    for objective in objective_rows(view):
        body.append(
            [
                escape(objective.label),
                escape(objective.segment_name),
                escape(objective.baseline),
                escape(objective.current),
                escape(objective.goal),
                objective.progress_text if is_number(objective.progress) else NULL_TEXT,
                objective.expected_text,
                escape(objective.deadline or NULL_TEXT),
                f"{OBJECTIVE_EMOJI.get(objective.status, '')} {objective.status_label.lower()}".strip(),
            ]
        )
    tr = view.tr
    header = [tr(key).lower() for key in ("objective", "segment", "baseline", "current", "goal",
                                          "progress", "table.expected", "deadline", "status")]
    return [f"## {tr('objectives')}", "", *_table(header, body, {2, 3, 4, 5, 6}), ""]


def _actions(view: DocView) -> list[str]:
    if not view.actions:
        return []
    with_outcome = any("outcome" in a for a in view.actions)
    tr = view.tr
    with_lifecycle = any(lifecycle_text(a, tr) for a in view.actions)
    header = [tr("rule").lower(), tr("segment"), tr("action").lower(), tr("new"),
              *([tr("lifecycle")] if with_lifecycle else []),
              tr("table.arguments")] + ([tr("table.outcome")] if with_outcome else [])
    body = []
    for action in view.actions:
        cells = [
            f"`{action.get('rule')}`",
            escape(view.segment_name(action.get("segment"))),
            escape(action.get("action") or ""),
            tr("new") if action.get("new") else "",
            *([escape(lifecycle_text(action, tr))] if with_lifecycle else []),
            escape(action_args_text(action.get("args"))),
        ]
        if with_outcome:
            outcome = str(action.get("outcome") or "")
            cells.append(escape(tr(f"outcome.{outcome}") if outcome else ""))
        body.append(cells)
    return [f"## {tr('actions')}", "", *_table(header, body), ""]


def render_markdown(doc: dict[str, Any], options: RenderOptions) -> str:
    """The document as a GitHub-flavoured Markdown page."""
    return render_markdown_view(DocView(doc, options.title), options)


def render_markdown_result(result: Result, doc: dict[str, Any], options: RenderOptions) -> str:
    """A typed result as a Markdown page, its facts read from the result (``doc``: its document)."""
    from kpirules.report.result_view import ResultView

    return render_markdown_view(ResultView(result, doc, options.title), options)


def render_markdown_view(view: DocView, options: RenderOptions) -> str:
    """What ``view`` shows, as a GitHub-flavoured Markdown page."""
    facts = [
        f"`{view.doc['ruleset']}`" if view.doc.get("ruleset") else "",
        str(view.doc.get("grain") or ""),
    ]
    if view.as_of:
        facts.append(view.tr("table.as_of", period=f"**{view.as_of}**"))
    if options.generated_at or view.doc.get("generated_at"):
        when = escape(options.generated_at or view.doc.get("generated_at"))
        facts.append(view.tr("generated_on", when=when))
    lines = [f"# {escape(view.title)}", "", " · ".join(f for f in facts if f), ""]
    for period in view.shown_periods():
        lines += _period(view, period)
    lines += _legend(view)
    lines += _firing(view)
    lines += _objectives(view)
    lines += _actions(view)
    notes = view.warnings()
    if notes:
        lines += [f"## {view.tr('warnings')}", "", *(f"- {escape(n)}" for n in notes), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
