"""`kpirules eval` and `kpirules explain` through the command line: formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import PLAIN_ENV, RunCli, run_process

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


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "data.csv").write_text(DATA, encoding="utf-8")
    return tmp_path


@pytest.mark.slow
def test_json_output_and_fail_on(run_cli: RunCli, project: Path) -> None:
    proc = run_cli("eval", "rules.kpi", "--data", "data.csv", "--format", "json")
    assert proc.code == 1, proc.err  # b's conversion is critical
    doc = json.loads(proc.out)
    assert doc["as_of"] == "2026-02" and [r["segment"] for r in doc["rows"]] == [{}, {"channel": "a"}, {"channel": "b"}]
    assert doc["actions"] == [{"rule": "bad", "title": "Bad conversion", "period": "2026-02",
                               "segment": {"channel": "b"}, "severity": "warning", "new": True,
                               "event": "fire", "since": "2026-02", "periods": 1,
                               "action": "notify", "args": {"text": "b: 4%"}}]
    never = run_cli("eval", "rules.kpi", "--data", "data.csv", "--fail-on", "never")
    assert never.code == 0
    january = run_cli("eval", "rules.kpi", "--data", "data.csv", "--period", "2026-01")
    assert january.code == 0  # a's 10% is a warning: below --fail-on critical
    warn = run_cli("eval", "rules.kpi", "--data", "data.csv", "--period", "2026-01", "--fail-on", "warning")
    assert warn.code == 1


def test_history_and_period(run_cli: RunCli, project: Path) -> None:
    proc = run_cli("eval", "rules.kpi", "--data", "data.csv", "--format", "json", "--history")
    assert json.loads(proc.out)["periods"] == ["2026-01", "2026-02"]
    proc = run_cli("eval", "rules.kpi", "--data", "data.csv", "--format", "json", "--period", "2026-01")
    assert json.loads(proc.out)["as_of"] == "2026-01"
    outside = run_cli("eval", "rules.kpi", "--data", "data.csv", "--period", "2027-01")
    assert outside.code == 2 and "outside the data" in outside.err


@pytest.mark.slow
def test_stdin_data_and_output_file(project: Path) -> None:
    proc = run_process("eval", "rules.kpi", "--data", "-", "--format", "json", "-o", "out.json", "--fail-on", "never",
                       cwd=project, env=PLAIN_ENV, inherit_env=False, stdin=DATA)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((project / "out.json").read_text())["ruleset"] == "shop"


def test_invalid_rule_file_exits_2_before_reading_data(run_cli: RunCli, project: Path) -> None:
    (project / "bad.kpi").write_text("ruleset b\nmetric visits\nkpi x = visit / 2\n")
    proc = run_cli("eval", "bad.kpi", "--data", "does-not-exist.csv")
    assert proc.code == 2
    assert "bad.kpi:3:9: error: unknown name \"visit\"" in proc.err and "Traceback" not in proc.err


@pytest.mark.parametrize(("data", "message"), [
    ("month,channel,visits,leads,spend\n2026-01,a,many,1,1\n", "data.csv:2:3"),
    (None, "cannot read the data file"),
])
def test_data_errors_exit_3_without_traceback(run_cli: RunCli, project: Path, data: str | None, message: str) -> None:
    if data is None:
        (project / "data.csv").unlink()
    else:
        (project / "data.csv").write_text(data)
    proc = run_cli("eval", "rules.kpi", "--data", "data.csv")
    assert proc.code == 3 and message in proc.err and "Traceback" not in proc.err


def test_usage_errors_exit_2(run_cli: RunCli, project: Path) -> None:
    for args in (["--param", "nope=1"], ["--by", "country"], ["--format", "pdf"], ["--param", "x"]):
        proc = run_cli("eval", "rules.kpi", "--data", "data.csv", *args)
        assert proc.code == 2, (args, proc.err)
        assert "Traceback" not in proc.err


def test_explain_shows_inputs(run_cli: RunCli, project: Path) -> None:
    proc = run_cli("explain", "rules.kpi", "cr", "--data", "data.csv", "--where", "channel=b")
    assert proc.code == 0, proc.err
    assert "cr (Taux de conversion) = leads / visits" in proc.out
    assert "= 4%" in proc.out and "leads = 4" in proc.out and "status of cr = critical" in proc.out
    unknown = run_cli("explain", "rules.kpi", "crr", "--data", "data.csv")
    assert unknown.code == 2 and 'did you mean "cr"' in unknown.err


def test_version_and_help(run_cli: RunCli, project: Path) -> None:
    assert run_cli("--version").out.startswith("kpirules, version")
    for command in ("check", "fmt", "graph", "eval", "explain"):
        assert run_cli(command, "--help").code == 0
