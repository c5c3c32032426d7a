"""The document's rows written as JSON by Polars: byte for byte what Python writes of them.

``json`` and ``jsonl`` write the engine's rows from Polars (engine/result_json.py);
every row's text must be ``json.dumps`` of the row object ``to_dict`` gives,
whatever the numbers: tiny floats (Python writes ``1e-05``), huge ones,
whole floats among others, infinities (a KPI overflowing), nulls, text with quotes and
accents, a document without dimensions, decisions or rules.
"""

from __future__ import annotations

import io
import json
import random
from typing import Any

import polars as pl
import pytest

import kpirules
from kpirules.report import jsonfmt
from kpirules.report.base import RenderOptions
from kpirules.report.stream import header_document, iter_rows

RULES = """ruleset r
dimension shop
dimension city
metric spend unit EUR
metric orders unit count
metric odd
kpi basket = spend / orders unit EUR
kpi tiny = odd / 1000000
kpi whole = orders * 2
kpi boom = odd * 1e300 * 1e10
threshold basket
  warning > 50
decision verdict
  "hi \\"quoted\\" é" when basket > 80
  "lo" otherwise
rule high "High"
  when basket > 90
  then notify(text="{shop} high")
"""

BARE = """ruleset r
metric spend
kpi half = spend / 2
"""

ODD_VALUES = [0.0, -0.0, 1e-5, -3.5e-5, 9.99e-5, 1.5e-7, 2.5e-300, 1e16, -1.5e17, 1e300, 0.1, 2.0, 123456.789]


def frame(seed: int, nonfinite: bool) -> pl.DataFrame:
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for month in range(1, 7):
        for shop in ["a", 'b "x"', "é€😀", None]:
            odd = rng.choice(ODD_VALUES) * rng.choice([1, 1e-3, 1e3])
            if not nonfinite:  # boom (odd × 1e310) is infinite for a large odd
                odd = min(odd, 1.0)
            rows.append({"month": f"2026-{month:02d}", "shop": shop, "city": rng.choice(["x", None]),
                         "spend": rng.choice([rng.randint(0, 900), rng.random() * 900, None]),
                         "orders": rng.randint(0, 12), "odd": odd})
    return pl.DataFrame(rows, schema_overrides={"odd": pl.Float64, "spend": pl.Float64})


def python_texts(doc: dict[str, Any]) -> list[str]:
    return [json.dumps(r, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=str)
            for r in doc["rows"]]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("nonfinite", [False, True])
def test_each_row_is_what_python_writes(seed: int, nonfinite: bool) -> None:
    result = kpirules.loads(RULES, "r.kpi").evaluate(frame(seed, nonfinite), history=True)
    assert result.json_rows() == python_texts(result.to_dict())


def test_a_document_without_dimensions_decisions_or_rules() -> None:
    data = [{"month": f"2026-{m:02d}", "spend": v} for m, v in enumerate([1e-5, 3.0, None, 7.25], start=1)]
    result = kpirules.loads(BARE, "r.kpi").evaluate(data, history=True)
    assert result.json_rows() == python_texts(result.to_dict())


@pytest.mark.parametrize("name", ["json", "jsonl"])
def test_streamed_output_is_the_rendered_document(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonfmt, "INDENT_UP_TO_ROWS", 5)  # compact from 6 rows: the Polars path
    result = kpirules.loads(RULES, "r.kpi").evaluate(frame(7, True), history=True)
    doc = result.to_dict()
    assert len(doc["rows"]) > 5
    out = io.StringIO()
    rows = iter_rows(result, chunk_rows=7)  # chunks: integers or not is still decided on every row
    writer = jsonfmt.write_json if name == "json" else jsonfmt.write_jsonl
    writer(header_document(result), rows, RenderOptions(), out)
    expected = jsonfmt.render_json(doc, RenderOptions()) if name == "json" else \
        jsonfmt.render_jsonl(doc, RenderOptions())
    assert out.getvalue() == expected


def test_a_column_whole_in_one_chunk_only_is_written_as_in_the_document() -> None:
    data = [{"month": f"2026-{m:02d}", "spend": v} for m, v in enumerate([2.5, 3.0, 4.0, 6.0], start=1)]
    result = kpirules.loads(BARE, "r.kpi").evaluate(data, history=True)
    chunked = [t for chunk in iter_rows(result, chunk_rows=1).json_chunks() for t in chunk]
    assert chunked == python_texts(result.to_dict())
    assert list(iter_rows(result, chunk_rows=1)) == result.to_dict()["rows"]
    assert '"spend":3.0' in chunked[1]
