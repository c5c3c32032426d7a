"""What actions receive is built from the typed result, never from the JSON document (issue 11).

The payload keeps its shape (interfaces §4): the values of the firing row as
the JSON document writes them (a column whose values are all whole is written
as integers, decided over the whole column, as the document decides).
"""

from __future__ import annotations

from typing import Any

import pytest

import kpirules
from kpirules.alerting.events import lifecycle_events
from kpirules.engine.result import Result
from kpirules.job import current_firings

RULES = """ruleset shop
dimension channel
metric visits
metric spend unit EUR
kpi cpv = spend / visits unit EUR
rule costly "Costly visits"
  when cpv > 1
  severity critical
  then log(text="{channel}: {cpv}")
  renotify every 2 periods
  resolve log(text="{channel} recovered")
"""


def _rows(months: list[tuple[str, str, float, float]]) -> list[dict[str, Any]]:
    return [{"month": m, "channel": c, "visits": v, "spend": s} for m, c, v, s in months]


DATA = _rows([
    ("2026-01", "paid", 100, 150.5), ("2026-01", "seo", 100, 50),
    ("2026-02", "paid", 100, 200), ("2026-02", "seo", 100, 300),
    ("2026-03", "paid", 100, 300), ("2026-03", "seo", 100, 20),
])


def _document_payload(doc: dict[str, Any], segment: dict[str, Any]) -> dict[str, Any]:
    """The row of the document the payload must agree with."""
    (row,) = [r for r in doc["rows"] if r["period"] == doc["as_of"] and r["segment"] == segment]
    return {key: row[key] for key in ("segment", "values", "status", "decisions")}


def test_firings_and_lifecycle_events_never_build_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    result = kpirules.loads(RULES).evaluate(DATA, history=True)
    doc = result.to_dict()
    monkeypatch.setattr(Result, "to_dict", lambda self: pytest.fail("the payload read the JSON document"))
    current = current_firings(result)
    events = lifecycle_events(result)
    # overall and paid fire since January (renotified in March, 2 periods on); seo's streak ended
    assert [(f.rule, f.segment, f.since) for f in current] == [("costly", {}, "2026-01"),
                                                                ("costly", {"channel": "paid"}, "2026-01")]
    assert sorted((e.event, str(e.segment.get("channel"))) for e in events) == [
        ("renotify", "None"), ("renotify", "paid"), ("resolve", "seo")]
    for firing in current:
        for payload in firing.calls:
            assert {"segment": payload.segment, "values": payload.values, "status": payload.status,
                    "decisions": payload.decisions} == _document_payload(doc, firing.segment)
            assert (payload.ruleset, payload.rule, payload.title, payload.severity, payload.period) == \
                ("shop", "costly", "Costly visits", "critical", "2026-03")
    resolved = next(e for e in events if e.event == "resolve")
    assert resolved.calls[0].args == {"text": "seo recovered"}
    assert resolved.calls[0].values == _document_payload(doc, {"channel": "seo"})["values"]


def test_a_payload_writes_numbers_as_the_document_does() -> None:
    # spend is whole in March but not in January: the document writes floats for the column
    result = kpirules.loads(RULES).evaluate(DATA, history=True)
    (paid,) = [f for f in current_firings(result) if f.segment]
    spend = paid.calls[0].values["spend"]
    assert spend == 300 and isinstance(spend, float)
    assert isinstance(paid.calls[0].values["visits"], int)  # whole everywhere: an integer
