"""Streaming formats (csv, csv-fr, jsonl) and the capped HTML document."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

import kpirules
from kpirules.report import BUILTIN_FORMATS, RenderOptions
from kpirules.report.stream import capped_document, header_document, iter_rows
from support.cli import run_process

RULES = """\
ruleset shop "Boutique"
  locale fr
dimension channel "Canal"
metric visits unit count
metric sales unit EUR
kpi per_visit = sales / visits unit EUR
threshold per_visit
  warning < 1
"""


def rows(channels: int = 7, months: int = 4) -> list[dict[str, Any]]:
    return [{"period": f"2026-0{m + 1}", "channel": f"c{c}", "visits": 100 * (c + 1) + m,
             "sales": 50.5 * c + m} for m in range(months) for c in range(channels)]


@pytest.fixture
def result() -> Any:
    return kpirules.loads(RULES).evaluate(rows(), history=True)


def test_rows_in_chunks_are_the_documents_rows(result: Any) -> None:
    assert list(iter_rows(result, chunk_rows=3)) == result.to_dict()["rows"]


def test_the_header_document_has_everything_but_rows(result: Any) -> None:
    header, doc = header_document(result), result.to_dict()
    assert header["rows"] == []
    assert {k: v for k, v in header.items() if k != "rows"} == {
        k: v for k, v in doc.items() if k != "rows"}


@pytest.mark.parametrize("name", ["csv", "csv-fr", "jsonl"])
def test_streamed_output_equals_the_rendered_document(result: Any, name: str) -> None:
    fmt = BUILTIN_FORMATS[name]
    assert fmt.write is not None
    out = io.StringIO()
    fmt.write(header_document(result), iter_rows(result, chunk_rows=4), RenderOptions(), out)
    assert out.getvalue() == fmt.render(result.to_dict(), RenderOptions())


def test_jsonl_is_one_row_object_per_line(result: Any) -> None:
    text = BUILTIN_FORMATS["jsonl"].render(result.to_dict(), RenderOptions())
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines == result.to_dict()["rows"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_eval_streams_to_a_file_and_to_stdout(tmp_path: Path, fmt: str) -> None:
    rules = tmp_path / "shop.kpi"
    rules.write_text(RULES, encoding="utf-8")
    data = tmp_path / "data.json"
    data.write_text(json.dumps(rows()), encoding="utf-8")
    args = ["eval", str(rules), "--data", str(data), "--history", "--format", fmt]
    printed = run_process(*args)
    assert printed.returncode == 0, printed.stderr
    target = tmp_path / f"out.{fmt}"
    written = run_process(*args, "-o", str(target))
    assert written.returncode == 0, written.stderr
    expected = BUILTIN_FORMATS[fmt].render(
        kpirules.loads(RULES).evaluate(rows(), history=True).to_dict(), RenderOptions())
    assert target.read_text(encoding="utf-8") == expected
    assert printed.stdout == expected
    missing = run_process(*args, "-o", str(tmp_path / "nowhere" / "x"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr


def test_the_html_document_keeps_the_biggest_segments(result: Any) -> None:
    doc = capped_document(result, 3)
    segments = {r["segment"].get("channel") for r in doc["rows"] if r["segment"]}
    assert segments == {"c6", "c5", "c4"}  # the most visits
    assert any(not r["segment"] for r in doc["rows"])  # the overall level stays
    assert doc["segments_total"] == 7
    html = BUILTIN_FORMATS["html"].render(doc, RenderOptions())
    assert "Ce rapport trace les 3 plus grands des 7 segments" in html
    assert capped_document(result, 10)["rows"] == result.to_dict()["rows"]
