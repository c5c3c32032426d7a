"""What a ``Result`` shows in a notebook (Jupyter, VS Code): the status table.

``Result._repr_html_`` calls :func:`summary_html`: the as-of period's table
of the HTML report (segments, verdicts, KPI values coloured by status, trend
arrows), in the ruleset's language, with inline styles only, since notebooks
keep a cell's HTML but not always a page's stylesheet. Big results show their
biggest segments, as the HTML report does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kpirules.report.base import RenderOptions
from kpirules.report.html import build_status_table, render_template
from kpirules.report.result_view import ResultView
from kpirules.report.stream import capped_result

if TYPE_CHECKING:
    from kpirules.engine.result import Result

#: Segments shown in a notebook cell.
MAX_NOTEBOOK_SEGMENTS = 30


def summary_html(result: Result) -> str:
    """The as-of status table of ``result`` as an HTML fragment."""
    shown, total = capped_result(result, MAX_NOTEBOOK_SEGMENTS)
    view = ResultView(shown, {**shown.to_dict(), "segments_total": total})
    context = build_status_table(view, RenderOptions())
    return render_template("summary.html.j2", context)
