"""``csv``, ``csv-fr`` and ``pdf`` read the typed result when the caller has one (``eval``, ``run``).

The CSV text made from the result's frame must be byte for byte the text made
from its document, on every shipped ruleset and its sample data; the PDF prints
the page :func:`render_html_result` makes. A format plugin, even one under a
built-in name, still gets the document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kpirules
from kpirules.engine.result import Result
from kpirules.report import (
    BUILTIN_FORMATS,
    OutputFormat,
    RenderOptions,
    render_with_result,
    write_file_with_result,
)
from kpirules.report import pdf as pdf_module
from kpirules.report.html import render_html, render_html_result

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data" / "marketing.csv"
RULESETS = ["funnel", "acquisition", "revenue", "web", "email_social"]
OPTIONS = RenderOptions(generated_at="2026-07-01 08:00")


def _result(name: str, **options: Any) -> Result:
    return kpirules.load(ROOT / "rulesets" / f"{name}.kpi").evaluate(str(DATA), period_column="month",
                                                                     **options)


@pytest.mark.slow
@pytest.mark.parametrize("name", RULESETS)
@pytest.mark.parametrize("history", [True, False])
@pytest.mark.parametrize("by", ["channel", "channel,campaign"])
def test_the_csv_of_the_result_is_the_csv_of_its_document(name: str, history: bool, by: str) -> None:
    result = _result(name, history=history, by=by)
    doc = result.to_dict()
    for fmt_name in ("csv", "csv-fr"):
        fmt = BUILTIN_FORMATS[fmt_name]
        text = render_with_result(fmt, result, doc, OPTIONS)
        assert text.encode("utf-8") == fmt.render(doc, OPTIONS).encode("utf-8")
        assert text.count("\n") == len(doc["rows"]) + 1


def test_the_csv_rows_come_from_the_result_not_from_the_document() -> None:
    result = _result("funnel", history=True, by="channel")
    doc = result.to_dict()
    without_rows = {**doc, "rows": []}
    fmt = BUILTIN_FORMATS["csv"]
    assert render_with_result(fmt, result, without_rows, OPTIONS) == fmt.render(doc, OPTIONS)
    assert fmt.render(without_rows, OPTIONS).count("\n") == 1  # the document's own rendering: header only


def test_a_plugin_format_named_csv_still_gets_the_document() -> None:
    result = _result("funnel", by="channel")
    doc = result.to_dict()
    plugin = OutputFormat("csv", extension="csv", render=lambda d, o: f"{len(d['rows'])} rows")
    assert render_with_result(plugin, result, doc, OPTIONS) == f"{len(doc['rows'])} rows"


def test_the_pdf_prints_the_page_of_the_result(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    printed: list[str] = []
    monkeypatch.setattr(pdf_module, "print_page", lambda html, target: printed.append(html))
    result = _result("funnel", history=True, by="channel")
    doc = result.to_dict()
    emptied = {**doc, "rows": [{**row, "rules": {}, "status": {}} for row in doc["rows"]]}
    write_file_with_result(BUILTIN_FORMATS["pdf"], result, emptied, OPTIONS, tmp_path / "r.pdf")
    assert printed == [render_html_result(result, emptied, OPTIONS)]
    assert printed[0] != render_html(emptied, OPTIONS)  # the statuses and rules read from the result


def test_a_plugin_pdf_format_still_gets_the_document(tmp_path: Path) -> None:
    result = _result("funnel", by="channel")
    doc = result.to_dict()
    written: list[Any] = []
    plugin = OutputFormat("pdf", extension="pdf", render=lambda d, o: "", write_file=lambda d, o, t: written.append(d))
    write_file_with_result(plugin, result, doc, OPTIONS, tmp_path / "r.pdf")
    assert written == [doc]
