"""A bug of ours never shows a traceback to the user, and never exits 1.

Exit 1 means "a KPI needs attention" (interfaces §2); a job runner routing
that code to the business must not receive it for a crash. Unexpected
failures exit 3 with a two-line message; ``KPIRULES_DEBUG=1`` shows where.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kpirules import cli
from kpirules.errors import ExitCode

RULES = "ruleset r\nmetric visits\nkpi v = visits * 2\n"


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom\nsecond line of a long message")


@pytest.fixture
def rule_file(tmp_path: Path) -> Path:
    path = tmp_path / "r.kpi"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.mark.slow
def test_an_unexpected_failure_exits_3_in_two_lines(
        rule_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("KPIRULES_DEBUG", raising=False)
    monkeypatch.setattr("kpirules.commands.check.plugin_functions", _boom)
    assert cli.run_cli(["check", str(rule_file)]) == ExitCode.RUNTIME
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "internal error: RuntimeError: boom"
    assert "KPIRULES_DEBUG=1" in err
    assert "Traceback" not in err and "second line" not in err


def test_kpirules_debug_shows_the_traceback(
        rule_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KPIRULES_DEBUG", "1")
    monkeypatch.setattr("kpirules.commands.check.plugin_functions", _boom)
    assert cli.run_cli(["check", str(rule_file)]) == ExitCode.RUNTIME
    err = capsys.readouterr().err
    assert "Traceback" in err and "_boom" in err


def test_an_interrupt_exits_3_without_a_traceback(
        rule_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("kpirules.commands.check.plugin_functions", interrupt)
    assert cli.run_cli(["check", str(rule_file)]) == ExitCode.RUNTIME
    assert capsys.readouterr().err.strip() == "aborted"  # click turns the interrupt into an Abort
