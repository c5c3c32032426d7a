"""Checking a test file's names against the ruleset it tests.

A test that expects ``values.cacc`` would otherwise fail with a confusing
"no such value"; it is a mistake in the test file, so it is reported as such
(exit code 2) with the line and a "did you mean" hint, before any test runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kpirules.errors import OptionError
from kpirules.lang.periods import PeriodError, as_literal, last_index
from kpirules.ruletest.locate import Locator
from kpirules.ruletest.model import RuleTestFile
from kpirules.ruletest.problems import Problems, suggest


def check_against_ruleset(tf: RuleTestFile, ruleset: Any) -> None:
    """Raise :class:`~kpirules.errors.ConfigError` listing every unknown name."""
    problems = Problems(tf.label)
    try:
        text = tf.path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    add_name_problems(tf, ruleset, problems, Locator(text, len(tf.tests)))
    problems.raise_if_any()


def _check_param_value(ruleset: Any, name: str, value: Any, where: str, line: int | None,
                       problems: Problems) -> None:
    """The value must suit the parameter (a number for a numeric one, a whole count of periods…)."""
    from kpirules.engine.evaluate import resolve_params

    try:
        resolve_params(ruleset, {name: value})
    except OptionError as err:
        problems.add(line, f"{where}: {err.value}: {err.reason}")


def add_name_problems(tf: RuleTestFile, ruleset: Any, problems: Problems, loc: Locator) -> None:
    """Add to ``problems`` every name of ``tf`` that ``ruleset`` does not define."""
    rs_name = getattr(ruleset, "name", "the ruleset")
    metrics_and_kpis = [*ruleset.metrics, *ruleset.kpis]
    file_params = tf.params
    for name, value in file_params.items():  # once, at the file's params, not in every test
        if name not in ruleset.params:
            problems.add(loc.find(name, tf.params_line, tf.params_line) or tf.params_line,
                         f'params: "{name}" is not a parameter of {rs_name}{suggest(name, ruleset.params)}')
        else:
            _check_param_value(ruleset, name, value, "params", tf.params_line, problems)

    for test in tf.tests:
        title = f'test "{test.name}"'

        def unknown(name: str, known: Iterable[str], what: str, title: str = title,
                    line: int | None = test.line, end: int | None = test.end_line) -> None:
            known = list(known)
            if name not in known:
                problems.add(loc.find(name, line, end) or line,
                             f'{title}: "{name}" is not {what} of {rs_name}{suggest(name, known)}')

        for name, value in test.params.items():
            if name in file_params and file_params[name] is value:
                continue  # the file's own, checked above
            unknown(name, ruleset.params, "a parameter")
            if name in ruleset.params:
                _check_param_value(ruleset, name, value, title,
                                   loc.find(name, test.line, test.end_line) or test.line, problems)
        for exp in test.expectations:
            if exp.period is not None:
                try:
                    last_index(as_literal(exp.period), ruleset.grain)
                except PeriodError as err:
                    problems.add(exp.line, f'{title}, expectation {exp.index}: period "{exp.period}": {err}')
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
