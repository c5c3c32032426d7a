"""The alert lifecycle in the engine: recovery thresholds, renotify and resolve events."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

import kpirules

from .helpers import evaluate, row

CAC = """ruleset r
dimension shop
metric spend unit EUR
metric customers unit count
kpi cac = spend / customers unit EUR better lower
threshold cac
  critical > 150  recover <= 120
  warning  > 100  recover <= 90
"""


def cac_rows(values: list[float | None], shop: str | None = None) -> list[dict[str, Any]]:
    out = []
    for month, value in enumerate(values, start=1):
        item: dict[str, Any] = {"month": f"2026-{month:02d}", "customers": 10,
                                "spend": None if value is None else value * 10}
        if shop is not None:
            item["shop"] = shop
        out.append(item)
    return out


def statuses(doc: dict[str, Any], name: str = "cac", **segment: Any) -> list[str]:
    return [r["status"][name] for r in doc["rows"] if r["segment"] == segment]


def test_a_level_stays_in_force_until_its_recovery_holds() -> None:
    doc = evaluate(CAC, cac_rows([80, 160, 130, 110, 95, 85]), history=True, by="none")
    assert statuses(doc) == ["ok", "critical", "critical", "warning", "warning", "ok"]


def test_without_recover_the_same_values_flap() -> None:
    plain = CAC.replace("  recover <= 120", "").replace("  recover <= 90", "")
    doc = evaluate(plain, cac_rows([80, 160, 130, 110, 95, 85]), history=True, by="none")
    assert statuses(doc) == ["ok", "critical", "warning", "warning", "ok", "ok"]


def test_status_is_judged_from_the_first_period_whatever_the_as_of_period() -> None:
    data = cac_rows([80, 160, 130, 110, 95, 85])
    for period, expected in [("2026-03", "critical"), ("2026-05", "warning"), ("2026-06", "ok")]:
        doc = evaluate(CAC, data, period=period, by="none")
        assert statuses(doc) == [expected], period


def test_no_data_ends_every_level_in_force() -> None:
    doc = evaluate(CAC, cac_rows([160, None, 130, 130]), history=True, by="none")
    # without the gap, 130 would still be critical; after it, 130 is only a warning
    assert statuses(doc) == ["critical", "no_data", "warning", "warning"]


def test_skipped_ends_every_level_in_force_and_another_threshold_judges_continuation() -> None:
    rules = """ruleset r
metric spend unit EUR
metric customers unit count
kpi cac = spend / customers unit EUR
threshold cac where customers >= 10
  critical > 150  recover <= 120
threshold cac where customers >= 5
  critical > 150  recover <= 100
"""
    rows = [{"month": "2026-01", "spend": 1600, "customers": 10},  # 160: critical
            # 110 under the second threshold: its recovery (<= 100) decides, not the first's
            {"month": "2026-02", "spend": 550, "customers": 5},
            {"month": "2026-03", "spend": 525, "customers": 5},    # 105: still in force
            {"month": "2026-04", "spend": 1600, "customers": 1},   # no threshold: skipped
            {"month": "2026-05", "spend": 1300, "customers": 10}]  # 130 after a skip: ok
    doc = evaluate(rules, rows, history=True, by="none")
    # a skipped period in between ends the level: 130 would otherwise still be critical
    assert statuses(doc) == ["critical", "critical", "critical", "skipped", "ok"]


def test_segments_keep_their_own_levels() -> None:
    rows = cac_rows([160, 130, 130], "a") + cac_rows([80, 130, 130], "b")
    doc = evaluate(CAC, rows, history=True)
    assert statuses(doc, shop="a") == ["critical", "critical", "critical"]
    assert statuses(doc, shop="b") == ["ok", "warning", "warning"]


def test_a_recovery_value_may_be_an_expression_of_the_past() -> None:
    rules = CAC.replace("recover <= 120", "recover <= previous(cac) * 0.9")
    # 160 critical; 150 is not <= 144: stays; 130 <= 135: recovered, warning
    doc = evaluate(rules, cac_rows([160, 150, 130]), history=True, by="none")
    assert statuses(doc) == ["critical", "critical", "warning"]


def test_status_tests_and_rules_see_the_level_in_force() -> None:
    rules = CAC + 'rule hot\n  when cac is critical\n  then log(text="hot")\n'
    doc = evaluate(rules, cac_rows([160, 130]), by="none")
    assert row(doc)["rules"] == {"hot": True}


@pytest.mark.slow
def test_recovery_is_vectorised_over_many_segments() -> None:
    """One evaluation of 2,000 segments × 24 months agrees with a plain loop over the rows."""
    import random

    rng = random.Random(7)
    rows = []
    expected: dict[str, list[str]] = {}
    for s in range(2000):
        crit = warn = False
        out = []
        for month in range(1, 25):
            value = rng.choice([80, 95, 110, 130, 160])
            crit = value > 150 or (crit and not value <= 120)
            warn = value > 100 or (warn and not value <= 90)
            out.append("critical" if crit else "warning" if warn else "ok")
            rows.append({"month": f"{2025 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}",
                         "shop": f"s{s:04d}", "spend": value * 10, "customers": 10})
        expected[f"s{s:04d}"] = out
    result = kpirules.loads(CAC, "t.kpi").evaluate(pl.DataFrame(rows), history=True)
    frame = result.to_polars().filter(pl.col("shop").is_not_null())
    got: dict[str, list[str]] = {}
    for shop, status in frame.select("shop", "status.cac").iter_rows():
        got.setdefault(shop, []).append(status)
    assert got == expected


RETURNS = """ruleset returns
dimension shop
metric returns unit count
metric orders unit count
kpi rr = returns / orders unit percent better lower
rule high_returns "Return rate above 10%"
  when rr > 10%
  scope segments
  severity critical
  then notify(text="{shop}: returns at {rr} in {period}")
  renotify every 2 periods
  resolve notify(text="{shop}: back to {rr} in {period}") log(text="ok")
"""


def returns_rows(rates: list[int]) -> list[dict[str, Any]]:
    return [{"month": f"2026-{m:02d}", "shop": "x", "returns": r, "orders": 100}
            for m, r in enumerate(rates, start=1)]


@pytest.mark.parametrize(("period", "expected"), [
    ("2026-01", []),
    ("2026-02", [("fire", True, "notify", "x: returns at 12% in 2026-02")]),
    ("2026-03", [("fire", False, "notify", "x: returns at 15% in 2026-03")]),
    ("2026-04", [("renotify", False, "notify", "x: returns at 20% in 2026-04")]),
    ("2026-05", [("fire", False, "notify", "x: returns at 11% in 2026-05")]),
    ("2026-06", [("renotify", False, "notify", "x: returns at 13% in 2026-06")]),
    ("2026-07", [("resolve", True, "notify", "x: back to 8% in 2026-07"),
                 ("resolve", True, "log", "ok")]),
    ("2026-08", []),
])
def test_events_of_a_streak(period: str, expected: list[tuple[str, bool, str, str]]) -> None:
    doc = evaluate(RETURNS, returns_rows([5, 12, 15, 20, 11, 13, 8, 5]), period=period)
    got = [(a["event"], a["new"], a["action"], a["args"]["text"]) for a in doc["actions"]]
    assert got == expected
    assert all(a["severity"] == "critical" for a in doc["actions"])


@pytest.mark.slow
def test_a_new_streak_starts_counting_again() -> None:
    # fires in 2 and 3, resolved in 4, fires again in 5: renotify counts from 5 (at 7)
    data = returns_rows([5, 12, 15, 5, 12, 12, 12])
    events = [[a["event"] for a in evaluate(RETURNS, data, period=f"2026-{m:02d}")["actions"]]
              for m in range(1, 8)]
    assert events == [[], ["fire"], ["fire"], ["resolve", "resolve"], ["fire"], ["fire"], ["renotify"]]


def test_a_rule_without_lifecycle_lists_fire_events() -> None:
    rules = RETURNS.split("  renotify")[0]
    doc = evaluate(rules, returns_rows([5, 12, 15, 20, 8]), period="2026-05")
    assert doc["actions"] == []
    doc = evaluate(rules, returns_rows([5, 12, 15, 20, 8]), period="2026-04")
    assert [(a["event"], a["new"]) for a in doc["actions"]] == [("fire", False)]


def test_explain_shows_the_recovery() -> None:
    result = kpirules.loads(CAC, "t.kpi").evaluate(cac_rows([80, 160, 130]), by="none")
    text = result.explain("cac")
    assert "recover <= 120 (130 EUR <= 120 EUR): does not hold" in text
    assert "status in the period before: critical" in text


def test_explain_shows_the_streak_of_a_rule() -> None:
    result = kpirules.loads(RETURNS, "t.kpi").evaluate(returns_rows([5, 12, 15, 20, 8]),
                                                      history=True)
    text = result.explain("high_returns", "2026-04", {"shop": "x"})
    assert "firing since 2026-02 (3 period(s)); renotify every 2 periods: a reminder is due" in text
    text = result.explain("high_returns", "2026-03", {"shop": "x"})
    assert "firing since 2026-02 (2 period(s)); renotify every 2 periods: no reminder due" in text
    text = result.explain("high_returns", "2026-05", {"shop": "x"})
    assert "resolved in this period (its resolve actions run)" in text
