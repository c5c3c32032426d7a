"""`kpirules why` and `kpirules whatif` through the command line: words, JSON, errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import RunCli

RULES = """ruleset acquisition "Acquisition"
dimension channel
metric spend     unit EUR
metric customers unit count
kpi cac = spend / customers unit EUR better lower label "Customer acquisition cost"
threshold cac
  critical > 150
  warning  > 100
"""
# CAC rose because Google Ads' customers fell
DATA = """month,channel,spend,customers
2026-01,google,1000,20
2026-01,linkedin,600,10
2026-01,display,400,10
2026-02,google,1000,10
2026-02,linkedin,700,10
2026-02,display,300,10
2026-03,google,1000,0
2026-03,linkedin,700,10
2026-03,display,300,10
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "data.csv").write_text(DATA, encoding="utf-8")
    return tmp_path


@pytest.mark.slow
def test_why_in_words_and_in_json(run_cli: RunCli, project: Path) -> None:
    proc = run_cli("why", "rules.kpi", "cac", "--data", "data.csv", "--period", "2026-02")
    assert proc.code == 0, proc.err
    text = proc.out.replace("\u00a0", " ")
    # CAC 50 € → 66.67 €: customers 40 → 30 explain it all, spend did not move in total
    assert "cac (Customer acquisition cost)" in text and "overall, 2026-01 → 2026-02" in text
    assert "In short: cac +16.67 €: customers +16.67 €, spend 0 €; by channel: google +" in text
    doc = json.loads(run_cli("why", "rules.kpi", "cac", "--data", "data.csv", "--period", "2026-02",
                              "--format", "json").out)
    assert [s["name"] for s in doc["by_input"]] == ["customers", "spend"]
    assert doc["by_input"][1] == {"name": "spend", "from": 2000, "to": 2000, "contribution": 0}
    assert doc["by_segment"][0]["segment"] == {"channel": "google"}
    assert sum(s["contribution"] for s in doc["by_segment"]) == pytest.approx(doc["change"])


def test_why_for_a_segment_and_from_an_earlier_period(run_cli: RunCli, project: Path) -> None:
    proc = run_cli("why", "rules.kpi", "cac", "--data", "data.csv", "--period", "2026-03", "--from", "2026-01",
                    "--where", "channel=linkedin", "--format", "json")
    assert proc.code == 0, proc.err
    doc = json.loads(proc.out)
    assert doc["segment"] == {"channel": "linkedin"} and doc["from"] == "2026-01"
    assert doc["by_input"] == [{"name": "spend", "from": 600, "to": 700, "contribution": 10},
                               {"name": "customers", "from": 10, "to": 10, "contribution": 0}]
    assert doc["by_segment"] == []


@pytest.mark.parametrize(("args", "code", "message"), [
    (["cac", "--where", "channel=google"], 3, "cac has no value (channel=google, 2026-03)"),
    (["cca"], 2, 'no KPI or metric "cca" in the ruleset (did you mean "cac"?)'),
    (["cac", "--period", "2026-01"], 2, "2026-01 is the first period of the data"),
    (["cac", "--from", "2025-06"], 2, "--from 2025-06: outside the data"),
    (["cac", "--where", "channel=tiktok"], 2, "no segment channel=tiktok"),
    (["cac", "--where", "country=FR"], 2, "--where: no such dimension in the data (dimensions: channel)"),
])
def test_why_mistakes_are_clear_errors(run_cli: RunCli, project: Path, args: list[str], code: int, message: str) -> None:
    proc = run_cli("why", "rules.kpi", *args, "--data", "data.csv")
    assert proc.code == code, proc.err
    assert message in proc.err
    assert "Traceback" not in proc.err


def test_a_broken_rule_file_is_reported_before_the_data(run_cli: RunCli, project: Path) -> None:
    (project / "rules.kpi").write_text(RULES + "kpi bad = nope\n", encoding="utf-8")
    for args in (["why", "rules.kpi", "cac"], ["whatif", "rules.kpi", "--set", "spend*=2"]):
        proc = run_cli(*args, "--data", "missing.csv")
        assert proc.code == 2 and "rules.kpi:" in proc.err and "nope" in proc.err


def test_whatif_in_words_and_its_exit_code_judges_the_scenario(run_cli: RunCli, project: Path) -> None:
    proc = run_cli("whatif", "rules.kpi", "--data", "data.csv", "--period", "2026-02",
                    "--set", "spend*=2", "--where", "channel=google")
    # google: CAC 100 → 200 (critical): the scenario exits 1 as eval would
    assert proc.code == 1, proc.err
    text = proc.out.replace("\u00a0", " ")
    assert "Scenario: spend*=2 (where channel=google) at 2026-02" in text
    assert "cac (status)" in text and "critical" in text
    calm = run_cli("whatif", "rules.kpi", "--data", "data.csv", "--period", "2026-02",
                    "--set", "spend*=0.5", "--format", "json")
    assert calm.code == 0, calm.err
    doc = json.loads(calm.out)
    # every CAC halves (google 100 → 50 …) and every status stays ok: no status is listed
    assert {(c["segment"].get("channel"), c["kind"]) for c in doc["changes"] if c["name"] == "cac"} == \
        {(None, "value"), ("google", "value"), ("linkedin", "value"), ("display", "value")}
    assert all(c["period"] == "2026-02" for c in doc["changes"])
    assert doc["rows"][0]["values"]["cac"] == pytest.approx(1000 / 30)


@pytest.mark.parametrize(("edit", "message"), [
    ("spend**2", "--set spend**2: write METRIC=VALUE"),
    ("cost*=2", 'no metric "cost"'),
])
def test_whatif_bad_edits_exit_2(run_cli: RunCli, project: Path, edit: str, message: str) -> None:
    proc = run_cli("whatif", "rules.kpi", "--data", "data.csv", "--set", edit)
    assert proc.code == 2 and message in proc.err
