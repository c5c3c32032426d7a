"""`whatif` against an independent computation: evaluating hand-edited data.

Editing a metric of a segment's row in the input and evaluating that data is
what a scenario means; the scenario, which edits the evaluated frame and
recomputes the overall rows, must give the same rows, and list exactly the
values, statuses, decisions, rules and objectives that differ.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.engine.scenarios import parse_edit
from kpirules.errors import UsageError

RULES = """ruleset shop
dimension channel
metric visits    unit count
metric customers unit count
metric spend     unit EUR
metric best_day  unit count agg max
metric nps       unit score agg avg
kpi cac = spend / customers unit EUR better lower
kpi cr  = customers / visits unit percent better higher
kpi cac_change = change(cac) unit EUR
threshold cac
  critical > 150
  warning  > 100
decision verdict
  "stop"   when cac > 140
  "keep"   otherwise
rule expensive when cac > 120 severity warning then log(text="{channel}")
objective cheaper "CAC down 10%"
  cac decrease 10% from 2026-01 to 2026-03
"""
ROWS = [
    {"month": "2026-01", "channel": "a", "visits": 1000, "customers": 10, "spend": 800, "best_day": 40, "nps": 30},
    {"month": "2026-01", "channel": "b", "visits": 500, "customers": 10, "spend": 1000, "best_day": 25, "nps": 50},
    {"month": "2026-02", "channel": "a", "visits": 1200, "customers": 10, "spend": 900, "best_day": 45, "nps": 35},
    {"month": "2026-02", "channel": "b", "visits": 600, "customers": 10, "spend": 1200, "best_day": 30, "nps": 45},
    {"month": "2026-03", "channel": "a", "visits": 1100, "customers": 12, "spend": 960, "best_day": 50, "nps": 40},
    {"month": "2026-03", "channel": "b", "visits": 700, "customers": 8, "spend": 1000, "best_day": 20, "nps": 60},
]


def edited_rows(rows: list[dict[str, Any]], edit: str, channel: str | None, month: str | None) -> list[dict[str, Any]]:
    """The input with the edit applied by hand to the chosen rows (the independent computation)."""
    out = copy.deepcopy(rows)
    rs = kpirules.loads(RULES)
    e = parse_edit(edit, rs)
    for row in out:
        if (channel is None or row["channel"] == channel) and (month is None or row["month"] == month):
            value = row[e.metric]
            row[e.metric] = {"=": e.amount, "+=": value + e.amount, "-=": value - e.amount,
                             "*=": value * e.amount}[e.op]
    return out


def rows_by_key(doc: dict[str, Any]) -> dict[tuple[str, tuple[tuple[str, Any], ...]], dict[str, Any]]:
    return {(r["period"], tuple(sorted(r["segment"].items()))): r for r in doc["rows"]}


def assert_same_rows(scenario_doc: dict[str, Any], expected_doc: dict[str, Any]) -> None:
    got, want = rows_by_key(scenario_doc), rows_by_key(expected_doc)
    assert got.keys() == want.keys()
    for key, row in want.items():
        for part in ("values", "status", "decisions", "rules"):
            for name, value in row[part].items():
                actual = got[key][part][name]
                if isinstance(value, float) or isinstance(actual, float):
                    assert actual == pytest.approx(value, rel=1e-12), (key, part, name)
                else:
                    assert actual == value, (key, part, name)
    assert [(o["name"], o["segment"], o["status"]) for o in scenario_doc["objectives"]] == \
        [(o["name"], o["segment"], o["status"]) for o in expected_doc["objectives"]]


@pytest.mark.parametrize("edit", ["spend*=1.2", "spend+=500", "customers-=2", "visits=0", "best_day=80",
                                  "best_day*=0.5", "nps+=10"])
@pytest.mark.parametrize("channel", ["a", None])
def test_a_scenario_is_the_evaluation_of_the_edited_data(edit: str, channel: str | None) -> None:
    rs = kpirules.loads(RULES)
    where = {"channel": channel} if channel else None
    scenario = rs.whatif(ROWS, [edit], where=where)
    expected = rs.evaluate(edited_rows(ROWS, edit, channel, "2026-03"))
    assert_same_rows(scenario.to_dict(), expected.to_dict())


def test_every_period_is_edited_with_all_periods() -> None:
    rs = kpirules.loads(RULES)
    scenario = rs.whatif(ROWS, ["spend*=1.5"], where={"channel": "b"}, all_periods=True)
    expected = rs.evaluate(edited_rows(ROWS, "spend*=1.5", "b", None), history=True)
    assert_same_rows(scenario.to_dict(), expected.to_dict())
    assert {c.period for c in scenario.changes} >= {"2026-01", "2026-02", "2026-03"}


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(metric=st.sampled_from(["visits", "customers", "spend", "best_day"]),
       op=st.sampled_from(["=", "+=", "-=", "*="]), amount=st.integers(0, 400),
       channel=st.sampled_from(["a", "b", None]))
def test_random_edits_match_the_edited_data(metric: str, op: str, amount: int, channel: str | None) -> None:
    rs = kpirules.loads(RULES)
    edit = f"{metric}{op}{amount}"
    scenario = rs.whatif(ROWS, [edit], where={"channel": channel} if channel else None)
    expected = rs.evaluate(edited_rows(ROWS, edit, channel, "2026-03"))
    assert_same_rows(scenario.to_dict(), expected.to_dict())


def test_changes_list_what_moved_and_nothing_else() -> None:
    rs = kpirules.loads(RULES)
    scenario = rs.whatif(ROWS, ["spend*=1.5"], where={"channel": "a"})
    changes = {(c.segment.get("channel", "overall"), c.kind, c.name): (c.before, c.after)
               for c in scenario.changes}
    # a: spend 960 → 1440, CAC 80 → 120 (ok → warning), verdict still keep, rule still quiet
    assert changes[("a", "value", "spend")] == (960, 1440)
    assert changes[("a", "value", "cac")] == pytest.approx((80, 120))
    assert changes[("a", "status", "cac")] == ("ok", "warning")
    # overall: spend 1960 → 2440 over 20 customers: CAC 98 → 122, rule starts firing
    assert changes[("overall", "value", "cac")] == pytest.approx((98, 122))
    assert changes[("overall", "status", "cac")] == ("ok", "warning")
    assert changes[("overall", "rule", "expensive")] == (False, True)
    assert not any(kind == "objective" for _, kind, _ in changes)  # missed before, missed after
    assert not any(seg == "b" for seg, _, _ in changes)
    assert not any(kind == "decision" for _, kind, _ in changes)
    assert ("a", "value", "visits") not in changes
    doc = scenario.to_dict()
    assert doc["edits"] == [{"metric": "spend", "op": "*=", "amount": 1.5, "text": "spend*=1.5", "where": {}}]
    assert scenario.to_polars().height == len(scenario.changes)


def test_an_objective_that_the_scenario_reaches_is_listed() -> None:
    rs = kpirules.loads(RULES)
    scenario = rs.whatif(ROWS, ["spend*=0.5"], where={"channel": "a"})
    objectives = {(c.segment.get("channel", "overall"), c.name): (c.before, c.after)
                  for c in scenario.changes if c.kind == "objective"}
    # a: CAC 80 → 40 against a goal of 72; overall 98 → 74 against 81
    assert objectives == {("a", "cheaper"): ("missed", "achieved"), ("overall", "cheaper"): ("missed", "achieved")}


def test_a_ruleset_without_dimensions_edits_the_overall_row() -> None:
    rs = kpirules.loads("ruleset t\nmetric spend\nmetric customers\nkpi cac = spend / customers\n")
    scenario = rs.whatif([{"period": "2026-01", "spend": 100, "customers": 4}], ["customers+=1"])
    assert [(c.name, c.before, c.after) for c in scenario.changes] == [("customers", 4, 5), ("cac", 25, 20)]


@pytest.mark.parametrize(("text", "message"), [
    ("spend", "write METRIC=VALUE"),
    ("spend*=abc", '"abc" is not a number'),
    ("spnd*=2", 'no metric "spnd" (did you mean "spend"?)'),
    ("cac*=2", '"cac" is a KPI'),
    ("spend*=inf", "finite"),
])
def test_a_bad_edit_is_a_usage_error(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        parse_edit(text, kpirules.loads(RULES))


def test_amounts_read_percents_and_decimal_commas() -> None:
    rs = kpirules.loads(RULES)
    assert parse_edit("spend*=120%", rs).amount == pytest.approx(1.2)
    assert parse_edit("spend *= 1,5", rs).amount == 1.5
    assert parse_edit("visits+=1_000", rs).amount == 1000


def test_an_unknown_segment_is_a_usage_error() -> None:
    rs = kpirules.loads(RULES)
    with pytest.raises(UsageError, match="no segment channel=zz"):
        rs.whatif(ROWS, ["spend*=2"], where={"channel": "zz"})
    with pytest.raises(UsageError, match="no dimension country"):
        rs.whatif(ROWS, ["spend*=2"], where={"country": "FR"})


def test_an_edit_may_name_its_own_segments_to_move_budget() -> None:
    """20% of display's budget moved to SEO, in one scenario: two edits, each with its own where."""
    rows = [{**r, "channel": {"a": "display", "b": "seo"}[r["channel"]]} for r in ROWS]
    rs = kpirules.loads(RULES)
    scenario = rs.whatif(rows, ["spend*=0.8 where channel=display", "spend+=192 where channel=seo"])
    expected_rows = copy.deepcopy(rows)
    for row in expected_rows:
        if row["month"] == "2026-03":
            row["spend"] += {"display": -192, "seo": 192}[row["channel"]]
    assert_same_rows(scenario.to_dict(), rs.evaluate(expected_rows).to_dict())
    assert not any(c.segment == {} and c.name == "spend" for c in scenario.changes)  # the total did not move
    assert parse_edit("spend*=0.8 where channel=display,country=FR", rs).where == \
        (("channel", "display"), ("country", "FR"))
    with pytest.raises(UsageError, match=r"^edits spend\*=2 where channel=tv: no segment channel=tv"):
        rs.whatif(rows, ["spend*=2 where channel=tv"])


def test_an_edited_average_says_how_the_overall_row_moved() -> None:
    rs = kpirules.loads(RULES)
    assert rs.whatif(ROWS, ["spend*=2"]).notes == ()
    (note,) = rs.whatif(ROWS, ["nps+=5"], where={"channel": "a"}).notes
    assert note.startswith("nps is an average (agg avg)") and "each segment weighing the same" in note
