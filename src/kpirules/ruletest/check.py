"""Checking a test file's names against the ruleset it tests.

A test that expects ``values.cacc`` would otherwise fail with a confusing
"no such value"; it is a mistake in the test file, so it is reported as such
(exit code 2) with the line and a "did you mean" hint, before any test runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kpirules.ruletest.loader import Problems, suggest
from kpirules.ruletest.locate import Locator
from kpirules.ruletest.model import RuleTestFile


def check_against_ruleset(tf: RuleTestFile, ruleset: Any) -> None:
    """Raise :class:`~kpirules.errors.ConfigError` listing every unknown name."""
    problems = Problems(tf.label)
    try:
        text = tf.path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    add_name_problems(tf, ruleset, problems, Locator(text, len(tf.tests)))
    problems.raise_if_any()


def add_name_problems(tf: RuleTestFile, ruleset: Any, problems: Problems, loc: Locator) -> None:
    """Add to ``problems`` every name of ``tf`` that ``ruleset`` does not define."""
    rs_name = getattr(ruleset, "name", "the ruleset")
    metrics_and_kpis = [*ruleset.metrics, *ruleset.kpis]

    for test in tf.tests:
        title = f'test "{test.name}"'

        def unknown(name: str, known: Iterable[str], what: str, title: str = title,
                    line: int | None = test.line, end: int | None = test.end_line) -> None:
            known = list(known)
            if name not in known:
                problems.add(loc.find(name, line, end) or line,
                             f'{title}: "{name}" is not {what} of {rs_name}{suggest(name, known)}')

        for name in test.params:
            unknown(name, ruleset.params, "a parameter")
        for exp in test.expectations:
            for name in exp.values:
                unknown(name, metrics_and_kpis, "a metric or KPI")
            for name in exp.status:
                if name in ruleset.thresholds:
                    continue
                if name in metrics_and_kpis:
                    problems.add(loc.find(name, test.line, test.end_line) or test.line,
                                 f'{title}: status of "{name}" is checked, but it has no '
                                 "threshold (its status is never computed)")
                else:
                    unknown(name, ruleset.thresholds, "a KPI with a threshold")
            for name in exp.decisions:
                unknown(name, ruleset.decisions, "a decision")
            for name in exp.rules:
                unknown(name, ruleset.rules, "a rule")
            for name in exp.objectives:
                unknown(name, ruleset.objectives, "an objective")
            for action in exp.actions or ():
                if action.rule is not None:
                    unknown(action.rule, ruleset.rules, "a rule")
