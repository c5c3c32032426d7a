"""Small helpers for engine tests: evaluate rule text on rows."""

from __future__ import annotations

from typing import Any

import kpirules


def evaluate(rules: str, rows: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    text = rules if rules.lstrip().startswith("ruleset") else "ruleset t\n" + rules
    return kpirules.loads(text, "t.kpi").evaluate(rows, **options).to_dict()


def row(doc: dict[str, Any], period: str | None = None, **segment: Any) -> dict[str, Any]:
    period = period or doc["as_of"]
    hits = [r for r in doc["rows"] if r["period"] == period and r["segment"] == segment]
    assert len(hits) == 1, f"{len(hits)} rows for {period} {segment}"
    return hits[0]


def values(doc: dict[str, Any], name: str, **segment: Any) -> list[Any]:
    """The value of ``name`` for each period of the segment, in order."""
    return [r["values"][name] for r in doc["rows"] if r["segment"] == segment]
