"""Judgements only at the reported periods: every reader sees what judging every period gives.

The evaluation judges (statuses, decisions, rules and their streaks) only the
reported periods and the one before; the result judges any other period when
asked. Each test compares a result with one whose judgements were made for
the whole history at once (the engine before this restriction), at every
as-of period, through every reader: the document, firings, ended streaks,
``status(period=…)``, ``explain``, ``why`` and the report's "why" section.
"""

from __future__ import annotations

import random
from typing import Any

import polars as pl
import pytest

import kpirules
from kpirules.answers.report import worsened_whys
from kpirules.engine import judgements
from kpirules.engine.frame_columns import P
from kpirules.engine.result import Result
from kpirules.engine.scenarios import parse_edit, run_scenario

HEAD = """ruleset r
param floor = 40
dimension shop
metric spend unit EUR
metric orders unit count
metric visits unit count
kpi basket = spend / orders unit EUR better higher
kpi conversion = orders / visits unit percent better higher
kpi spend_growth = growth(spend) unit percent better higher
threshold basket where visits >= 100
  critical < 30
  warning < floor
threshold conversion
  warning < 2%
decision verdict
  "stop" when basket is critical and previous(conversion) < 3%
  "watch" when basket is warning
  "keep" otherwise
"""

#: A rule that looks back (``for``, ``previous``), renotifies and resolves: the margin is bounded.
STREAKS = HEAD + """rule falling "Basket down"
  when verdict != "keep" and previous(basket) > 0
  for 2 periods
  scope segments
  then notify(text="{shop}: basket {basket} in {period}")
  renotify every 3 periods
  resolve notify(text="{shop}: back to {basket}")
"""

#: A rule reading the overall level: a long streak is judged again for every segment.
ACROSS = HEAD + """rule under_overall "Below the overall basket"
  when basket < overall(basket)
  then notify(text="{shop} under the overall basket")
  renotify every 4 periods
"""

#: A recovery threshold reads the whole history: every period is judged at evaluation.
RECOVERY = HEAD.replace("  warning < 2%", "  warning < 2%  recover >= 3%") + """rule low "Low conversion"
  when conversion is warning
  then notify(text="{shop} low")
"""

#: A KPI reading a status and a decision: those are computed at every period, with the KPIs.
READ_BY_KPI = HEAD + """kpi alarm = if(basket is critical, 1, 0) + if(verdict == "stop", 1, 0) unit count
threshold alarm
  warning > 0
rule alarming "Alarm"
  when alarm > 1
  for 3 periods
  then notify(text="{shop} alarm")
"""

RULESETS = {"streaks": STREAKS, "across": ACROSS, "recovery": RECOVERY, "read_by_kpi": READ_BY_KPI}
SHOPS = ["a", "b", "c", None]
MONTHS = 18


def rows(seed: int) -> list[dict[str, Any]]:
    """Shops with long and short streaks: some stay low for many months, some flap."""
    rng = random.Random(seed)
    out = []
    for shop_index, shop in enumerate(SHOPS):
        for month in range(1, MONTHS + 1):
            low = (shop_index == 1 and month > 4) or rng.random() < 0.35
            out.append({"month": f"{2025 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}", "shop": shop,
                        "orders": rng.randint(5, 20),
                        "spend": rng.randint(150, 350) if low else rng.randint(500, 900),
                        "visits": rng.choice([50, 400, 900])})
            if shop_index == 0:  # critical every month: a streak as long as the history
                out[-1].update(orders=10, spend=200, visits=900)
    return out


def whole_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """Judge every period at evaluation, as the engine did before judging only the reported ones."""
    def between(self: judgements.Judge, values: pl.DataFrame, low: int, high: int) -> pl.DataFrame:
        return self.judge(values).filter(pl.col(P).is_between(low, high))

    monkeypatch.setattr(judgements.Judge, "between", between)


def every_period(result: Result) -> list[str]:
    return sorted({r["period"] for r in result.to_dict()["rows"]})


def readers(result: Result) -> dict[str, Any]:
    """What every reader of a result sees, at every period and segment."""
    periods = [result._label(p) for p in range(result.first, result.as_of + 1)]
    segments: list[dict[str, Any]] = [{}, *({"shop": s} for s in SHOPS)]
    names = [*result.ruleset.thresholds]
    out: dict[str, Any] = {
        "doc": result.to_dict(),
        "firings": result.firings(),
        "ended": result.ended_streaks(),
        "status": [result.status(n, period=p, **s) for n in names for p in periods for s in segments],
        "decision": [result.value("verdict", period=p, **s) for p in periods for s in segments],
        "explain": [result.explain(n, period=p, segment=s) for n in [*names, *result.ruleset.rules]
                    for p in periods[-2:] for s in segments[:2]],
        "repr": repr(result),
        "exit": result.exit_status("warning"),
    }
    if result.as_of > result.first:
        out["why"] = result.why("basket").to_dict()
        out["worsened"] = worsened_whys(result)
    return out


@pytest.mark.parametrize("name", sorted(RULESETS))
@pytest.mark.parametrize("seed", [1, 2])
def test_every_reader_sees_what_judging_every_period_gives(name: str, seed: int,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    ruleset = kpirules.loads(RULESETS[name], "r.kpi")
    data = rows(seed)
    labels = every_period(ruleset.evaluate(data, history=True))
    assert len(labels) == MONTHS
    for period in [*labels[:3], *labels[7:9], labels[-1]]:  # the first ones, streaks underway, the last
        restricted = readers(ruleset.evaluate(data, period=period))
        with monkeypatch.context() as patched:
            whole_history(patched)
            reference = readers(ruleset.evaluate(data, period=period))
        assert restricted == reference, (name, period)


@pytest.mark.parametrize("name", sorted(RULESETS))
@pytest.mark.parametrize("history", [True, False])
def test_history_and_scenarios_are_the_same(name: str, history: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    ruleset = kpirules.loads(RULESETS[name], "r.kpi")
    data = rows(3)
    restricted = ruleset.evaluate(data, history=history, period="2026-03")
    after = run_scenario(restricted, [parse_edit("spend*=0.5", ruleset)], {"shop": "b"})
    with monkeypatch.context() as patched:
        whole_history(patched)
        reference = ruleset.evaluate(data, history=history, period="2026-03")
        reference_after = run_scenario(reference, [parse_edit("spend*=0.5", ruleset)], {"shop": "b"})
    assert restricted.to_dict() == reference.to_dict()
    assert after.to_dict() == reference_after.to_dict()
    assert after.changes == reference_after.changes


def test_only_the_reported_period_and_the_one_before_are_judged() -> None:
    ruleset = kpirules.loads(STREAKS, "r.kpi")
    result = ruleset.evaluate(rows(1), period="2026-02")
    assert result.judged is not None
    assert sorted(result.judged[P].unique().to_list()) == [result.as_of - 1, result.as_of]
    assert result._full is None
    result.status("basket", period="2025-03", shop="c")  # judged for that period alone
    assert result._full is None
    assert result.full is not None and result.full[P].n_unique() == MONTHS


def test_a_recovery_threshold_judges_every_period_at_evaluation() -> None:
    result = kpirules.loads(RECOVERY, "r.kpi").evaluate(rows(1))
    assert result._full is not None and result._full[P].n_unique() == MONTHS


def test_a_long_streak_reports_its_first_period_and_renotifies() -> None:
    # shop "a" is low every month: its streak starts in the second month (``for 2 periods``)
    # and lasts the whole history, longer than the periods judged at evaluation
    ruleset = kpirules.loads(STREAKS, "r.kpi")
    firing = [f for f in ruleset.evaluate(rows(1)).firings() if dict(f.segment) == {"shop": "a"}]
    assert [(f.since, f.periods) for f in firing] == [("2025-03", MONTHS - 2)]


def test_the_values_frame_holds_no_judgement() -> None:
    result = kpirules.loads(STREAKS, "r.kpi").evaluate(rows(1))
    assert result.values is not None
    assert "verdict" not in result.values.columns and "basket" in result.values.columns
