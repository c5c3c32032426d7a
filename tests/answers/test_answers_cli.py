"""`kpirules why` and `kpirules whatif` through the command line: words, JSON, errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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


def kpirules(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kpirules", *args], cwd=cwd, capture_output=True, text=True,
                          env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "data.csv").write_text(DATA, encoding="utf-8")
    return tmp_path


def test_why_in_words_and_in_json(project: Path) -> None:
    proc = kpirules("why", "rules.kpi", "cac", "--data", "data.csv", "--period", "2026-02", cwd=project)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.replace("\u00a0", " ")
    # CAC 50 € → 66.67 €: customers 40 → 30 explain it all, spend did not move in total
    assert "cac (Customer acquisition cost)" in text and "overall, 2026-01 → 2026-02" in text
    assert "In short: cac +16.67 €: customers +16.67 €, spend 0 €; by channel: google +" in text
    doc = json.loads(kpirules("why", "rules.kpi", "cac", "--data", "data.csv", "--period", "2026-02",
                              "--format", "json", cwd=project).stdout)
    assert [s["name"] for s in doc["by_input"]] == ["customers", "spend"]
    assert doc["by_input"][1] == {"name": "spend", "from": 2000, "to": 2000, "contribution": 0}
    assert doc["by_segment"][0]["segment"] == {"channel": "google"}
    assert sum(s["contribution"] for s in doc["by_segment"]) == pytest.approx(doc["change"])


def test_why_for_a_segment_and_from_an_earlier_period(project: Path) -> None:
    proc = kpirules("why", "rules.kpi", "cac", "--data", "data.csv", "--period", "2026-03", "--from", "2026-01",
                    "--where", "channel=linkedin", "--format", "json", cwd=project)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
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
def test_why_mistakes_are_clear_errors(project: Path, args: list[str], code: int, message: str) -> None:
    proc = kpirules("why", "rules.kpi", *args, "--data", "data.csv", cwd=project)
    assert proc.returncode == code, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_broken_rule_file_is_reported_before_the_data(project: Path) -> None:
    (project / "rules.kpi").write_text(RULES + "kpi bad = nope\n", encoding="utf-8")
    for args in (["why", "rules.kpi", "cac"], ["whatif", "rules.kpi", "--set", "spend*=2"]):
        proc = kpirules(*args, "--data", "missing.csv", cwd=project)
        assert proc.returncode == 2 and "rules.kpi:" in proc.stderr and "nope" in proc.stderr


def test_whatif_in_words_and_its_exit_code_judges_the_scenario(project: Path) -> None:
    proc = kpirules("whatif", "rules.kpi", "--data", "data.csv", "--period", "2026-02",
                    "--set", "spend*=2", "--where", "channel=google", cwd=project)
    # google: CAC 100 → 200 (critical): the scenario exits 1 as eval would
    assert proc.returncode == 1, proc.stderr
    text = proc.stdout.replace("\u00a0", " ")
    assert "Scenario: spend*=2 (where channel=google) at 2026-02" in text
    assert "cac (status)" in text and "critical" in text
    calm = kpirules("whatif", "rules.kpi", "--data", "data.csv", "--period", "2026-02",
                    "--set", "spend*=0.5", "--format", "json", cwd=project)
    assert calm.returncode == 0, calm.stderr
    doc = json.loads(calm.stdout)
    # every CAC halves (google 100 → 50 …) and every status stays ok: no status is listed
    assert {(c["segment"].get("channel"), c["kind"]) for c in doc["changes"] if c["name"] == "cac"} == \
        {(None, "value"), ("google", "value"), ("linkedin", "value"), ("display", "value")}
    assert all(c["period"] == "2026-02" for c in doc["changes"])
    assert doc["rows"][0]["values"]["cac"] == pytest.approx(1000 / 30)


@pytest.mark.parametrize(("edit", "message"), [
    ("spend**2", "--set spend**2: write METRIC=VALUE"),
    ("cost*=2", 'no metric "cost"'),
])
def test_whatif_bad_edits_exit_2(project: Path, edit: str, message: str) -> None:
    proc = kpirules("whatif", "rules.kpi", "--data", "data.csv", "--set", edit, cwd=project)
    assert proc.returncode == 2 and message in proc.stderr
