"""The HTML report reads the typed result: ``ResultView`` says what ``DocView`` says of its document.

``DocView`` derives periods, segments, status counts, rules firing and where
a KPI applies by walking a document's rows (a format plugin has nothing
else); ``ResultView`` reads them from the result's frame. Both must agree on
every shipped ruleset and its sample data, and the page must be the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kpirules
from kpirules.engine.result import Result
from kpirules.report import BUILTIN_FORMATS, RenderOptions, render_with_result
from kpirules.report.html import render_html, render_html_result
from kpirules.report.result_view import ResultView
from kpirules.report.stream import capped_result
from kpirules.report.view import DocView

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data" / "marketing.csv"
RULESETS = ["funnel", "acquisition", "revenue", "web", "email_social"]
OPTIONS = RenderOptions(generated_at="2026-07-01 08:00")


def _result(name: str, **options: Any) -> Result:
    return kpirules.load(ROOT / "rulesets" / f"{name}.kpi").evaluate(str(DATA), period_column="month",
                                                                     **options)


def _facts(view: DocView) -> dict[str, Any]:
    every = [*view.periods, None]
    return {
        "periods": view.periods,
        "segments": view.segments(),
        "status_counts": [view.status_counts(p) for p in every],
        "firing": [view.firing(p) for p in every],
        "applies": [view.applies(s, n) for s in view.segments() for n in view.value_names()],
        "warnings": view.warnings(),
        "columns": view.columns,
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", RULESETS)
@pytest.mark.parametrize("history", [True, False])
def test_the_result_view_says_what_the_document_view_says(name: str, history: bool) -> None:
    result = _result(name, history=history, by="channel")
    doc = result.to_dict()
    assert _facts(ResultView(result, doc)) == _facts(DocView(doc))
    assert render_html_result(result, doc, OPTIONS) == render_html(doc, OPTIONS)
    for name in ("table", "markdown"):  # the same text, from the result
        fmt = BUILTIN_FORMATS[name]
        assert render_with_result(fmt, result, doc, OPTIONS) == fmt.render(doc, OPTIONS)


def test_a_capped_result_gives_the_capped_page() -> None:
    result = _result("funnel", history=True, by="channel,campaign")
    shown, total = capped_result(result, 3)
    doc = {**shown.to_dict(), "segments_total": total}
    assert total > 3 and len([s for s in ResultView(shown, doc).segments() if s]) == 3
    assert _facts(ResultView(shown, doc)) == _facts(DocView(doc))
    assert render_with_result(BUILTIN_FORMATS["html"], shown, doc, OPTIONS) == render_html(doc, OPTIONS)


def test_the_view_reads_the_result_not_the_rows_of_the_document() -> None:
    result = _result("funnel", history=True, by="channel")
    doc = result.to_dict()
    firing = ResultView(result, doc).firing()
    counts = ResultView(result, doc).status_counts()
    emptied = {**doc, "rows": [{**row, "rules": {}, "status": {}} for row in doc["rows"]]}
    assert ResultView(result, emptied).firing() == firing  # not read from the rows
    assert ResultView(result, emptied).status_counts() == counts
    assert DocView(emptied).status_counts() != counts  # whereas the document's view reads them


def test_a_format_without_a_result_renderer_gets_the_document() -> None:
    result = _result("funnel")
    doc = result.to_dict()
    jsonl = BUILTIN_FORMATS["jsonl"]  # csv reads the result: see test_result_csv_pdf.py
    assert render_with_result(jsonl, result, doc, OPTIONS) == jsonl.render(doc, OPTIONS)
    assert (render_with_result(jsonl, result, {**doc, "rows": []}, OPTIONS)
            == jsonl.render({**doc, "rows": []}, OPTIONS) != jsonl.render(doc, OPTIONS))


def test_the_terminal_table_and_markdown_read_the_result_too() -> None:
    result = _result("funnel", history=True, by="channel")
    doc = result.to_dict()
    emptied = {**doc, "rows": [{**row, "rules": {}} for row in doc["rows"]]}
    for name in ("table", "markdown"):
        fmt = BUILTIN_FORMATS[name]
        # the rules firing come from the result, not from the rows of the document
        assert render_with_result(fmt, result, emptied, OPTIONS) == render_with_result(fmt, result, doc, OPTIONS)
        assert fmt.render(emptied, OPTIONS) != fmt.render(doc, OPTIONS)
