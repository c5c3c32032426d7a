"""JUnit XML for CI servers (GitLab, Jenkins, GitHub test reporters).

One ``<testsuite>`` per test file, one ``<testcase>`` per test; a failed test
carries a ``<failure>`` with the same text the terminal shows, an errored one
an ``<error>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from kpirules.ruletest.report import failure_text
from kpirules.ruletest.runner import CaseResult


def junit_xml(results: Sequence[CaseResult], elapsed: float) -> str:
    """The JUnit XML document for ``results``."""
    root = ET.Element("testsuites", name="kpirules test", tests=str(len(results)),
                      failures=str(sum(r.outcome == "failed" for r in results)),
                      errors=str(sum(r.outcome == "error" for r in results)),
                      time=f"{elapsed:.3f}")
    suites: dict[str, list[CaseResult]] = {}
    for case in results:
        suites.setdefault(case.file.label, []).append(case)
    for label, cases in suites.items():
        suite = ET.SubElement(
            root, "testsuite", name=label, tests=str(len(cases)),
            failures=str(sum(c.outcome == "failed" for c in cases)),
            errors=str(sum(c.outcome == "error" for c in cases)), skipped="0",
            time=f"{sum(c.duration for c in cases):.3f}",
        )
        for case in cases:
            element = ET.SubElement(suite, "testcase", classname=_classname(label),
                                    name=case.test.name, file=label, time=f"{case.duration:.3f}")
            if case.test.line is not None:
                element.set("line", str(case.test.line))
            if case.outcome == "failed":
                first = case.mismatches[0]
                failure = ET.SubElement(element, "failure",
                                        message=f"{first.check}: expected {first.expected}, "
                                        f"got {first.actual}", type="AssertionError")
                failure.text = failure_text(case)
            elif case.outcome == "error":
                error = ET.SubElement(element, "error",
                                      message=(case.error or "").strip().splitlines()[-1:][0]
                                      if case.error else "error", type="EvaluationError")
                error.text = failure_text(case)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(path: str | Path, results: Sequence[CaseResult], elapsed: float) -> None:
    """Write the JUnit XML report to ``path`` (UTF-8), creating parent folders."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(junit_xml(results, elapsed), encoding="utf-8")


def _classname(label: str) -> str:
    """``rulesets/tests/funnel.toml`` → ``rulesets.tests.funnel``, as CI tools group them."""
    return Path(label).with_suffix("").as_posix().replace("/", ".").lstrip(".")
