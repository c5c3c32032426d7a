"""`why` against an independent computation: Shapley values by brute force over every order.

The brute force evaluates the formula in plain Python (not through the
engine's compiler), switching the players one by one in each of the k!
orders, and averages each player's marginal change. The engine's shares must
agree with it, and add up to the change exactly, summed in the listed order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import kpirules

METRICS = ["a", "b", "c", "d", "e"]


def brute_force(players: list[Any], value_of: Callable[[set[Any]], float]) -> dict[Any, float]:
    """Each player's average marginal change over every order of switching."""
    shares = dict.fromkeys(players, 0.0)
    orders = list(itertools.permutations(players))
    for order in orders:
        switched: set[Any] = set()
        before = value_of(switched)
        for player in order:
            switched.add(player)
            after = value_of(switched)
            shares[player] += after - before
            before = after
    return {p: s / len(orders) for p, s in shares.items()}


def assert_adds_up(shares: list[float], change: float) -> None:
    """Summed in the listed order, the shares give the change, to the last binary digit.

    Exactly, most of the time. But the exact sum of doubles lies on the grid
    of their coarsest last place (shares of 1.3 and 0.9 add up to multiples
    of 2^-53), and the change (-0.4) may fall between two of its points: then
    the closest any split into doubles can come is within one last place of
    the largest share.
    """
    total = 0.0
    for share in shares:
        total += share
    largest = max((abs(s) for s in shares), default=0.0)
    assert abs(total - change) <= max(math.ulp(change), math.ulp(largest)), (total, change)


# ── random formulas: (rule text, python function of a name → value mapping) ──

def leaf() -> st.SearchStrategy[tuple[str, Callable[[dict[str, float]], float]]]:
    metric = st.sampled_from(METRICS).map(lambda m: (m, lambda env, m=m: env[m]))
    number = st.integers(1, 9).map(lambda n: (str(n), lambda env, n=n: float(n)))
    return st.one_of(metric, metric, number)


def combine(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    def build(op: str, left: Any, right: Any) -> tuple[str, Callable[[dict[str, float]], float]]:
        lt, lf = left
        rt, rf = right

        def run(env: dict[str, float]) -> float:
            x, y = lf(env), rf(env)
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            if op == "*":
                return x * y
            if y == 0:
                raise ZeroDivisionError
            return x / y

        return f"({lt} {op} {rt})", run

    return st.builds(build, st.sampled_from(["+", "-", "*", "/"]), children, children)


formulas = st.recursive(leaf(), combine, max_leaves=6)
values = st.integers(1, 500).map(float)


def used(text: str) -> list[str]:
    return [m for m in METRICS if m in text.replace("(", " ").replace(")", " ").split()]


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula=formulas, old=st.fixed_dictionaries({m: values for m in METRICS}),
       new=st.fixed_dictionaries({m: values for m in METRICS}))
def test_shares_are_the_brute_force_shapley_values(formula: Any, old: dict[str, float],
                                                   new: dict[str, float]) -> None:
    text, run = formula
    inputs = used(text)
    assume(inputs)

    def value_of(switched: set[str]) -> float:
        return run({m: new[m] if m in switched else old[m] for m in METRICS})

    try:
        expected = brute_force(inputs, value_of)
    except ZeroDivisionError:
        assume(False)
        return
    start, end = value_of(set()), value_of(set(inputs))
    assume(all(math.isfinite(v) and abs(v) < 1e9 for v in (start, end, *expected.values())))
    rules = "ruleset t\n" + "".join(f"metric {m}\n" for m in METRICS) + f"kpi k = {text}\n"
    rows = [{"period": "2026-01", **old}, {"period": "2026-02", **new}]
    why = kpirules.loads(rules).evaluate(rows).why("k")
    scale = max(1.0, abs(end - start), *(abs(v) for v in expected.values()))
    got = {s.name: s.contribution for s in why.by_input}
    assert set(got) == set(inputs)
    for name in inputs:
        assert got[name] == pytest.approx(expected[name], abs=1e-9 * scale)
    assert_adds_up([s.contribution for s in why.by_input], why.change)
    assert why.change == why.value - why.from_value
    magnitudes = [abs(s.contribution) for s in why.by_input]
    # largest first; equal shares may differ in the last bit (1/3 + 1/3 + 1/3 computed two ways)
    assert all(a >= b - 1e-12 * scale for a, b in itertools.pairwise(magnitudes[1:]))


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), segments=st.integers(2, 5))
def test_segment_shares_are_the_brute_force_shapley_values(data: st.DataObject, segments: int) -> None:
    names = [f"s{i}" for i in range(segments)]
    old = {s: (data.draw(values), data.draw(values)) for s in names}
    new = {s: (data.draw(values), data.draw(values)) for s in names}

    def value_of(switched: set[str]) -> float:
        leads = sum((new if s in switched else old)[s][0] for s in names)
        visits = sum((new if s in switched else old)[s][1] for s in names)
        return leads / visits

    expected = brute_force(names, value_of)
    rules = "ruleset t\ndimension channel\nmetric leads\nmetric visits\nkpi cr = leads / visits\n"
    rows = [{"period": p, "channel": s, "leads": v[s][0], "visits": v[s][1]}
            for p, v in (("2026-01", old), ("2026-02", new)) for s in names]
    why = kpirules.loads(rules).evaluate(rows).why("cr")
    got = {s.segment["channel"]: s.contribution for s in why.by_segment}
    for name in names:
        assert got[name] == pytest.approx(expected[name], abs=1e-12)
    assert_adds_up([s.contribution for s in why.by_segment], why.change)


def test_a_kpi_through_a_time_function_switches_each_metrics_window() -> None:
    """``leads / previous(visits)``: a switched visits brings the period before the new one."""
    rules = "ruleset t\nmetric leads\nmetric visits\nkpi k = leads / previous(visits)\n"
    rows = [{"period": f"2026-0{i + 1}", "leads": lv, "visits": vv}
            for i, (lv, vv) in enumerate([(10, 100), (30, 200), (45, 500), (80, 400)])]
    why = kpirules.loads(rules).evaluate(rows).why("k", period="2026-04", from_period="2026-02")
    # new world: leads at April, visits at March; old world: leads at February, visits at January
    worlds = {frozenset(): 30 / 100, frozenset({"leads"}): 80 / 100, frozenset({"visits"}): 30 / 500,
              frozenset({"leads", "visits"}): 80 / 500}
    expected = brute_force(["leads", "visits"], lambda s: worlds[frozenset(s)])
    got = {s.name: s.contribution for s in why.by_input}
    assert got == pytest.approx(expected)
    assert why.change == pytest.approx(80 / 500 - 30 / 100)


def test_more_than_twelve_segments_group_the_smallest_as_others() -> None:
    rules = "ruleset t\ndimension channel\nmetric spend\nmetric customers\nkpi cac = spend / customers\n"
    rows = []
    for i in range(15):
        rows.append({"period": "2026-01", "channel": f"c{i:02d}", "spend": 1000, "customers": 10})
        # channel i moves its spend by i * 10: c00, c01, c02 move least
        rows.append({"period": "2026-02", "channel": f"c{i:02d}", "spend": 1000 + i * 10, "customers": 10})
    why = kpirules.loads(rules).evaluate(rows).why("cac")
    labels = [s.label() for s in why.by_segment]
    assert len(labels) == 13
    assert {"others": 3} in labels
    named = {lab["channel"] for lab in labels if "channel" in lab}
    assert named == {f"c{i:02d}" for i in range(3, 15)}
    others = next(s for s in why.by_segment if s.others)
    # the grouped player moves as its three members together: spend +0, +10, +20 over 150 customers
    assert others.contribution == pytest.approx(30 / 150)
    assert_adds_up([s.contribution for s in why.by_segment], why.change)


@pytest.mark.slow
def test_twelve_inputs_are_split_exactly() -> None:
    names = [f"m{i}" for i in range(12)]
    rules = "ruleset t\n" + "".join(f"metric {n}\n" for n in names) + \
        f"kpi k = ({' + '.join(names[:6])}) / ({' + '.join(names[6:])})\n"
    rows = [{"period": "2026-01", **{n: 10 + i for i, n in enumerate(names)}},
            {"period": "2026-02", **{n: (20 if n in names[:6] else 5) + i for i, n in enumerate(names)}}]
    why = kpirules.loads(rules).evaluate(rows).why("k")
    assert len(why.by_input) == 12
    assert_adds_up([s.contribution for s in why.by_input], why.change)
    # numerator up, denominator down: every input pushes the KPI up; and each
    # share is the subset formula of Shapley, computed here in plain Python
    old, new = rows[0], rows[1]

    def value_of(switched: set[str]) -> float:
        env = {n: new[n] if n in switched else old[n] for n in names}
        return sum(env[n] for n in names[:6]) / sum(env[n] for n in names[6:])

    got = {s.name: s.contribution for s in why.by_input}
    k = len(names)
    for name in names:
        others = [n for n in names if n != name]
        expected = 0.0
        for size in range(k):
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for subset in itertools.combinations(others, size):
                expected += weight * (value_of({*subset, name}) - value_of(set(subset)))
        assert got[name] == pytest.approx(expected, rel=1e-9)
        assert got[name] > 0


@pytest.mark.slow
def test_too_many_inputs_is_a_clear_usage_error() -> None:
    from kpirules.errors import UsageError

    names = [f"m{i}" for i in range(17)]
    rules = "ruleset t\n" + "".join(f"metric {n}\n" for n in names) + f"kpi k = {' + '.join(names)}\n"
    rows = [{"period": p, **dict.fromkeys(names, v)} for p, v in (("2026-01", 1), ("2026-02", 2))]
    with pytest.raises(UsageError, match=r"k reads 17 metrics .* at most 16 metrics are split"):
        kpirules.loads(rules).evaluate(rows).why("k")


@pytest.mark.slow
def test_a_segments_kpi_reading_overall_switches_the_overall_row_too() -> None:
    """``leads / overall(visits)`` for channel a: switching visits moves the overall visits as well."""
    rules = "ruleset t\ndimension channel\nmetric leads\nmetric visits\nkpi k = leads / overall(visits)\n"
    rows = [{"period": "2026-01", "channel": "a", "leads": 10, "visits": 100},
            {"period": "2026-01", "channel": "b", "leads": 5, "visits": 300},
            {"period": "2026-02", "channel": "a", "leads": 30, "visits": 200},
            {"period": "2026-02", "channel": "b", "leads": 5, "visits": 600}]
    why = kpirules.loads(rules).evaluate(rows).why("k", segment={"channel": "a"})
    worlds = {frozenset(): 10 / 400, frozenset({"leads"}): 30 / 400, frozenset({"visits"}): 10 / 800,
              frozenset({"leads", "visits"}): 30 / 800}
    expected = brute_force(["leads", "visits"], lambda s: worlds[frozenset(s)])
    assert {s.name: s.contribution for s in why.by_input} == pytest.approx(expected)
    assert why.by_segment == ()


def test_averages_across_segments_still_add_up() -> None:
    """An ``avg`` metric's overall value is not the sum of the segments': the rest is shared, exactly."""
    rules = "ruleset t\ndimension channel\nmetric nps agg avg\nmetric visits\nkpi k = nps * visits\n"
    rows = [{"period": "2026-01", "channel": "a", "nps": 30, "visits": 100},
            {"period": "2026-01", "channel": "a", "nps": 50, "visits": 0},
            {"period": "2026-01", "channel": "b", "nps": 10, "visits": 50},
            {"period": "2026-02", "channel": "a", "nps": 40, "visits": 120},
            {"period": "2026-02", "channel": "b", "nps": 20, "visits": 80},
            {"period": "2026-02", "channel": "b", "nps": 60, "visits": 0}]
    why = kpirules.loads(rules).evaluate(rows).why("k")
    assert why.from_value == pytest.approx(30 * 150) and why.value == pytest.approx(40 * 200)
    assert_adds_up([s.contribution for s in why.by_segment], why.change)
    assert {s.segment["channel"] for s in why.by_segment} == {"a", "b"}


def test_a_metric_can_be_explained_by_segment() -> None:
    rules = "ruleset t\ndimension channel\nmetric spend\n"
    rows = [{"period": p, "channel": c, "spend": v}
            for p, c, v in (("2026-01", "a", 100), ("2026-01", "b", 100), ("2026-02", "a", 150), ("2026-02", "b", 80))]
    why = kpirules.loads(rules).evaluate(rows).why("spend")
    assert [(s.name, s.contribution) for s in why.by_input] == [("spend", 30)]
    assert [(s.segment["channel"], s.contribution) for s in why.by_segment] == [("a", 50), ("b", -20)]
