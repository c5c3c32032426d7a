"""The HTML report explains each KPI whose status worsened; forecasts in words."""

from __future__ import annotations

import pytest

import kpirules
from kpirules.answers.report import why_context, worsened_whys
from kpirules.answers.wording import forecast_text
from kpirules.report.base import RenderOptions
from kpirules.report.html import render_html

RULES = """ruleset acq
dimension channel
metric spend unit EUR
metric customers unit count
metric visits unit count
kpi cac = spend / customers unit EUR better lower label "Customer acquisition cost"
kpi cpv = spend / visits unit EUR better lower
threshold cac
  warning > 100
threshold cpv
  warning > 100
"""
ROWS = [
    {"month": "2026-01", "channel": "a", "spend": 900, "customers": 10, "visits": 100},
    {"month": "2026-01", "channel": "b", "spend": 900, "customers": 10, "visits": 100},
    {"month": "2026-02", "channel": "a", "spend": 900, "customers": 4, "visits": 100},
    {"month": "2026-02", "channel": "b", "spend": 900, "customers": 10, "visits": 100},
]


@pytest.mark.slow
def test_only_the_kpis_whose_status_worsened_are_explained() -> None:
    result = kpirules.loads(RULES).evaluate(ROWS, history=True)
    whys = worsened_whys(result)
    assert [w["kpi"] for w in whys] == ["cac"]  # 90 → 128.6: ok → warning; cpv stays ok
    (context,) = whys
    assert context["status"] == "ok → warning"
    assert context["document"]["by_segment"][0]["segment"] == {"channel": "a"}
    assert context["sentence"].startswith("In short: cac +38.57")
    assert why_context({"why": [{**context["document"], "locale": "en"}]})[0]["sentence"] == context["sentence"]
    doc = result.to_dict()
    doc["why"] = whys
    html = render_html(doc, RenderOptions())
    assert '<section id="why">' in html and 'id="why-cac"' in html and 'id="why-cpv"' not in html
    assert "Customer acquisition cost" in html


@pytest.mark.slow
def test_no_section_when_nothing_worsened() -> None:
    result = kpirules.loads(RULES).evaluate(ROWS[:2], history=True)
    assert worsened_whys(result) == []
    assert '<section id="why">' not in render_html(result.to_dict(), RenderOptions())


def test_a_forecast_in_words() -> None:
    objective = {"projected": 1_320_000, "projected_status": "missed", "goal": 1_400_000, "deadline": "2026-12"}
    assert forecast_text(objective, "EUR").replace("\u00a0", " ") == \
        "at this pace: 1 320 000 € by 2026-12, goal 1 400 000 € — would be missed"
    assert forecast_text(objective, "EUR", "fr").replace("\u00a0", " ").replace("\u202f", " ") == \
        "à ce rythme : 1 320 000 € en 2026-12, objectif 1 400 000 € — serait manqué"
    assert forecast_text({**objective, "projected": None}, "EUR") is None


def test_french_numbers_for_a_french_ruleset() -> None:
    from kpirules.answers.wording import amount, signed, why_text

    assert amount(1240, "EUR", "fr") == "1\u202f240\u00a0€"
    assert amount(12.5, "EUR", "fr") == "12,50\u00a0€"
    assert amount(0.025, "percent", "fr") == "2,5\u00a0%"
    assert signed(-0.05, "percent", "fr") == "-5\u00a0pts"
    assert signed(1900, "EUR", "fr") == "+1\u202f900\u00a0€"
    doc = {"kpi": "cac", "label": None, "unit": "EUR", "segment": {}, "period": "2026-02", "from": "2026-01",
           "value": 1240.0, "from_value": 1000.0, "change": 240.0, "dimensions": ["canal"],
           "by_input": [{"name": "dépenses", "from": 1000, "to": 1240, "contribution": 240.0}],
           "by_segment": [{"segment": {"canal": "SEO"}, "contribution": 240.0}]}
    text = why_text(doc, "fr")
    assert text.startswith("Pourquoi cac a-t-il changé ? ensemble, 2026-01 → 2026-02")
    assert text.endswith("En bref : cac +240\u00a0€ : dépenses +240\u00a0€ ; par canal : SEO +240\u00a0€.")
