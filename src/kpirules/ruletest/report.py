"""The pytest-like text of a test run: one line per test, failures, summary.

Kept apart from the command so that the JUnit report and the terminal show the
same failure text, and so that tests can check the text without a terminal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from kpirules.ruletest.coverage import RulesetCoverage
from kpirules.ruletest.runner import CaseResult

OUTCOME_WORDS = {"passed": "PASSED", "failed": "FAILED", "error": "ERROR"}


def outcome_line(case: CaseResult) -> str:
    """``rulesets/tests/funnel.toml::CAC of the textbook example PASSED``."""
    return f"{case.nodeid} {OUTCOME_WORDS[case.outcome]}"


def failure_text(case: CaseResult) -> str:
    """What went wrong in one test: each expectation's mismatches with explanations."""
    lines: list[str] = []
    if case.error:
        lines.append("error while evaluating the test rows:")
        lines.append(textwrap.indent(case.error.rstrip(), "  "))
    current = None
    for m in case.mismatches:
        exp = m.expectation
        if exp is not current:
            current = exp
            at = f" (line {exp.line})" if exp.line else ""
            lines.append(f"expectation {exp.index}{at}, at {exp.where()}:")
        lines.append(f"  {m.check}")
        lines.append(f"    expected: {m.expected}")
        lines.append(f"    actual:   {m.actual}")
        if m.explanation:
            lines.append("    explanation:")
            lines.append(textwrap.indent(m.explanation.rstrip(), "      "))
    return "\n".join(lines)


def failures_section(results: Sequence[CaseResult]) -> str:
    """The FAILURES block, or ``""`` when every test passed."""
    bad = [case for case in results if case.outcome != "passed"]
    if not bad:
        return ""
    parts = ["", "=" * 30 + " FAILURES " + "=" * 30]
    for case in bad:
        where = f" (line {case.test.line})" if case.test.line else ""
        parts.append(f"_____ {case.nodeid}{where} _____")
        parts.append(failure_text(case))
        parts.append("")
    return "\n".join(parts)


def summary_line(results: Sequence[CaseResult], elapsed: float) -> str:
    """``12 passed, 1 failed in 0.53s`` (errors count as failures, and are named)."""
    passed = sum(case.outcome == "passed" for case in results)
    failed = sum(case.outcome == "failed" for case in results)
    errors = sum(case.outcome == "error" for case in results)
    text = f"{passed} passed, {failed + errors} failed"
    if errors:
        text += f" ({errors} error{'s' if errors > 1 else ''})"
    return f"{text} in {elapsed:.2f}s"


def coverage_section(reports: Sequence[RulesetCoverage], names: dict[str, str]) -> str:
    """One block per ruleset: how many items are touched and which are not.

    ``names`` maps a resolved ruleset path to the text to show for it.
    """
    lines = ["", "=" * 30 + " COVERAGE " + "=" * 30]
    for report in reports:
        shown = names.get(str(report.path), str(report.path))
        total = len(report.items)
        missing = report.missing
        if not missing:
            lines.append(f"{shown}: all {total} items touched")
            continue
        lines.append(f"{shown}: {total - len(missing)} of {total} items touched; not touched:")
        lines += [f"  {item.label}" for item in missing]
    return "\n".join(lines)
