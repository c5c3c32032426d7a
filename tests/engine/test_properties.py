"""Properties on random data (hypothesis): rollups, order independence, segment isolation."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpirules

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"

RULES = kpirules.loads(
    "ruleset p\n"
    "dimension ch\n"
    "metric visits\n"
    "metric leads\n"
    "metric spend\n"
    "kpi cr = leads / visits\n"
    "kpi cpl = spend / leads\n"
    "kpi growth_leads = growth(leads)\n"
    "kpi leads_3 = rolling_sum(leads, 3)\n"
    "kpi ytd_spend = ytd(spend)\n"
    "kpi delta = change(cr)\n",
    "p.kpi",
)
LOCAL_KPIS = ["cr", "cpl", "growth_leads", "leads_3", "ytd_spend", "delta"]

cell = st.one_of(st.none(), st.integers(min_value=0, max_value=10_000).map(float))
record = st.fixed_dictionaries({
    "month": st.sampled_from(["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]),
    "ch": st.sampled_from(["paid", "seo", "social", "Réseaux"]),
    "visits": cell,
    "leads": cell,
    "spend": cell,
})
tables = st.lists(record, min_size=1, max_size=40)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def plain_sum(rows: list[dict], month: str, key: str) -> float | None:
    vals = [r[key] for r in rows if r["month"] == month and r[key] is not None]
    return sum(vals) if vals else None


@SETTINGS
@given(tables)
def test_overall_ratio_is_the_ratio_of_sums(rows: list[dict]) -> None:
    doc = RULES.evaluate(rows, history=True).to_dict()
    for r in doc["rows"]:
        if r["segment"]:
            continue
        leads, visits = plain_sum(rows, r["period"], "leads"), plain_sum(rows, r["period"], "visits")
        expected = None if leads is None or visits in (None, 0) else leads / visits
        assert close(r["values"]["cr"], expected)


@SETTINGS
@given(tables, st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(rows: list[dict], rnd: random.Random) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert RULES.evaluate(rows, history=True).to_dict() == RULES.evaluate(shuffled, history=True).to_dict()


@SETTINGS
@given(tables)
def test_a_segment_alone_gives_the_values_it_has_in_the_full_evaluation(rows: list[dict]) -> None:
    full = RULES.evaluate(rows, history=True).to_dict()
    first, last = min(r["month"] for r in rows), max(r["month"] for r in rows)
    for ch in {r["ch"] for r in rows}:
        mine = [r for r in rows if r["ch"] == ch]
        # same calendar as the full table: add empty rows at its ends
        pad = [{"month": m, "ch": ch, "visits": None, "leads": None, "spend": None} for m in (first, last)]
        alone = RULES.evaluate(mine + pad, history=True).to_dict()
        expected = {r["period"]: r["values"] for r in full["rows"] if r["segment"] == {"ch": ch}}
        got = {r["period"]: r["values"] for r in alone["rows"] if r["segment"] == {"ch": ch}}
        assert expected.keys() == got.keys()
        for period, vals in expected.items():
            for name in LOCAL_KPIS:
                assert close(vals[name], got[period][name]), (ch, period, name)
