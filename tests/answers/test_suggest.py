"""`suggest` on generated series whose answer is known, and its text pasted back into the rule file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kpirules
from kpirules.answers.suggest_text import suggestions_text
from kpirules.engine.suggest import percentile, suggest
from kpirules.errors import UsageError
from support.cli import CliRun, RunCli

RULES = """ruleset shop
dimension channel
metric visits unit count
metric leads unit count
metric spend unit EUR
metric customers unit count
kpi cr  = leads / visits unit percent better higher
kpi cac = spend / customers unit EUR better lower
kpi judged = leads / visits unit percent better higher
threshold judged
  warning < 1%
"""


def month(i: int) -> str:
    return f"{2025 + i // 12}-{i % 12 + 1:02d}"


def known_rows() -> list[dict[str, Any]]:
    """12 months × 2 channels. Channel a: conversion 1%, 2% … 12% on 1,000 visits, spend +2% a month;
    channel b: conversion 20% every month, no spend."""
    rows = []
    for i in range(12):
        rows.append({"month": month(i), "channel": "a", "visits": 1000, "leads": 10 * (i + 1),
                     "spend": round(1000 * 1.02**i, 2), "customers": 10})
        rows.append({"month": month(i), "channel": "b", "visits": 500, "leads": 100, "spend": 0,
                     "customers": 10})
    return rows


def by_kpi(found: list[Any]) -> dict[str, Any]:
    return {s.kpi: s for s in found}


def test_percentiles_interpolate_as_spreadsheets_do() -> None:
    values = [float(v) for v in range(1, 13)]
    assert percentile(values, 0.25) == pytest.approx(3.75)  # PERCENTILE.INC(1..12; 0.25)
    assert percentile(values, 0.10) == pytest.approx(2.1)
    assert percentile(values, 0.90) == pytest.approx(10.9)
    assert percentile([5.0], 0.9) == 5.0


def test_bands_are_the_percentiles_of_each_segments_own_history() -> None:
    result = kpirules.loads(RULES).evaluate(known_rows(), history=True)
    cr = by_kpi(suggest(result))["cr"]
    bands = {b.segment.get("channel", "*"): b for b in cr.bands}
    # a: 1% … 12%: warning below the 25th percentile (3.75%), critical below the 10th (2.1%)
    assert (bands["a"].warning, bands["a"].critical, bands["a"].median) == pytest.approx((0.038, 0.021, 0.065))
    assert (bands["b"].warning, bands["b"].critical) == pytest.approx((0.2, 0.2))
    assert bands["*"].values == 36  # both channels and the overall row
    assert cr.op == "<" and cr.periods == ("2025-01", "2025-12")


def test_lower_is_better_looks_at_the_high_percentiles() -> None:
    rows = [{"month": month(i), "spend": 1000 + 100 * i, "customers": 10} for i in range(12)]
    result = kpirules.loads(RULES.replace("dimension channel\n", "")).evaluate(rows, history=True)
    cac = by_kpi(suggest(result, ["cac"]))["cac"]
    (band,) = cac.bands
    assert cac.op == ">"
    assert (band.warning, band.critical) == pytest.approx((183.0, 199.0))  # 75th (182.5) and 90th of 100 … 210


def test_a_volume_guard_leaves_out_the_smallest_denominators() -> None:
    rows = known_rows()
    rows[0]["visits"], rows[0]["leads"] = 4, 0  # a's first month: 0% on four visits, noise
    result = kpirules.loads(RULES).evaluate(rows, history=True)
    cr = by_kpi(suggest(result))["cr"]
    assert cr.guard_text == "visits"
    assert 4 < cr.guard_value <= 500  # the 10th percentile of 4, 500 ×12, 1000 ×11
    bands = {b.segment.get("channel", "*"): b for b in cr.bands}
    assert bands["a"].values == 11 and bands["a"].critical > 0.02


def test_the_objective_keeps_the_best_sustained_pace() -> None:
    # overall spend: flat for 6 months, then +2% a month: the best 6-month pace is exactly 2%
    rows = [{"month": month(i), "spend": 1000 * 1.02 ** max(0, i - 6), "customers": 1} for i in range(14)]
    rules = "ruleset t\nmetric spend\nmetric customers\nkpi money = spend / customers better higher\n"
    result = kpirules.loads(rules).evaluate(rows, history=True)
    (found,) = suggest(result)
    assert found.pace is not None
    assert found.pace.rate == pytest.approx(0.02)
    assert found.pace.amount == pytest.approx(round(1.02**12 - 1, 3))
    assert (found.pace.start, found.pace.deadline) == ("2025-07", "2027-02")
    text = suggestions_text([found], result.ruleset)
    assert "objective money_pace" in text and "money increase 26.8% from 2026-02 to 2027-02" in text


def test_no_pace_when_it_never_improved() -> None:
    rows = [{"month": month(i), "spend": 1000 - 10 * i, "customers": 1} for i in range(12)]
    rules = "ruleset t\nmetric spend\nmetric customers\nkpi money = spend / customers better higher\n"
    (found,) = suggest(kpirules.loads(rules).evaluate(rows, history=True))
    assert found.pace is None


@pytest.mark.slow
def test_the_text_pastes_into_the_rule_file_and_judges_the_history_as_proposed(tmp_path: Path) -> None:
    result = kpirules.loads(RULES).evaluate(known_rows(), history=True)
    found = suggest(result)
    assert [s.kpi for s in found] == ["cr", "cac"]  # judged already has a threshold
    text = suggestions_text(found, result.ruleset)
    assert text == suggestions_text(suggest(result), result.ruleset)  # deterministic
    pasted = kpirules.loads(RULES + "\n" + text)
    assert 'threshold cr where channel == "a" and visits >= ' in text
    doc = pasted.evaluate(known_rows(), history=True).to_dict()
    statuses = [r["status"]["cr"] for r in doc["rows"] if r["segment"] == {"channel": "a"}]
    # a's 12 months against its own bands: 1% and 2% critical (below 2.1%), 3% a warning
    assert statuses[:4] == ["critical", "critical", "warning", "ok"]
    assert statuses.count("ok") == 9


def test_suggest_on_the_command_line(tmp_path: Path, run_cli: RunCli,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    lines = ["month,channel,visits,leads,spend,customers"]
    lines += [f"{r['month']},{r['channel']},{r['visits']},{r['leads']},{r['spend']},{r['customers']}"
              for r in known_rows()]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def run(*args: str) -> CliRun:
        return run_cli("suggest", "rules.kpi", "--data", "data.csv", *args)

    proc = run("--kpi", "cr")
    assert proc.code == 0, proc.err
    assert proc.out.startswith("# cr: 2025-01 → 2025-12, better higher")
    assert "threshold cac" not in proc.out
    bad = run("--kpi", "nope")
    assert bad.code == 2 and "--kpi nope" in bad.err
    import json

    doc = json.loads(run("--kpi", "cr", "--format", "json").out)
    (cr,) = doc["suggestions"]
    assert cr["kpi"] == "cr" and cr["op"] == "<" and cr["guard"]["expression"] == "visits"
    assert {b["segment"].get("channel", "*") for b in cr["bands"]} == {"a", "b", "*"}
    assert doc["text"] == proc.out


def test_too_little_history_is_said_not_guessed() -> None:
    rows = [{"month": month(i), "visits": 100, "leads": 10} for i in range(3)]
    result = kpirules.loads(RULES.replace("dimension channel\n", "")).evaluate(rows, history=True)
    cr = by_kpi(suggest(result, ["cr"]))["cr"]
    assert cr.bands == () and "fewer than 6 values" in (cr.note or "")
    with pytest.raises(UsageError):
        suggest(result, ["cr"], periods=1)
