"""Every core function and every null rule, pinned on small series (language §6)."""

from __future__ import annotations

import math

import pytest

from .helpers import evaluate, values

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]


def series(x: list[float | None], y: list[float | None] | None = None) -> list[dict]:
    rows = []
    for i, p in enumerate(MONTHS[: len(x)]):
        r = {"period": p, "x": x[i]}
        if y is not None:
            r["y"] = y[i]
        rows.append(r)
    return rows


CASES = [
    # (formula, x, y, expected per period)
    ("x + y", [1, None, 3], [10, 10, None], [11, None, None]),
    ("x - y", [1, 2, 3], [1, 1, 1], [0, 1, 2]),
    ("x * y", [2, None], [3, 4], [6, None]),
    ("x / y", [1, 1, 0, None], [4, 0, 0, 2], [0.25, None, None, None]),
    ("x ^ y", [2, -8, 2], [3, 0.5, None], [8, None, None]),
    ("-x ^ 2", [3], None, [-9]),
    ("2 ^ 3 ^ 2", [1], None, [512]),
    ("previous(x)", [1, 2, 3], None, [None, 1, 2]),
    ("previous(x, 2)", [1, 2, 3, 4], None, [None, None, 1, 2]),
    ("change(x)", [10, 15, None, 20], None, [None, 5, None, None]),
    ("growth(x)", [100, 120, 0, 5], None, [None, 0.2, -1, None]),
    ("growth(x, 2)", [100, 120, 150], None, [None, None, 0.5]),
    ("rolling_sum(x, 2)", [1, 2, None, 4, 5], None, [None, 3, None, None, 9]),
    ("rolling_avg(x, 3)", [1, 2, 3, 4], None, [None, None, 2, 3]),
    ("rolling_min(x, 2)", [5, 3, 4], None, [None, 3, 3]),
    ("rolling_max(x, 2)", [5, 3, 4], None, [None, 5, 4]),
    ("abs(x)", [-2, None, 3], None, [2, None, 3]),
    ("round(x)", [2.5, -2.5, 1.4], None, [3, -3, 1]),
    ("round(x, 1)", [1.25, -1.25], None, [1.3, -1.3]),
    ("round(x, digits=2)", [1.005 + 1e-9], None, [1.01]),
    ("sqrt(x)", [9, -1, None], None, [3, None, None]),
    ("ln(x)", [1, 0, -1], None, [0, None, None]),
    ("exp(x)", [0, None], None, [1, None]),
    ("min(x, y)", [1, None, None], [2, 5, None], [1, 5, None]),
    ("max(x, y, 3)", [1, 7], [2, None], [3, 7]),
    ("clamp(x, 0, 10)", [-5, 5, 50, None], None, [0, 5, 10, None]),
    ("coalesce(x, y, 0)", [1, None, None], [2, 3, None], [1, 3, 0]),
    ("if(x > 1, x, y)", [0, 5, None], [9, 9, 9], [9, 5, 9]),
    ("rolling_sum(coalesce(x, 0), 2)", [1, None, 3], None, [None, 1, 3]),
]


@pytest.mark.parametrize(("formula", "x", "y", "expected"), CASES, ids=[c[0] for c in CASES])
def test_function(formula: str, x: list, y: list | None, expected: list) -> None:
    rules = "metric x\nmetric y\nkpi k = " + formula + "\n"
    doc = evaluate(rules, series(x, y), history=True)
    got = values(doc, "k")
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        if e is None:
            assert g is None, (formula, got)
        else:
            assert g is not None and math.isclose(g, e, rel_tol=1e-9, abs_tol=1e-12), (formula, got)


LOGIC = [
    # three-valued logic: a condition that is null is not met (decision falls through)
    ("x > 1 and y > 1", [2, 2, None, 0], [2, None, None, None], ["yes", "no", "no", "no"]),
    ("x > 1 or y > 1", [2, None, 0, None], [None, 2, None, None], ["yes", "yes", "no", "no"]),
    ("not (x > 1)", [0, 2, None], [0, 0, 0], ["yes", "no", "no"]),
    ("x in [1, 2]", [1, 3, None], [0, 0, 0], ["yes", "no", "no"]),
    ("x not in [1, 2]", [1, 3, None], [0, 0, 0], ["no", "yes", "no"]),
    ("x == y", [1, 1, None], [1, 2, None], ["yes", "no", "no"]),
]


@pytest.mark.parametrize(("condition", "x", "y", "expected"), LOGIC, ids=[c[0] for c in LOGIC])
def test_logic(condition: str, x: list, y: list, expected: list) -> None:
    rules = f'metric x\nmetric y\ndecision d\n  "yes" when {condition}\n  "no" otherwise\n'
    doc = evaluate(rules, series(x, y), history=True)
    assert [r["decisions"]["d"] for r in doc["rows"]] == expected


def test_false_and_null_is_false_and_true_or_null_is_true() -> None:
    rules = ('metric x\ndecision a\n  "t" when (x > 100 and null) or (x > 0 or null)\n  "f" otherwise\n')
    doc = evaluate(rules, series([5]))
    assert doc["rows"][0]["decisions"]["a"] == "t"


def test_ytd_restarts_each_year_and_is_null_after_a_null() -> None:
    rows = [{"period": p, "x": v} for p, v in
            [("2025-11", 1), ("2025-12", 2), ("2026-01", 3), ("2026-02", None), ("2026-03", 5)]]
    doc = evaluate("metric x\nkpi k = ytd(x)\n", rows, history=True)
    assert values(doc, "k") == [1, 3, 3, None, None]


def test_ytd_uses_iso_year_for_weeks() -> None:
    rows = [{"period": p, "x": 1} for p in ["2026-W52", "2026-W53", "2027-W01"]]
    doc = evaluate("ruleset w\n  grain week\nmetric x\nkpi k = ytd(x)\n", rows, history=True)
    assert values(doc, "k") == [1, 2, 1]


def test_previous_counts_calendar_periods_per_segment() -> None:
    rows = [
        {"period": "2026-01", "c": "a", "x": 1},
        {"period": "2026-03", "c": "a", "x": 3},
        {"period": "2026-02", "c": "b", "x": 20},
    ]
    doc = evaluate("dimension c\nmetric x\nkpi k = previous(x)\n", rows, history=True)
    assert values(doc, "k", c="a") == [None, 1, None]
    assert values(doc, "k", c="b") == [None, None, 20]
    assert values(doc, "x") == [1, 20, 3]  # overall rolls up each period


def test_overall_and_share_use_rolled_up_metrics() -> None:
    rows = [
        {"period": "2026-01", "c": "a", "v": 100, "l": 10},
        {"period": "2026-01", "c": "b", "v": 300, "l": 6},
    ]
    rules = "dimension c\nmetric v\nmetric l\nkpi cr = l / v\nkpi rel = cr / overall(cr)\nkpi s = share(v)\n"
    doc = evaluate(rules, rows)
    rel = {r["segment"].get("c"): r["values"]["rel"] for r in doc["rows"]}
    share = {r["segment"].get("c"): r["values"]["s"] for r in doc["rows"]}
    assert rel[None] == 1 and math.isclose(rel["a"], 0.1 / 0.04) and math.isclose(rel["b"], 0.02 / 0.04)
    assert share == {None: 1, "a": 0.25, "b": 0.75}


def test_parameters_and_string_dimensions_in_expressions() -> None:
    rows = [{"period": "2026-01", "c": "paid", "x": 10}, {"period": "2026-01", "c": "free", "x": 10}]
    rules = ('param bonus = 5\ndimension c\nmetric x\nkpi k = if(c == "paid", x + bonus, x)\n')
    doc = evaluate(rules, rows)
    by_seg = {r["segment"].get("c"): r["values"]["k"] for r in doc["rows"]}
    assert by_seg == {None: 20, "paid": 15, "free": 10}  # overall: c is null → the else branch
