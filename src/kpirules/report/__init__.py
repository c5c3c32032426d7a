"""Output formats of ``kpirules eval`` and ``kpirules run``.

Every format renders the JSON document of an evaluation (interfaces §3 and
docs/internals.md) to text; see docs/reports.md for what each one shows.
``BUILTIN_FORMATS`` is what the built-in plugin registers.

Importing this package is cheap on purpose: Rich, Jinja2, Babel and
Polars are imported by the render functions that need them, so that
``kpirules --version`` or ``kpirules check`` never pay for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kpirules.report.base import OutputFormat, Renderer, RenderOptions
from kpirules.report.csvfmt import render_csv, render_csv_fr, write_csv, write_csv_fr
from kpirules.report.html import MAX_TABLE_SEGMENTS, render_html, render_html_result
from kpirules.report.jsonfmt import render_json, render_jsonl, write_jsonl
from kpirules.report.markdown import render_markdown, render_markdown_result
from kpirules.report.pdf import render_pdf, write_pdf
from kpirules.report.table import render_table, render_table_result

BUILTIN_FORMATS: dict[str, OutputFormat] = {
    fmt.name: fmt
    for fmt in (
        OutputFormat(
            "table",
            "txt",
            render_table,
            description="Tables for the terminal: statuses, trends, rules, objectives, actions",
        ),
        OutputFormat(
            "json", "json", render_json, description="The full evaluation document (JSON)"
        ),
        OutputFormat(
            "csv",
            "csv",
            render_csv,
            description="One line per period and segment: comma-separated, decimal points",
            write=write_csv,
        ),
        OutputFormat(
            "csv-fr",
            "csv",
            render_csv_fr,
            description="CSV for French spreadsheets: semicolons, decimal commas, UTF-8 BOM",
            write=write_csv_fr,
        ),
        OutputFormat(
            "jsonl",
            "jsonl",
            render_jsonl,
            description="JSON Lines: one row object per line, written as it is computed",
            write=write_jsonl,
        ),
        OutputFormat(
            "markdown",
            "md",
            render_markdown,
            description="GitHub-flavoured Markdown tables, for issues, wikis and chats",
        ),
        OutputFormat(
            "html",
            "html",
            render_html,
            needs_history=True,
            description="A self-contained HTML report with charts over time, readable offline",
            max_segments=MAX_TABLE_SEGMENTS,
        ),
        OutputFormat(
            "pdf",
            "pdf",
            render_pdf,
            needs_history=True,
            description="The HTML report printed to PDF by headless Chromium (needs -o)",
            max_segments=MAX_TABLE_SEGMENTS,
            write_file=write_pdf,
        ),
    )
}

#: The built-in formats that read a typed ``Result`` when the caller has one (``eval``, ``run``):
#: their ``render(doc)`` stays the document's, as for any format plugin.
RESULT_RENDERERS: dict[Renderer, Callable[[Any, dict[str, Any], RenderOptions], str]] = {
    render_html: render_html_result,
    render_table: render_table_result,
    render_markdown: render_markdown_result,
}


def render_with_result(fmt: OutputFormat, result: Any, doc: dict[str, Any], options: RenderOptions) -> str:
    """``fmt``'s text for ``result`` (``doc``: its document, with what the caller added): from the
    typed result when the format is a built-in one that reads it, else from ``doc``."""
    by_result = RESULT_RENDERERS.get(fmt.render)
    return by_result(result, doc, options) if by_result is not None else fmt.render(doc, options)


__all__ = ["BUILTIN_FORMATS", "RESULT_RENDERERS", "OutputFormat", "RenderOptions", "Renderer",
           "render_with_result"]
