"""A plain number above 1 as a threshold or objective value on a percent (language §12)."""

from __future__ import annotations

import pytest

from kpirules.lang.loader import diagnose_text

RULES = """ruleset p
metric visits
metric orders
kpi cr = orders / visits unit percent better higher
kpi aov = orders / visits unit EUR
threshold cr
  critical < {critical}
"""


def _warnings(text: str) -> list[tuple[int, str, str | None]]:
    return [(d.line, d.message, d.hint) for d in diagnose_text(text, "p.kpi") if d.code == "percent-as-number"]


def test_critical_below_1_5_on_a_percent_warns_with_the_hint() -> None:
    found = _warnings(RULES.format(critical="1.5"))
    assert found == [(7, 'critical < 1.5 on "cr", a percent: 1.5 is 150% (a percent is a fraction: 30% is 0.3)',
                      "did you mean 1.5%?")]


@pytest.mark.parametrize("value", ["1.5%", "0.015", "1", "-0.5", "previous(cr) * 2"])
def test_percents_fractions_and_expressions_do_not_warn(value: str) -> None:
    assert _warnings(RULES.format(critical=value)) == []


def test_negative_and_objective_values_warn() -> None:
    text = RULES.format(critical="-2") + "objective reach \"Reach\"\n  cr >= 3 by 2026-12\n"
    hints = [h for _, _, h in _warnings(text)]
    assert hints == ["did you mean -2%?", "did you mean 3%?"]


def test_other_units_do_not_warn() -> None:
    assert _warnings(RULES.replace("threshold cr", "threshold aov").format(critical="1.5")) == []
