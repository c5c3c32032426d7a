"""Objective forecasts (language §7) against an independent least-squares fit, and the
statuses at and after the deadline."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpirules


def objectives(rules: str, rows: list[dict[str, Any]], **options: Any) -> dict[tuple[str, str], dict[str, Any]]:
    doc = kpirules.loads("ruleset t\n" + rules).evaluate(rows, **options).to_dict()
    return {(o["name"], o["segment"].get("channel", "overall")): o for o in doc["objectives"]}


def least_squares(points: list[tuple[float, float]], at: float) -> float:
    """The ordinary least-squares line through ``points``, read at ``at`` (textbook formulas)."""
    n = len(points)
    sx = sum(x for x, _ in points)
    sy = sum(y for _, y in points)
    sxx = sum(x * x for x, _ in points)
    sxy = sum(x * y for x, y in points)
    slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    return (sy - slope * sx) / n + slope * at


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(series=st.lists(st.one_of(st.none(), st.integers(0, 10_000)), min_size=2, max_size=9),
       deadline=st.integers(9, 14))
def test_projected_is_the_least_squares_line_at_the_deadline(series: list[int | None], deadline: int) -> None:
    series = [100, *series]  # the baseline, in January
    rows = [{"period": f"2026-{i + 1:02d}", "revenue": v} for i, v in enumerate(series)]
    rules = f"metric revenue\nobjective grow\n  revenue increase 20 from 2026-01 to {2026 + (deadline - 1) // 12}-{(deadline - 1) % 12 + 1:02d}\n"
    got = objectives(rules, rows)[("grow", "overall")]
    # x is the position in the calendar: a null month leaves a gap, it is not skipped over;
    # the line stops at the judgement period (the deadline when the data runs past it)
    points = [(float(i), float(v)) for i, v in enumerate(series) if v is not None and i <= deadline - 1]
    if len(points) < 3:
        assert got["projected"] is None and got["projected_status"] is None
        return
    expected = least_squares(points, deadline - 1)
    assert got["projected"] == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert got["projected_status"] == ("achieved" if got["projected"] >= 120 else "missed")


def test_the_conformance_example_and_a_gap_in_the_calendar() -> None:
    rules = "metric revenue\nobjective grow\n  revenue increase 40% from 2026-01 to 2026-06\n"
    rows = [{"period": f"2026-0{i + 1}", "revenue": v} for i, v in enumerate([100, 110, 120, 130])]
    got = objectives(rules, rows)[("grow", "overall")]
    assert got["projected"] == pytest.approx(150) and got["projected_status"] == "achieved"
    # February empty: the line goes through (0, 100), (2, 120), (3, 130), not three months in a row
    rows[1]["revenue"] = None
    got = objectives(rules, rows)[("grow", "overall")]
    assert got["projected"] == pytest.approx(least_squares([(0, 100), (2, 120), (3, 130)], 5))


def test_a_forecast_starts_at_the_objectives_from_period_and_stops_at_the_judgement_period() -> None:
    rules = "metric revenue\nobjective grow\n  revenue >= 300 by 2026-05 from 2026-02\n"
    values = [1000, 100, 110, 120, 130, 500, 900]  # January and after May must not count
    rows = [{"period": f"2026-0{i + 1}", "revenue": v} for i, v in enumerate(values)]
    got = objectives(rules, rows, period="2026-04")[("grow", "overall")]
    assert got["projected"] == pytest.approx(130)  # 100, 110, 120 in Feb-Apr → 130 in May
    assert got["projected_status"] == "missed" and got["status"] == "at_risk"
    after = objectives(rules, rows)[("grow", "overall")]  # as of July: judged in May
    assert after["projected"] == pytest.approx(least_squares([(1, 100), (2, 110), (3, 120), (4, 130)], 4))
    assert after["status"] == "missed"


def test_segments_get_their_own_forecast() -> None:
    rules = "dimension channel\nmetric leads\nobjective more\n  leads increase 50% from 2026-01 to 2026-06\n"
    rows = [{"period": f"2026-0{m}", "channel": ch, "leads": base + step * (m - 1)}
            for m in range(1, 5) for ch, base, step in (("a", 100, 20), ("b", 100, -5))]
    got = objectives(rules, rows)
    assert got[("more", "a")]["projected"] == pytest.approx(200)
    assert got[("more", "a")]["projected_status"] == "achieved"
    assert got[("more", "b")]["projected"] == pytest.approx(75)
    assert got[("more", "b")]["projected_status"] == "missed"
    assert got[("more", "overall")]["projected"] == pytest.approx(275)


def test_missed_from_the_deadline_on_and_no_data_on_a_zero_baseline() -> None:
    rules = ("metric revenue\nmetric signups\n"
             "objective reach\n  revenue >= 200 by 2026-03 from 2026-01\n"
             "objective more_signups\n  signups increase 50% from 2026-01 to 2026-12\n"
             "objective ten_more\n  signups increase 10 from 2026-01 to 2026-12\n")
    rows = [{"period": f"2026-0{i + 1}", "revenue": r, "signups": s}
            for i, (r, s) in enumerate([(100, 0), (150, 4), (190, 6)])]
    got = objectives(rules, rows)
    assert got[("reach", "overall")]["status"] == "missed"  # as-of period is the deadline: not at_risk
    zero = got[("more_signups", "overall")]
    assert zero["status"] == "no_data" and zero["current"] == 6
    assert zero["goal"] is None and zero["progress"] is None
    assert zero["projected"] is None and zero["projected_status"] is None
    absolute = got[("ten_more", "overall")]  # an absolute amount on a zero baseline is a goal
    assert absolute["goal"] == 10 and absolute["status"] == "on_track"
    assert absolute["projected"] == pytest.approx(least_squares([(0, 0), (1, 4), (2, 6)], 11))  # December
