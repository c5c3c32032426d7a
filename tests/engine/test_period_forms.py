"""A period copied from the data works as --period, in the API and in a test file's expectation."""

from __future__ import annotations

import pytest

import kpirules
from kpirules.errors import UsageError
from kpirules.lang.periods import as_literal

RULES = "ruleset r\nmetric visits\nkpi v2 = visits * 2\n"
ROWS = [{"period": p, "visits": i} for i, p in enumerate(["2026-01", "2026-02", "2026-03"], 1)]


@pytest.mark.parametrize(("given", "literal"), [
    ("202603", "2026-03"), (202603, "2026-03"), ("20260317", "2026-03-17"),
    ("31/03/2026", "2026-03-31"), ("1/3/2026", "2026-03-01"), ("2026-03", "2026-03"), ("2026", "2026"),
])
def test_data_forms_become_literals(given: object, literal: str) -> None:
    assert as_literal(given) == literal


@pytest.mark.parametrize("period", ["202602", "2026-02", 202602])
def test_every_form_picks_the_same_period(period: str) -> None:
    result = kpirules.loads(RULES).evaluate(ROWS, period=period)
    assert result.to_dict()["as_of"] == "2026-02"
    assert result.value("v2", period=period) == 4.0
    assert "2026-02" in result.explain("v2", period=period)


@pytest.mark.parametrize("period", ["20260102", "02/01/2026", "2026-01-02"])
def test_day_forms_in_a_daily_ruleset(period: str) -> None:
    rules = "ruleset d\n  grain day\nmetric visits\n"
    rows = [{"period": f"2026-01-0{d}", "visits": d} for d in (1, 2, 3)]
    assert kpirules.loads(rules).evaluate(rows, period=period).to_dict()["as_of"] == "2026-01-02"


def test_a_period_that_is_none_of_them_is_still_refused() -> None:
    with pytest.raises(UsageError, match=r"^period 2026-13: "):
        kpirules.loads(RULES).evaluate(ROWS, period="2026-13")
