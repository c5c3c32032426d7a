"""Result.value of an unknown name, explain of time functions, eval's action warning (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

import kpirules
from support.cli import RunCli

RULES = """ruleset e
metric visits
metric orders
kpi cr = orders / visits unit percent
kpi cr_prev = previous(cr)
kpi visits_growth = growth(visits)
kpi orders_3m = rolling_sum(orders, 3)
"""
ROWS = [{"month": m, "visits": v, "orders": o}
        for m, v, o in [("2026-01", 100, 5), ("2026-02", 200, 8), ("2026-03", 400, 10)]]


def test_value_of_an_unknown_name_is_a_key_error_with_a_did_you_mean() -> None:
    result = kpirules.loads(RULES).evaluate(ROWS)
    with pytest.raises(KeyError) as err:
        result.value("cr_pre")
    assert isinstance(err.value, kpirules.UnknownNameError)
    assert 'did you mean "cr_prev"?' in str(err.value)
    assert result.value("cr_prev") == pytest.approx(0.04)


@pytest.mark.parametrize(("name", "lines"), [
    ("cr_prev", ["cr in 2026-02 = 4%"]),
    ("visits_growth", ["visits in 2026-03 = 400", "visits in 2026-02 = 200"]),
    ("orders_3m", ["orders in 2026-03 = 10", "orders in 2026-02 = 8", "orders in 2026-01 = 5"]),
])
def test_explain_shows_the_earlier_periods_a_time_function_read(name: str, lines: list[str]) -> None:
    text = kpirules.loads(RULES).evaluate(ROWS).explain(name)
    shown = [line.strip() for line in text.splitlines()]
    for line in lines:
        assert line in shown, text


def test_explain_of_previous_does_not_show_this_periods_breakdown() -> None:
    text = kpirules.loads(RULES).evaluate(ROWS).explain("cr_prev")
    assert "orders = 10" not in text and "cr in 2026-02" in text


def test_eval_warns_about_an_action_nobody_provides(run_cli: RunCli, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.kpi").write_text('ruleset a\nmetric visits\nrule low "Low"\n  when visits < 10\n'
                                    '  then notfy(text="low")\n')
    (tmp_path / "a.csv").write_text("month,visits\n2026-01,5\n")
    err = run_cli("eval", "a.kpi", "--data", "a.csv", "--format", "json").err
    assert 'a.kpi:5:8: warning: no plugin or configuration provides the action "notfy"' in err
