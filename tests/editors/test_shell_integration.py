"""Shell completion (click's, documented in docs/editors.md) and exit codes in the commands' help."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from support.cli import RunCli


def _kpirules(env: dict[str, str]) -> str:
    script = "import sys; from kpirules.launcher import entry; sys.argv = ['kpirules']; entry()"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env={**os.environ, **env}, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F _kpirules_completion kpirules"),
                                           ("zsh", "#compdef kpirules"),
                                           ("fish", "complete --no-files --command kpirules")])
def test_completion_scripts_for_each_shell(shell: str, marker: str) -> None:
    assert marker in _kpirules({"_KPIRULES_COMPLETE": f"{shell}_source"})


@pytest.mark.slow
def test_completion_knows_the_lazily_loaded_commands() -> None:
    words = _kpirules({"_KPIRULES_COMPLETE": "bash_complete", "COMP_WORDS": "kpirules l", "COMP_CWORD": "1"})
    assert words.split() == ["plain,lsp"]
    words = _kpirules({"_KPIRULES_COMPLETE": "bash_complete", "COMP_WORDS": "kpirules eval f.kpi --fail",
                       "COMP_CWORD": "3"})
    assert words.split() == ["plain,--fail-on"]


@pytest.mark.parametrize("command, codes", [
    ("check", ["0 no error", "2 a rule file"]),
    ("eval", ["0 done", "1 at the as-of period", "2 invalid", "3 the data"]),
])
def test_check_and_eval_help_list_their_exit_codes(run_cli: RunCli, command: str,
                                                  codes: list[str]) -> None:
    result = run_cli(command, "--help")
    assert result.code == 0
    text = " ".join(result.out.split())
    assert "Exit codes:" in text
    for code in codes:
        assert code in text, (command, code)


@pytest.mark.parametrize("command", ["run", "test"])
def test_run_and_test_help_say_their_exit_codes_too(run_cli: RunCli, command: str) -> None:
    result = run_cli(command, "--help")
    assert result.code == 0
    assert "Exit" in result.out


def test_lsp_help(run_cli: RunCli) -> None:
    result = run_cli("lsp", "--help")
    assert result.code == 0
    assert "language server (LSP) over standard input and output" in " ".join(result.out.split())


@pytest.mark.slow
def test_lsp_without_pygls_says_how_to_install_it() -> None:
    script = ("import sys; sys.modules['pygls'] = None; from kpirules.launcher import entry; "
              "sys.argv = ['kpirules', 'lsp']; entry()")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    assert "error: the language server needs pygls" in result.stderr
    assert "pip install 'kpirules[lsp]'" in result.stderr
    assert "Traceback" not in result.stderr
