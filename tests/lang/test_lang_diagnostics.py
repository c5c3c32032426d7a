"""Golden diagnostics: each ``tests/cases/diagnostics/NAME.kpi`` is checked with
``kpirules check NAME.kpi`` and its output compared with ``NAME.expected``.

One file per kind of problem (language §12). To add a case, write the rule
file and run ``KPIRULES_UPDATE_GOLDEN=1 pytest tests/lang``; then read the new
``.expected`` file: it is the specification of what users will see.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kpirules
from kpirules.errors import RuleFileError
from kpirules.lang.loader import check_text
from support.cli import CliRun, RunCli
from support.golden import CASES, check_golden

DIAGNOSTIC_CASES = sorted((CASES / "diagnostics").glob("*.kpi"))


def run_check(case: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch,
              *extra: str) -> CliRun:
    monkeypatch.chdir(case.parent)
    monkeypatch.setenv("NO_COLOR", "1")
    return run_cli("check", case.name, *extra)


@pytest.mark.parametrize("case", DIAGNOSTIC_CASES, ids=lambda p: p.stem)
def test_golden_diagnostics(case: Path, run_cli: RunCli,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_check(case, run_cli, monkeypatch)
    assert out == ""
    check_golden(case.with_suffix(".expected"), err)
    has_error = any(": error: " in line for line in err.splitlines())
    assert code == (2 if has_error else 0)


@pytest.mark.parametrize("case", DIAGNOSTIC_CASES, ids=lambda p: p.stem)
def test_json_diagnostics_match_the_text(case: Path, run_cli: RunCli,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_check(case, run_cli, monkeypatch, "--format", "json")
    diagnostics = json.loads(out)
    text = case.with_suffix(".expected").read_text(encoding="utf-8")
    for diag in diagnostics:
        assert set(diag) >= {"file", "line", "column", "severity", "code", "message", "hint"}
        assert diag["file"] == case.name
        assert f"{diag['file']}:{diag['line']}:{diag['column']}: {diag['severity']}: {diag['message']}" in text
        assert diag["line"] >= 1 and diag["column"] >= 1
    assert code == (2 if any(d["severity"] == "error" for d in diagnostics) else 0)


@pytest.mark.parametrize("case", DIAGNOSTIC_CASES, ids=lambda p: p.stem)
def test_api_raises_with_the_same_diagnostics(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    ruleset, diagnostics = check_text(text, case.name)
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        with pytest.raises(RuleFileError) as info:
            kpirules.loads(text, case.name)
        assert [d.code for d in info.value.diagnostics if d.severity == "error"] == [d.code for d in errors]
        assert ruleset is None
    else:
        assert kpirules.loads(text, case.name).warnings


def test_every_diagnostic_code_has_a_case() -> None:
    """The cases cover the codes the checker and parser can emit (language §12)."""
    codes: set[str] = set()
    for case in DIAGNOSTIC_CASES:
        _, diagnostics = check_text(case.read_text(encoding="utf-8"), case.name,
                                    known_actions=["log", "notify"])
        codes |= {d.code for d in diagnostics}
    assert codes >= {
        "syntax", "reserved-word", "unknown-name", "duplicate-name", "cycle", "bad-argument-count",
        "bad-argument", "unknown-function", "not-a-function", "bad-period", "bad-for", "no-threshold",
        "not-constant", "unit-mix", "bad-option", "duplicate-option", "bad-grain", "no-ruleset",
        "ruleset-not-first", "duplicate-ruleset", "otherwise-not-last", "empty-decision",
        "duplicate-label", "empty-threshold", "bad-status-test", "unknown-action",
        "unknown-placeholder", "positional-after-keyword", "type-mismatch", "reserved-name", "bad-number",
        "recover-direction", "renotify-without-then", "resolve-without-then", "bad-renotify",
    }


def test_several_errors_are_all_reported(run_cli: RunCli,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_check(CASES / "diagnostics" / "several_errors.kpi", run_cli, monkeypatch)
    assert code == 2
    assert err.count(": error: ") == 7
    assert err.rstrip().endswith("7 errors, 0 warnings")
