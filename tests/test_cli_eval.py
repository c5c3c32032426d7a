"""`kpirules eval` and `kpirules explain` through the command line: formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RULES = """ruleset shop "Boutique"
dimension channel
metric visits unit count
metric leads unit count
metric spend unit EUR
kpi cr = leads / visits unit percent better higher label "Taux de conversion"
kpi cpl = spend / leads unit EUR better lower
threshold cr
  critical < 5%
  warning < 20%
rule bad "Bad conversion"
  when cr < 5%
  severity warning
  then notify(text="{channel}: {cr}")
"""
DATA = "month,channel,visits,leads,spend\n2026-01,a,100,10,50\n2026-02,a,100,30,60\n2026-02,b,100,4,80\n"


def kpirules(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kpirules", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "data.csv").write_text(DATA, encoding="utf-8")
    return tmp_path


def test_json_output_and_fail_on(project: Path) -> None:
    proc = kpirules("eval", "rules.kpi", "--data", "data.csv", "--format", "json", cwd=project)
    assert proc.returncode == 1, proc.stderr  # b's conversion is critical
    doc = json.loads(proc.stdout)
    assert doc["as_of"] == "2026-02" and [r["segment"] for r in doc["rows"]] == [{}, {"channel": "a"}, {"channel": "b"}]
    assert doc["actions"] == [{"rule": "bad", "title": "Bad conversion", "period": "2026-02",
                               "segment": {"channel": "b"}, "severity": "warning", "new": True,
                               "event": "fire", "since": "2026-02", "periods": 1,
                               "action": "notify", "args": {"text": "b: 4%"}}]
    never = kpirules("eval", "rules.kpi", "--data", "data.csv", "--fail-on", "never", cwd=project)
    assert never.returncode == 0
    january = kpirules("eval", "rules.kpi", "--data", "data.csv", "--period", "2026-01", cwd=project)
    assert january.returncode == 0  # a's 10% is a warning: below --fail-on critical
    warn = kpirules("eval", "rules.kpi", "--data", "data.csv", "--period", "2026-01", "--fail-on", "warning",
                    cwd=project)
    assert warn.returncode == 1


def test_history_and_period(project: Path) -> None:
    proc = kpirules("eval", "rules.kpi", "--data", "data.csv", "--format", "json", "--history", cwd=project)
    assert json.loads(proc.stdout)["periods"] == ["2026-01", "2026-02"]
    proc = kpirules("eval", "rules.kpi", "--data", "data.csv", "--format", "json", "--period", "2026-01", cwd=project)
    assert json.loads(proc.stdout)["as_of"] == "2026-01"
    outside = kpirules("eval", "rules.kpi", "--data", "data.csv", "--period", "2027-01", cwd=project)
    assert outside.returncode == 2 and "outside the data" in outside.stderr


def test_stdin_data_and_output_file(project: Path) -> None:
    proc = kpirules("eval", "rules.kpi", "--data", "-", "--format", "json", "-o", "out.json", "--fail-on", "never",
                    cwd=project, stdin=DATA)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((project / "out.json").read_text())["ruleset"] == "shop"


def test_invalid_rule_file_exits_2_before_reading_data(project: Path) -> None:
    (project / "bad.kpi").write_text("ruleset b\nmetric visits\nkpi x = visit / 2\n")
    proc = kpirules("eval", "bad.kpi", "--data", "does-not-exist.csv", cwd=project)
    assert proc.returncode == 2
    assert "bad.kpi:3:9: error: unknown name \"visit\"" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(("data", "message"), [
    ("month,channel,visits,leads,spend\n2026-01,a,many,1,1\n", "data.csv:2:3"),
    (None, "cannot read the data file"),
])
def test_data_errors_exit_3_without_traceback(project: Path, data: str | None, message: str) -> None:
    if data is None:
        (project / "data.csv").unlink()
    else:
        (project / "data.csv").write_text(data)
    proc = kpirules("eval", "rules.kpi", "--data", "data.csv", cwd=project)
    assert proc.returncode == 3 and message in proc.stderr and "Traceback" not in proc.stderr


def test_usage_errors_exit_2(project: Path) -> None:
    for args in (["--param", "nope=1"], ["--by", "country"], ["--format", "pdf"], ["--param", "x"]):
        proc = kpirules("eval", "rules.kpi", "--data", "data.csv", *args, cwd=project)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_explain_shows_inputs(project: Path) -> None:
    proc = kpirules("explain", "rules.kpi", "cr", "--data", "data.csv", "--where", "channel=b", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert "cr (Taux de conversion) = leads / visits" in proc.stdout
    assert "= 4%" in proc.stdout and "leads = 4" in proc.stdout and "status of cr = critical" in proc.stdout
    unknown = kpirules("explain", "rules.kpi", "crr", "--data", "data.csv", cwd=project)
    assert unknown.returncode == 2 and 'did you mean "cr"' in unknown.stderr


def test_version_and_help(project: Path) -> None:
    assert kpirules("--version", cwd=project).stdout.startswith("kpirules, version")
    for command in ("check", "fmt", "graph", "eval", "explain"):
        assert kpirules(command, "--help", cwd=project).returncode == 0
