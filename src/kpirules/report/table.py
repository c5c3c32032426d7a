"""The ``table`` format: what ``kpirules eval`` prints on a terminal (Rich).

One table per period shown (the as-of period, every period with history):
a row per segment, the overall row first, a column per KPI (and per metric
that has a threshold), then the decisions. Then the rules firing at the as-of
period, the objectives with their progress, the actions and the warnings.

Status is never carried by colour alone, so that piped output, ``NO_COLOR``
and colour-blind readers lose nothing: ``!!`` marks a critical value, ``!`` a
warning, ``~`` a value not judged (``skipped``), ``—`` a missing value. With ``options.color`` the statuses are also
coloured (critical red, warning yellow, ok green, no data and skipped dim),
and trend arrows are green when they go the ``better`` way, red otherwise.
Without it the text holds no ANSI code at all.

Wide rulesets are split into several tables that each fit the width, the
segment column repeated, rather than squeezing 50 columns into illegibility.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from kpirules.report.base import RenderOptions
from kpirules.report.lifecycle import lifecycle_text
from kpirules.report.objectives import objective_rows
from kpirules.report.values import NULL_TEXT, is_number
from kpirules.report.view import Column, DocView, action_args_text

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod
    from rich.table import Table
    from rich.text import Text

    from kpirules.engine.result import Result

DEFAULT_WIDTH = 120

STATUS_STYLES = {
    "critical": "bold red",
    "warning": "yellow",
    "ok": "green",
    "no_data": "dim",
    "skipped": "dim",
}
STATUS_MARKERS = {"critical": "!!", "warning": "!", "skipped": "~"}
TREND_STYLES = {"good": "green", "bad": "red", "neutral": "dim"}
OBJECTIVE_STYLES = {
    "achieved": "green",
    "on_track": "green",
    "at_risk": "yellow",
    "missed": "bold red",
    "no_data": "dim",
}
SEVERITY_STYLES = {"critical": "bold red", "warning": "yellow", "info": "cyan"}

#: Blanks at the end of a line, possibly followed by style-reset codes.
_TRAILING_BLANKS = re.compile(r"\s+((?:\x1b\[[0-9;]*m)*)$")

#: Overhead of one column in a Rich table: one space of padding on each
#: side and one separator.
_COLUMN_OVERHEAD = 3


def render_table(doc: dict[str, Any], options: RenderOptions) -> str:
    """The document as terminal text, coloured only when ``options.color``."""
    return render_table_view(DocView(doc, options.title), options)


def render_table_result(result: Result, doc: dict[str, Any], options: RenderOptions) -> str:
    """A typed result as terminal text, its facts read from the result (``doc``: its document)."""
    from kpirules.report.result_view import ResultView

    return render_table_view(ResultView(result, doc, options.title), options)


def render_table_view(view: DocView, options: RenderOptions) -> str:
    """What ``view`` shows, as terminal text, coloured only when ``options.color``."""
    from rich.console import Console

    console = Console(
        file=io.StringIO(),
        width=options.width or DEFAULT_WIDTH,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        no_color=not options.color,
        force_jupyter=False,
        force_interactive=False,
        emoji=False,
        highlight=False,
        markup=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    _header(console, view)
    for period in view.shown_periods():
        _period_tables(console, view, period)
    _legend(console, view)
    _firing_rules(console, view)
    _objectives(console, view)
    _actions(console, view)
    _warnings(console, view)
    file = console.file
    assert isinstance(file, io.StringIO)
    # Rich pads every line to the full width; trailing blanks only get in the
    # way of diffs, copy-paste and tests.
    return "\n".join(_TRAILING_BLANKS.sub(r"\1", line) for line in file.getvalue().split("\n"))


def _text(value: str, style: str = "") -> Text:
    """User text as a Rich ``Text``: never parsed as markup (labels are user text)."""
    from rich.text import Text

    return Text(value, style=style)


def _new_table(title: str | None = None) -> Table:
    from rich import box
    from rich.table import Table

    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        header_style="bold",
        pad_edge=False,
        show_edge=False,
    )


def _header(console: Console, view: DocView) -> None:
    parts = [p for p in (view.doc.get("ruleset"), view.doc.get("grain")) if p]
    if view.as_of:
        parts.append(view.tr("table.as_of", period=view.as_of))
    line = _text(view.title, "bold")
    if parts:
        line.append("  " + " · ".join(str(p) for p in parts), style="dim")
    console.print(line)


def _value_cell(view: DocView, row: dict[str, Any], column: Column) -> Text:
    """A value with its status marker and trend arrow, styled by status."""
    value = (row.get("values") or {}).get(column.name)
    status = (row.get("status") or {}).get(column.name)
    # Styles go on spans, not on the Text itself: a Text's own style would
    # also tint the arrow appended after the value.
    cell = _text("")
    cell.append(view.fmt_unit(value, column.unit), STATUS_STYLES.get(status or "", ""))
    marker = STATUS_MARKERS.get(status or "")
    if marker:
        cell.append(" " + marker, style=STATUS_STYLES[status or ""])
    trend = view.trend(row, column)
    if trend is not None:
        cell.append(" " + trend.arrow, style=TREND_STYLES[trend.tone])
    return cell


def _cell_width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _chunks(widths: list[int], available: int) -> list[list[int]]:
    """Split column indexes into consecutive groups whose widths fit ``available``."""
    groups: list[list[int]] = []
    current: list[int] = []
    used = 0
    for index, width in enumerate(widths):
        if current and used + width > available:
            groups.append(current)
            current, used = [], 0
        current.append(index)
        used += width
    if current:
        groups.append(current)
    return groups


def wrap_header(label: str, width: int = 14) -> str:
    """A header broken into lines of at most ``width`` cells (longer words stay whole).

    Headers are wrapped here rather than by Rich so that value columns can be
    ``no_wrap``: Rich breaks lines at any whitespace, the no-break spaces
    inside ``10 000 €`` included, and a number must never be cut in two.
    """
    import textwrap

    return "\n".join(textwrap.wrap(label, width, break_long_words=False)) or label


def _period_tables(console: Console, view: DocView, period: str) -> None:
    rows = view.rows_of(period)
    segment_cells = [_text(view.segment_name(r.get("segment"))) for r in rows]
    dims = view.dimensions_title()
    # Each shown column: a header, a justification and one cell per row.
    columns: list[tuple[str, JustifyMethod, list[Text]]] = []
    for column in view.columns:
        cells = [_value_cell(view, r, column) for r in rows]
        columns.append((wrap_header(column.label), "right", cells))
    for name in view.decisions:
        cells = [_text(_decision_text(r, name)) for r in rows]
        columns.append((wrap_header(view.decision_title(name)), "left", cells))

    segment_width = (
        max([_cell_width(dims), *(c.cell_len for c in segment_cells)]) + _COLUMN_OVERHEAD
    )
    widths = [
        max([*(_cell_width(line) for line in label.split("\n")), *(c.cell_len for c in cells)])
        + _COLUMN_OVERHEAD
        for label, _, cells in columns
    ]
    available = max((console.width or DEFAULT_WIDTH) - segment_width, 20)
    current = period == view.as_of and len(view.periods) > 1
    title = f"{period} {view.tr('table.current')}" if current else period
    console.print()
    groups = _chunks(widths, available) or [[]]
    for number, group in enumerate(groups):
        table = _new_table(title if number == 0 else view.tr("table.continued", period=period))
        # Fixed widths (already measured above) spare Rich measuring every
        # cell again: it is most of the time of a long history.
        table.add_column(dims, no_wrap=True, width=segment_width - _COLUMN_OVERHEAD)
        for index in group:
            label, justify, _ = columns[index]
            table.add_column(
                label,
                justify=justify,
                no_wrap=True,
                width=widths[index] - _COLUMN_OVERHEAD,
            )
        for position, segment_cell in enumerate(segment_cells):
            table.add_row(segment_cell, *(columns[i][2][position] for i in group))
        console.print(table)


def _decision_text(row: dict[str, Any], name: str) -> str:
    label = (row.get("decisions") or {}).get(name)
    return NULL_TEXT if label is None else str(label)


def _legend(console: Console, view: DocView) -> None:
    legend = _text("")
    tr = view.tr
    legend.append(tr("table.status"), "dim")
    legend.append(f"!! {tr('level.critical')}", STATUS_STYLES["critical"])
    legend.append("  ")
    legend.append(f"! {tr('level.warning')}", STATUS_STYLES["warning"])
    legend.append(f"  ~ {tr('legend.skipped')}", STATUS_STYLES["skipped"])
    legend.append(f"  {NULL_TEXT} {tr('table.no_value')}", "dim")
    if len(view.periods) > 1:
        legend.append(f"  ↑ ↓ → {tr('table.change')}", "dim")
    console.print(legend)


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(_text(title, "bold underline"))


def _firing_rules(console: Console, view: DocView) -> None:
    if not view.rules:
        return
    tr = view.tr
    _section(console, tr("table.rules_at", period=view.as_of))
    firing = view.firing()
    if not firing:
        console.print(_text(tr("no_rule_fires"), "dim"))
        return
    table = _new_table()
    table.add_column(tr("severity").lower())
    table.add_column(tr("rule").lower())
    table.add_column(tr("segments").lower())
    for name, segments in firing:
        severity = view.rule_severity(name)
        title = view.rule_title(name)
        label = title if title == name else f"{title} ({name})"
        names = ", ".join(view.segment_name(s) for s in segments)
        table.add_row(
            _text(tr(f"severity.{severity}"), SEVERITY_STYLES.get(severity, "")), _text(label),
            _text(names)
        )
    console.print(table)


def progress_bar(progress: Any, width: int = 10) -> str:
    """A text bar for an objective's progress: ``██████░░░░``, bounded to [0, 1]."""
    if not is_number(progress):
        return "░" * width
    filled = round(max(0.0, min(1.0, float(progress))) * width)
    return "█" * filled + "░" * (width - filled)


def _objectives(console: Console, view: DocView) -> None:
    """Objectives as a table, or as a list when the terminal is too narrow for one."""
    if not view.objectives:
        return
    tr = view.tr
    _section(console, tr("objectives"))
    table = _new_table()
    table.add_column(tr("objective").lower(), min_width=16)
    table.add_column(view.dimensions_title(), no_wrap=True)
    table.add_column(tr("current").lower(), justify="right", no_wrap=True)
    table.add_column(tr("table.baseline_goal"), justify="right", no_wrap=True)
    table.add_column(tr("progress").lower(), no_wrap=True)
    table.add_column(tr("table.expected"), justify="right", no_wrap=True)
    table.add_column(tr("status").lower(), no_wrap=True)
    lines: list[Text] = []
    # Widest cell of each no_wrap column (headers included), to know whether
    # the table fits: Rich's own measure ignores no_wrap.
    widths = [_cell_width(str(c.header)) for c in table.columns[1:]]
    for objective in objective_rows(view):
        label = objective.label
        if objective.deadline:
            label += f" ({tr('table.by', deadline=objective.deadline)})"
        segment = objective.segment_name
        current = objective.current
        span = f"{objective.baseline} → {objective.goal}"
        bar = f"{progress_bar(objective.progress)} {objective.progress_text}"
        expected = objective.expected_text
        status_text = _text(objective.status_label.lower(), OBJECTIVE_STYLES.get(objective.status, ""))
        cells = [
            _text(segment),
            _text(current),
            _text(span),
            _text(bar),
            _text(expected),
            status_text,
        ]
        widths = [max(w, c.cell_len) for w, c in zip(widths, cells, strict=True)]
        table.add_row(_text(label), *cells)
        line = _text(f"- {label}\n    {segment}: ")
        line.append_text(status_text)
        line.append(f", {current} ({span})\n    {tr('progress').lower()} {bar}, {tr('table.expected')} {expected}")
        lines.append(line)
    needed = 16 + sum(widths) + _COLUMN_OVERHEAD * len(table.columns)
    if needed <= console.width:
        console.print(table)
    else:
        for line in lines:
            console.print(line)


def _actions(console: Console, view: DocView) -> None:
    if not view.actions:
        return
    tr = view.tr
    _section(console, tr("actions"))
    with_outcome = any("outcome" in a for a in view.actions)
    with_lifecycle = any(lifecycle_text(a, tr) for a in view.actions)
    table = _new_table()
    for header in (tr("rule").lower(), view.dimensions_title(), tr("action").lower(), tr("new"),
                   *([tr("lifecycle")] if with_lifecycle else []), tr("table.arguments")):
        table.add_column(header)
    if with_outcome:
        table.add_column(tr("table.outcome"))
    for action in view.actions:
        severity = str(action.get("severity") or "")
        cells = [
            _text(str(action.get("rule") or ""), SEVERITY_STYLES.get(severity, "")),
            _text(view.segment_name(action.get("segment"))),
            _text(str(action.get("action") or "")),
            _text(tr("new") if action.get("new") else ""),
            *([_text(lifecycle_text(action, tr))] if with_lifecycle else []),
            _text(action_args_text(action.get("args"))),
        ]
        if with_outcome:
            outcome = str(action.get("outcome") or "")
            cells.append(_text(tr(f"outcome.{outcome}") if outcome else "",
                               "red" if outcome == "failed" else ""))
        table.add_row(*cells)
    console.print(table)


def _warnings(console: Console, view: DocView) -> None:
    notes = view.warnings()
    if not notes:
        return
    _section(console, view.tr("warnings"))
    for note in notes:
        console.print(_text(f"- {note}", "yellow"))
