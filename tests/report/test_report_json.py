"""The ``json`` format."""

from __future__ import annotations

import json
import math
from typing import Any

from kpirules.report import BUILTIN_FORMATS, RenderOptions


def render(doc: dict[str, Any]) -> str:
    return BUILTIN_FORMATS["json"].render(doc, RenderOptions())


def test_json_is_the_document_itself(history_doc: dict[str, Any]) -> None:
    assert json.loads(render(history_doc)) == history_doc


def test_json_is_indented_and_keeps_accents_readable(doc: dict[str, Any]) -> None:
    text = render(doc)
    assert text.endswith("}\n")
    assert '\n  "ruleset": "funnel",' in text
    assert "Coût d'acquisition client" in text
    assert "Réseaux sociaux" in text
    assert "\\u00" not in text


def test_non_finite_numbers_become_null(doc: dict[str, Any]) -> None:
    doc["rows"][0]["values"]["cac"] = math.nan
    doc["rows"][0]["values"]["roi"] = math.inf
    doc["objectives"][0]["progress"] = -math.inf
    text = render(doc)
    assert "NaN" not in text and "Infinity" not in text
    parsed = json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    assert parsed["rows"][0]["values"]["cac"] is None
    assert parsed["rows"][0]["values"]["roi"] is None
    assert parsed["objectives"][0]["progress"] is None
    # the caller's document is left as it was
    assert math.isnan(doc["rows"][0]["values"]["cac"])
