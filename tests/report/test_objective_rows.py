"""Objectives are read from the document in one place, for every report."""

from __future__ import annotations

from kpirules.report.objectives import objective_rows
from kpirules.report.view import DocView

DOC = {
    "as_of": "2026-06", "locale": "fr", "dimensions": ["channel"], "rows": [],
    "definitions": {"cr": {"kind": "kpi", "label": "Conversion", "unit": "percent"}},
    "objectives": [
        {"name": "grow", "title": None, "kpi": "cr", "segment": {}, "baseline": 0.1, "current": 0.12,
         "goal": 0.15, "progress": 0.4, "expected_progress": 0.5, "deadline": "2026-12", "status": "at_risk"},
        {"name": "grow", "title": "Plus de clients", "kpi": "cr", "segment": {"channel": "seo"},
         "baseline": None, "current": None, "goal": None, "progress": None, "expected_progress": None,
         "deadline": None, "status": None},
    ],
}


def test_each_objective_is_one_typed_row_formatted_in_the_document_language() -> None:
    first, second = objective_rows(DocView(DOC))
    assert (first.name, first.label, first.kpi_label, first.segment_name) == ("grow", "grow", "Conversion",
                                                                               "(ensemble)")
    assert first.current == "12\u00a0%" and first.progress_text == "40\u00a0%" and first.expected_text == "50\u00a0%"
    assert first.behind and first.overall and first.deadline == "2026-12"
    assert first.status_label == "En retard"
    assert (second.label, second.segment_name, second.status, second.deadline) == \
        ("Plus de clients", "seo", "no_data", None)
    assert not second.behind and not second.overall
