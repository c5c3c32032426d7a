"""A parameter used as a number of periods stays a whole number of at least 1 when overridden."""

from __future__ import annotations

import pytest

import kpirules
from kpirules.errors import UsageError

from .helpers import evaluate

RULES = """\
ruleset r
param window = 2
param target = 10%
metric a
kpi k = rolling_sum(a, window)
kpi g = growth(a, n=window)
kpi t = a * target
"""
ROWS = [{"period": f"2026-0{i}", "a": i} for i in range(1, 5)]


@pytest.mark.parametrize("value", ["1.5", "0", "-1", "50%", "1000000", 0.5])
def test_a_bad_window_override_is_a_usage_error_naming_the_function(value: object) -> None:
    with pytest.raises(UsageError, match=r'"window" is a number of periods in rolling_sum\(\)'):
        evaluate(RULES, ROWS, params={"window": value})


@pytest.mark.parametrize("value", ["3", 3, "3.0", 1])
def test_a_whole_window_override_is_used(value: object) -> None:
    doc = evaluate(RULES, ROWS, params={"window": value})
    assert doc["rows"][-1]["values"]["k"] == (2 + 3 + 4 if float(value) == 3 else 4)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", float("nan")])
def test_a_number_that_is_not_finite_is_refused(value: object) -> None:
    with pytest.raises(UsageError, match='"target" must be a finite number'):
        evaluate(RULES, ROWS, params={"target": value})


def test_other_parameters_keep_any_number() -> None:
    doc = evaluate(RULES, ROWS, params={"target": "2.5"})
    assert doc["rows"][-1]["values"]["t"] == 10.0


def test_a_keyword_argument_counts_too() -> None:
    rules = "ruleset r\nparam w = 1\nmetric a\nkpi g = growth(a, n=w)\n"
    with pytest.raises(UsageError, match=r"growth\(\)"):
        kpirules.loads(rules).evaluate(ROWS, params={"w": "0"})
