"""Output formats of ``kpirules eval`` and ``kpirules run``.

Every format renders the JSON document of an evaluation (interfaces §3 and
docs/internals.md) to text; see docs/reports.md for what each one shows.
``BUILTIN_FORMATS`` is what the built-in plugin registers.

Importing this package is cheap on purpose: each format's module is imported
when that format is first asked for (:func:`builtin_format`), and Rich, Jinja2
and Polars by the render functions that need them, so that ``kpirules
--version`` or ``kpirules check`` never pay for them, and ``eval --format
json`` pays for the JSON format only.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, Any

from kpirules.report.base import OutputFormat, Renderer, RenderOptions

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["BUILTIN_FORMATS", "OutputFormat", "RenderOptions", "Renderer", "builtin_format",
           "render_with_result", "write_file_with_result"]

#: Each built-in format: its module of :mod:`kpirules.report`, the names of that module it
#: uses (``other:NAME``: of another module of the package), and its other fields.
_FORMATS: dict[str, tuple[str, dict[str, str], dict[str, Any]]] = {
    "table": ("table", {"render": "render_table"}, {
        "extension": "txt",
        "description": "Tables for the terminal: statuses, trends, rules, objectives, actions"}),
    "json": ("jsonfmt", {"render": "render_json", "write": "write_json"}, {
        "extension": "json", "description": "The full evaluation document (JSON)"}),
    "csv": ("csvfmt", {"render": "render_csv", "write": "write_csv"}, {
        "extension": "csv",
        "description": "One line per period and segment: comma-separated, decimal points"}),
    "csv-fr": ("csvfmt", {"render": "render_csv_fr", "write": "write_csv_fr"}, {
        "extension": "csv",
        "description": "CSV for French spreadsheets: semicolons, decimal commas, UTF-8 BOM"}),
    "jsonl": ("jsonfmt", {"render": "render_jsonl", "write": "write_jsonl"}, {
        "extension": "jsonl",
        "description": "JSON Lines: one row object per line, written as it is computed"}),
    "markdown": ("markdown", {"render": "render_markdown"}, {
        "extension": "md",
        "description": "GitHub-flavoured Markdown tables, for issues, wikis and chats"}),
    "html": ("html", {"render": "render_html", "max_segments": "MAX_TABLE_SEGMENTS"}, {
        "extension": "html", "needs_history": True,
        "description": "A self-contained HTML report with charts over time, readable offline"}),
    "pdf": ("pdf", {"render": "render_pdf", "write_file": "write_pdf",
                    "max_segments": "html:MAX_TABLE_SEGMENTS"}, {
        "extension": "pdf", "needs_history": True,
        "description": "The HTML report printed to PDF by headless Chromium (needs -o)"}),
}


@cache
def builtin_format(name: str) -> OutputFormat:
    """The built-in format ``name``, importing its module only (``KeyError`` if none)."""
    module_name, names, fields = _FORMATS[name]

    def named(ref: str) -> Any:
        other, _, attribute = ref.rpartition(":")
        return getattr(importlib.import_module(f"{__name__}.{other or module_name}"), attribute)

    return OutputFormat(name, **{key: named(ref) for key, ref in names.items()}, **fields)


#: The built-in formats that read a typed ``Result`` when the caller has one (``eval``, ``run``):
#: the function of the format's module that does; their ``render(doc)`` stays the document's,
#: as for any format plugin.
_RESULT_RENDERERS = {"html": "render_html_result", "table": "render_table_result",
                     "markdown": "render_markdown_result", "csv": "render_csv_result",
                     "csv-fr": "render_csv_fr_result"}
#: The same for the built-in formats that write a file (``write_file``) rather than text.
_RESULT_FILE_WRITERS = {"pdf": "write_pdf_result"}


def _result_function(fmt: OutputFormat, functions: dict[str, str], field: str) -> Any:
    """The function of ``functions`` reading a typed result for ``fmt``, or None when ``fmt`` is
    not a built-in format that reads one (a plugin's format, even under a built-in name)."""
    name = functions.get(fmt.name)
    if name is None or getattr(fmt, field) is not getattr(builtin_format(fmt.name), field):
        return None
    return getattr(importlib.import_module(f"{__name__}.{_FORMATS[fmt.name][0]}"), name)


def render_with_result(fmt: OutputFormat, result: Any, doc: dict[str, Any], options: RenderOptions) -> str:
    """``fmt``'s text for ``result`` (``doc``: its document, with what the caller added): from the
    typed result when ``fmt`` is a built-in format that reads it, else from ``doc``."""
    renderer = _result_function(fmt, _RESULT_RENDERERS, "render")
    if renderer is None:
        return fmt.render(doc, options)
    return str(renderer(result, doc, options))


def write_file_with_result(fmt: OutputFormat, result: Any, doc: dict[str, Any], options: RenderOptions,
                           target: Path) -> None:
    """``fmt``'s file (``write_file``: pdf) for ``result`` at ``target``, as
    :func:`render_with_result` renders text: from the typed result when ``fmt`` is a built-in
    format that reads it, else from ``doc``."""
    writer = _result_function(fmt, _RESULT_FILE_WRITERS, "write_file")
    if writer is None:
        assert fmt.write_file is not None
        fmt.write_file(doc, options, target)
    else:
        writer(result, doc, options, target)


def __getattr__(name: str) -> dict[str, OutputFormat]:
    """``BUILTIN_FORMATS``: every built-in format by name (imports them all, PEP 562)."""
    if name == "BUILTIN_FORMATS":
        return {fmt: builtin_format(fmt) for fmt in _FORMATS}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
