"""The Result: JSON document, actions and templates, exit status, explain."""

from __future__ import annotations

import pytest

import kpirules
from kpirules.engine.templates import fill, plain_value

FUNNEL = """ruleset funnel "Entonnoir"
param min_visits = 100
dimension channel "Canal"
metric visits unit count
metric leads unit count
metric spend unit EUR label "Dépenses"
metric customers unit count
kpi cr = leads / visits unit percent better higher label "Taux de conversion"
kpi cac = spend / customers unit EUR better lower
threshold cr where visits >= min_visits
  critical < 10%
  warning < 30%
decision verdict
  "keep" when cr is ok
  "stop" otherwise
rule low "Low conversion"
  when cr < 10%
  scope segments
  severity critical
  then notify(text="{channel}: {cr} in {period}, CAC {cac}, {{raw}} {unknown} {cr.real} {min_visits}")
"""
ROWS = [
    {"month": "2026-05", "channel": "ads", "visits": 1000, "leads": 50, "spend": 2000, "customers": 4},
    {"month": "2026-06", "channel": "ads", "visits": 1000, "leads": 80, "spend": 2500, "customers": 5},
    {"month": "2026-06", "channel": "seo", "visits": 1000, "leads": 400, "spend": 0, "customers": 10},
]


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return kpirules.loads(FUNNEL, "funnel.kpi").evaluate(ROWS)


def test_document_shape_and_order(result) -> None:  # type: ignore[no-untyped-def]
    doc = result.to_dict()
    assert doc["kpirules"] == 1 and doc["ruleset"] == "funnel" and doc["as_of"] == "2026-06"
    assert doc["dimensions"] == ["channel"]
    assert [r["segment"] for r in doc["rows"]] == [{}, {"channel": "ads"}, {"channel": "seo"}]
    ads = doc["rows"][1]
    assert ads["values"]["cr"] == 0.08 and ads["values"]["cac"] == 500
    assert ads["status"] == {"cr": "critical"} and ads["decisions"] == {"verdict": "stop"}
    assert ads["rules"] == {"low": True}
    assert doc["rows"][0]["rules"] == {"low": False}  # scope segments
    assert doc["definitions"]["spend"]["label"] == "Dépenses"
    assert doc["thresholds"]["cr"][0]["clauses"][0] == {"level": "critical", "op": "<", "value": 0.1,
                                                        "text": "< 10%"}


def test_actions_fill_templates_plainly_and_interpret_nothing_else(result) -> None:  # type: ignore[no-untyped-def]
    (action,) = result.to_dict()["actions"]
    assert action["segment"] == {"channel": "ads"} and action["new"] is False  # fired in May too
    assert action["args"]["text"] == (
        "ads: 8% in 2026-06, CAC 500 EUR, {raw} {unknown} {cr.real} 100")


def test_value_and_status_accessors(result) -> None:  # type: ignore[no-untyped-def]
    assert result.value("cr", channel="seo") == 0.4
    assert result.value("cr", period="2026-05", channel="ads") == 0.05
    assert result.status("cr", channel="seo") == "ok"
    frame = result.to_polars()
    assert frame.columns[:2] == ["period", "channel"] and frame.height == 3


def test_exit_status_follows_fail_on(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_status("critical") == 1
    assert result.exit_status("never") == 0


def test_explain_the_textbook_cac() -> None:
    rs = kpirules.loads(
        'ruleset a\nmetric marketing_spend unit EUR\nmetric sales_spend unit EUR\nmetric new_customers\n'
        'kpi cac = (marketing_spend + sales_spend) / new_customers unit EUR label "Coût d\'acquisition"\n')
    result = rs.evaluate({"marketing_spend": 150000, "sales_spend": 50000, "new_customers": 20})
    assert result.value("cac") == 10000
    text = result.explain("cac")
    assert "cac (Coût d'acquisition) = (marketing_spend + sales_spend) / new_customers" in text
    assert "= 10000 EUR" in text
    assert "marketing_spend = 150000 EUR" in text and "new_customers = 20" in text


def test_explain_threshold_and_decision(result) -> None:  # type: ignore[no-untyped-def]
    text = result.explain("verdict", segment={"channel": "ads"})
    assert "verdict = 'stop'" in text
    text = result.explain("cr", segment={"channel": "ads"})
    assert "status of cr = critical" in text and "critical < 10% (8% < 10%): holds" in text


@pytest.mark.parametrize(("value", "unit", "text"), [
    (1234.5, None, "1234.5"), (10000.0, "EUR", "10000 EUR"), (-0.2, "percent", "-20%"),
    (0.125, "percent", "12.5%"), (None, "EUR", "n/a"), (2 / 3, None, "0.67"), (-0.001, None, "0"),
])
def test_plain_values(value: float | None, unit: str | None, text: str) -> None:
    assert plain_value(value, unit) == text


@pytest.mark.parametrize(("value", "unit", "text"), [
    (1234.5, None, "1\u202f234,5"), (10000.0, "EUR", "10\u202f000\u00a0€"),
    (-0.2, "percent", "-20\u00a0%"), (0.125, "percent", "12,5\u00a0%"),
    (1080.1875, "EUR", "1\u202f080,19\u00a0€"), (1500.0, "CHF", "1\u202f500\u00a0CHF"),
    (None, "EUR", "n/a"), (-1234567.891, None, "-1\u202f234\u202f567,89"), (-0.001, None, "0"),
])
def test_plain_values_in_french(value: float | None, unit: str | None, text: str) -> None:
    assert plain_value(value, unit, "fr") == text


@pytest.mark.parametrize(("value", "text"), [(0.125, "0.13"), (1.005, "1.01"), (-2.675, "-2.68"),
                                             (2.5, "2.5")])
def test_rounding_is_half_away_from_zero(value: float, text: str) -> None:
    assert plain_value(value, None) == text


def test_fill_leaves_unknown_and_format_specs_alone() -> None:
    assert fill("{a} {b:>10} {{c}} {__class__}", {"a": "1"}.get) == "1 {b:>10} {c} {__class__}"


def test_objectives_increase_decrease_and_compare() -> None:
    rs = kpirules.loads(
        "ruleset o\nparam target = 150\nmetric revenue\n"
        "objective grow\n  revenue increase 40% from 2026-01 to 2026-12\n"
        "objective plus\n  revenue increase 15 from 2026-01 to 2026-03\n"
        "objective neg\n  revenue decrease 10% from 2026-01 to 2026-02\n"
        "objective cmp\n  revenue >= target by 2026-06\n")
    rows = [{"month": f"2026-0{i}", "revenue": v} for i, v in [(1, 100), (2, 90), (3, 120)]]
    objs = {o["name"]: o for o in rs.evaluate(rows).to_dict()["objectives"]}
    assert objs["grow"]["goal"] == 140 and objs["grow"]["status"] == "on_track"
    assert objs["plus"]["goal"] == 115 and objs["plus"]["status"] == "achieved"
    assert objs["neg"]["goal"] == 90 and objs["neg"]["status"] == "achieved"  # judged at the deadline
    assert objs["cmp"]["baseline"] == 100 and objs["cmp"]["goal"] == 150
    assert objs["cmp"]["progress"] == 0.4 and objs["cmp"]["expected_progress"] == 0.4
    assert objs["cmp"]["status"] == "on_track"  # progress >= expected progress
    with_param = {o["name"]: o for o in rs.evaluate(rows, params={"target": "110"}).to_dict()["objectives"]}
    assert with_param["cmp"]["status"] == "achieved"


def test_kpirules_evaluate_is_the_public_entry_point_and_takes_the_same_options() -> None:
    ruleset = kpirules.loads(FUNNEL, "funnel.kpi")
    assert "evaluate" in kpirules.__all__
    through_api = kpirules.evaluate(ruleset, ROWS, by=["channel"], period="2026-06")
    through_method = ruleset.evaluate(ROWS, by=["channel"], period="2026-06")
    assert through_api.to_dict() == through_method.to_dict()
    assert through_api.value("cac", channel="ads") == 500
