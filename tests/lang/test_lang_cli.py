"""The language commands of the CLI: check, fmt and graph, with their exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import RunCli

GOOD = """\
ruleset funnel "Funnel"
dimension channel
metric visits unit count
metric leads unit count
kpi cr = leads / visits unit percent better higher
threshold cr
  critical < 10%
decision verdict
  "stop" when cr is critical
  "keep" otherwise
rule low when verdict == "stop" then log(text="low {cr}")
objective grow
  cr increase 10% from 2026-01 to 2026-12
"""
UGLY = "ruleset funnel metric visits kpi double = (visits * 2)   # twice\n"
BROKEN = "ruleset funnel\nmetric visits\nkpi cr = leads / visit\n"
SYNTAX = "ruleset funnel\nkpi half = (visits / 2\n"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    for name, text in {"good.kpi": GOOD, "ugly.kpi": UGLY, "broken.kpi": BROKEN,
                       "syntax.kpi": SYNTAX}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


# ───────────────────────── check ─────────────────────────


@pytest.mark.slow
def test_check_a_good_file(run_cli: RunCli, files: Path) -> None:
    result = run_cli("check", "good.kpi")
    assert result.code == 0
    assert result.err == "1 file checked: no problems\n"
    assert result.out == ""


def test_check_reports_errors_on_stderr_with_exit_2(run_cli: RunCli, files: Path) -> None:
    result = run_cli("check", "broken.kpi", "good.kpi")
    assert result.code == 2
    assert result.out == ""
    assert 'broken.kpi:3:10: error: unknown name "leads"' in result.err
    assert 'broken.kpi:3:18: error: unknown name "visit"' in result.err
    assert 'hint: did you mean "visits"?' in result.err
    assert result.err.rstrip().endswith("2 errors, 0 warnings")


def test_check_json_for_editors(run_cli: RunCli, files: Path) -> None:
    result = run_cli("check", "--format", "json", "broken.kpi")
    assert result.code == 2
    diagnostics = json.loads(result.out)
    assert [(d["line"], d["column"], d["code"]) for d in diagnostics] == [
        (3, 10, "unknown-name"), (3, 18, "unknown-name")]
    assert diagnostics[1]["hint"] == 'did you mean "visits"?'
    assert diagnostics[1]["file"] == "broken.kpi"


def test_check_json_of_a_good_file_is_an_empty_list(run_cli: RunCli, files: Path) -> None:
    result = run_cli("check", "--format", "json", "good.kpi")
    assert result.code == 0
    assert json.loads(result.out) == []


def test_check_reads_standard_input(run_cli: RunCli, files: Path) -> None:
    result = run_cli("check", "-", stdin=BROKEN)
    assert result.code == 2
    assert "<stdin>:3:18: error" in result.err


def test_check_a_missing_file(run_cli: RunCli, files: Path) -> None:
    result = run_cli("check", "nowhere.kpi")
    assert result.code == 2
    assert "nowhere.kpi" in result.err
    assert "cannot read the rule file" in result.err


def test_check_no_warnings(run_cli: RunCli, files: Path) -> None:
    (files / "warn.kpi").write_text("ruleset w\nmetric m\nthreshold m\n", encoding="utf-8")
    assert "warning:" in run_cli("check", "warn.kpi").err
    result = run_cli("check", "--no-warnings", "warn.kpi")
    assert result.code == 0
    assert "warning:" not in result.err


def test_usage_errors_exit_2(run_cli: RunCli, files: Path) -> None:
    assert run_cli("check").code == 2
    assert run_cli("check", "--format", "yaml", "good.kpi").code == 2
    assert run_cli("no-such-command").code == 2


def test_run_cli_returns_the_exit_codes(run_cli: RunCli, files: Path) -> None:
    assert run_cli("check", "good.kpi").code == 0
    assert run_cli("check", "broken.kpi").code == 2
    version = run_cli("--version")
    assert version.code == 0 and "kpirules" in version.out


# ───────────────────────── fmt ─────────────────────────


def test_fmt_rewrites_the_file(run_cli: RunCli, files: Path) -> None:
    result = run_cli("fmt", "ugly.kpi")
    assert result.code == 0
    assert "formatted ugly.kpi" in result.err
    assert (files / "ugly.kpi").read_text(encoding="utf-8") == (
        "ruleset funnel\n\nmetric visits\n\nkpi double = visits * 2  # twice\n")
    again = run_cli("fmt", "--check", "ugly.kpi")
    assert again.code == 0


def test_fmt_check_exits_1_and_writes_nothing(run_cli: RunCli, files: Path) -> None:
    result = run_cli("fmt", "--check", "ugly.kpi")
    assert result.code == 1
    assert "would reformat ugly.kpi" in result.err
    assert (files / "ugly.kpi").read_text(encoding="utf-8") == UGLY


def test_fmt_diff_prints_a_unified_diff(run_cli: RunCli, files: Path) -> None:
    result = run_cli("fmt", "--diff", "ugly.kpi")
    assert result.code == 0
    assert result.out.startswith("--- a/ugly.kpi\n+++ b/ugly.kpi\n")
    assert "-ruleset funnel metric visits kpi double = (visits * 2)   # twice" in result.out
    assert "+kpi double = visits * 2  # twice" in result.out
    assert (files / "ugly.kpi").read_text(encoding="utf-8") == UGLY


def test_fmt_check_with_diff_exits_1(run_cli: RunCli, files: Path) -> None:
    result = run_cli("fmt", "--check", "--diff", "ugly.kpi")
    assert result.code == 1
    assert "+++ b/ugly.kpi" in result.out


def test_fmt_of_a_canonical_file_changes_nothing(run_cli: RunCli, files: Path) -> None:
    assert run_cli("fmt", "ugly.kpi").code == 0
    before = (files / "ugly.kpi").stat().st_mtime_ns
    result = run_cli("fmt", "ugly.kpi")
    assert result.code == 0
    assert result.err == ""
    assert (files / "ugly.kpi").stat().st_mtime_ns == before


def test_fmt_standard_input_to_standard_output(run_cli: RunCli, files: Path) -> None:
    result = run_cli("fmt", "-", stdin=UGLY)
    assert result.code == 0
    assert result.out == "ruleset funnel\n\nmetric visits\n\nkpi double = visits * 2  # twice\n"


def test_fmt_refuses_a_file_with_syntax_errors(run_cli: RunCli, files: Path) -> None:
    code, _out, err = run_cli("fmt", "syntax.kpi")
    assert code == 2
    assert "syntax.kpi:2:12: error: unclosed parenthesis" in err
    assert (files / "syntax.kpi").read_text(encoding="utf-8") == SYNTAX


def test_fmt_accepts_a_file_that_only_fails_checks(run_cli: RunCli, files: Path) -> None:
    """Formatting is about syntax: an unknown name does not stop it."""
    result = run_cli("fmt", "--check", "broken.kpi")
    assert result.code == 1


# ───────────────────────── graph ─────────────────────────


def test_graph_dot_is_the_default(run_cli: RunCli, files: Path) -> None:
    result = run_cli("graph", "good.kpi")
    assert result.code == 0
    assert result.out.startswith('digraph "funnel" {\n')
    assert '"visits" -> "cr";' in result.out
    assert '"cr:status" -> "verdict";' in result.out


def test_graph_mermaid(run_cli: RunCli, files: Path) -> None:
    result = run_cli("graph", "good.kpi", "--format", "mermaid")
    assert result.code == 0
    assert result.out.startswith("flowchart LR\n")
    assert "classDef kpi" in result.out


def test_graph_json(run_cli: RunCli, files: Path) -> None:
    result = run_cli("graph", "good.kpi", "--format", "json")
    assert result.code == 0
    doc = json.loads(result.out)
    assert {n["id"]: n["kind"] for n in doc["nodes"]} == {
        "channel": "dimension", "visits": "metric", "leads": "metric", "cr": "kpi",
        "cr:status": "status", "verdict": "decision", "rule:low": "rule", "objective:grow": "objective"}
    assert ["verdict", "rule:low"] in doc["edges"]


def test_graph_of_a_broken_file_exits_2(run_cli: RunCli, files: Path) -> None:
    code, _out, err = run_cli("graph", "broken.kpi")
    assert code == 2 and 'broken.kpi:3:18: error: unknown name "visit"' in err


def test_graph_unknown_format_is_a_usage_error(run_cli: RunCli, files: Path) -> None:
    assert run_cli("graph", "good.kpi", "--format", "png").code == 2


@pytest.mark.parametrize("command", ["check", "fmt", "graph"])
def test_every_command_has_help(run_cli: RunCli, command: str) -> None:
    result = run_cli(command, "--help")
    assert result.code == 0
    assert "Usage:" in result.out


def test_fmt_standard_input_already_canonical_is_echoed(run_cli: RunCli, files: Path) -> None:
    """An editor piping a buffer through ``kpirules fmt -`` must get it back even
    when nothing changes (otherwise the buffer would be emptied)."""
    canonical = "ruleset funnel\n\nmetric visits\n"
    result = run_cli("fmt", "-", stdin=canonical)
    assert result.code == 0
    assert result.out == canonical
