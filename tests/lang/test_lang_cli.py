"""The language commands of the CLI: check, fmt and graph, with their exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpirules.cli import main, run_cli

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


def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input)


# ───────────────────────── check ─────────────────────────


def test_check_a_good_file(files: Path) -> None:
    result = invoke("check", "good.kpi")
    assert result.exit_code == 0
    assert result.stderr == "1 file checked: no problems\n"
    assert result.stdout == ""


def test_check_reports_errors_on_stderr_with_exit_2(files: Path) -> None:
    result = invoke("check", "broken.kpi", "good.kpi")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert 'broken.kpi:3:10: error: unknown name "leads"' in result.stderr
    assert 'broken.kpi:3:18: error: unknown name "visit"' in result.stderr
    assert 'hint: did you mean "visits"?' in result.stderr
    assert result.stderr.rstrip().endswith("2 errors, 0 warnings")


def test_check_json_for_editors(files: Path) -> None:
    result = invoke("check", "--format", "json", "broken.kpi")
    assert result.exit_code == 2
    diagnostics = json.loads(result.stdout)
    assert [(d["line"], d["column"], d["code"]) for d in diagnostics] == [
        (3, 10, "unknown-name"), (3, 18, "unknown-name")]
    assert diagnostics[1]["hint"] == 'did you mean "visits"?'
    assert diagnostics[1]["file"] == "broken.kpi"


def test_check_json_of_a_good_file_is_an_empty_list(files: Path) -> None:
    result = invoke("check", "--format", "json", "good.kpi")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_check_reads_standard_input(files: Path) -> None:
    result = invoke("check", "-", input=BROKEN)
    assert result.exit_code == 2
    assert "<stdin>:3:18: error" in result.stderr


def test_check_a_missing_file(files: Path) -> None:
    result = invoke("check", "nowhere.kpi")
    assert result.exit_code == 2
    assert "nowhere.kpi" in result.stderr
    assert "cannot read the rule file" in result.stderr


def test_check_no_warnings(files: Path) -> None:
    (files / "warn.kpi").write_text("ruleset w\nmetric m\nthreshold m\n", encoding="utf-8")
    assert "warning:" in invoke("check", "warn.kpi").stderr
    result = invoke("check", "--no-warnings", "warn.kpi")
    assert result.exit_code == 0
    assert "warning:" not in result.stderr


def test_usage_errors_exit_2(files: Path) -> None:
    assert run_cli(["check"]) == 2
    assert run_cli(["check", "--format", "yaml", "good.kpi"]) == 2
    assert run_cli(["no-such-command"]) == 2


def test_run_cli_returns_the_exit_codes(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["check", "good.kpi"]) == 0
    assert run_cli(["check", "broken.kpi"]) == 2
    assert run_cli(["--version"]) == 0
    assert "kpirules" in capsys.readouterr().out


# ───────────────────────── fmt ─────────────────────────


def test_fmt_rewrites_the_file(files: Path) -> None:
    result = invoke("fmt", "ugly.kpi")
    assert result.exit_code == 0
    assert "formatted ugly.kpi" in result.stderr
    assert (files / "ugly.kpi").read_text(encoding="utf-8") == (
        "ruleset funnel\n\nmetric visits\n\nkpi double = visits * 2  # twice\n")
    again = invoke("fmt", "--check", "ugly.kpi")
    assert again.exit_code == 0


def test_fmt_check_exits_1_and_writes_nothing(files: Path) -> None:
    result = invoke("fmt", "--check", "ugly.kpi")
    assert result.exit_code == 1
    assert "would reformat ugly.kpi" in result.stderr
    assert (files / "ugly.kpi").read_text(encoding="utf-8") == UGLY


def test_fmt_diff_prints_a_unified_diff(files: Path) -> None:
    result = invoke("fmt", "--diff", "ugly.kpi")
    assert result.exit_code == 0
    assert result.stdout.startswith("--- a/ugly.kpi\n+++ b/ugly.kpi\n")
    assert "-ruleset funnel metric visits kpi double = (visits * 2)   # twice" in result.stdout
    assert "+kpi double = visits * 2  # twice" in result.stdout
    assert (files / "ugly.kpi").read_text(encoding="utf-8") == UGLY


def test_fmt_check_with_diff_exits_1(files: Path) -> None:
    result = invoke("fmt", "--check", "--diff", "ugly.kpi")
    assert result.exit_code == 1
    assert "+++ b/ugly.kpi" in result.stdout


def test_fmt_of_a_canonical_file_changes_nothing(files: Path) -> None:
    assert invoke("fmt", "ugly.kpi").exit_code == 0
    before = (files / "ugly.kpi").stat().st_mtime_ns
    result = invoke("fmt", "ugly.kpi")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert (files / "ugly.kpi").stat().st_mtime_ns == before


def test_fmt_standard_input_to_standard_output(files: Path) -> None:
    result = invoke("fmt", "-", input=UGLY)
    assert result.exit_code == 0
    assert result.stdout == "ruleset funnel\n\nmetric visits\n\nkpi double = visits * 2  # twice\n"


def test_fmt_refuses_a_file_with_syntax_errors(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["fmt", "syntax.kpi"]) == 2
    err = capsys.readouterr().err
    assert "syntax.kpi:2:12: error: unclosed parenthesis" in err
    assert (files / "syntax.kpi").read_text(encoding="utf-8") == SYNTAX


def test_fmt_accepts_a_file_that_only_fails_checks(files: Path) -> None:
    """Formatting is about syntax: an unknown name does not stop it."""
    result = invoke("fmt", "--check", "broken.kpi")
    assert result.exit_code == 1


# ───────────────────────── graph ─────────────────────────


def test_graph_dot_is_the_default(files: Path) -> None:
    result = invoke("graph", "good.kpi")
    assert result.exit_code == 0
    assert result.stdout.startswith('digraph "funnel" {\n')
    assert '"visits" -> "cr";' in result.stdout
    assert '"cr:status" -> "verdict";' in result.stdout


def test_graph_mermaid(files: Path) -> None:
    result = invoke("graph", "good.kpi", "--format", "mermaid")
    assert result.exit_code == 0
    assert result.stdout.startswith("flowchart LR\n")
    assert "classDef kpi" in result.stdout


def test_graph_json(files: Path) -> None:
    result = invoke("graph", "good.kpi", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert {n["id"]: n["kind"] for n in doc["nodes"]} == {
        "channel": "dimension", "visits": "metric", "leads": "metric", "cr": "kpi",
        "cr:status": "status", "verdict": "decision", "rule:low": "rule", "objective:grow": "objective"}
    assert ["verdict", "rule:low"] in doc["edges"]


def test_graph_of_a_broken_file_exits_2(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["graph", "broken.kpi"]) == 2
    assert 'broken.kpi:3:18: error: unknown name "visit"' in capsys.readouterr().err


def test_graph_unknown_format_is_a_usage_error(files: Path) -> None:
    assert run_cli(["graph", "good.kpi", "--format", "png"]) == 2


@pytest.mark.parametrize("command", ["check", "fmt", "graph"])
def test_every_command_has_help(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


def test_fmt_standard_input_already_canonical_is_echoed(files: Path) -> None:
    """An editor piping a buffer through ``kpirules fmt -`` must get it back even
    when nothing changes (otherwise the buffer would be emptied)."""
    canonical = "ruleset funnel\n\nmetric visits\n"
    result = invoke("fmt", "-", input=canonical)
    assert result.exit_code == 0
    assert result.stdout == canonical
