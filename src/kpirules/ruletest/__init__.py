"""Rule tests: TOML files of input rows and expected results (interfaces §6).

``kpirules test`` is built from these parts, each usable on its own:

* :func:`collect` finds test files among paths and directories;
* :func:`load_test_file` parses and validates one file (every problem with its
  line, raised as :class:`~kpirules.errors.ConfigError`);
* :class:`Runner` loads each ruleset once, checks the files' names against it
  and runs the tests through the public API;
* :func:`compute_coverage` tells which KPIs, thresholds, decisions, rules and
  objectives no test touches;
* :mod:`~kpirules.ruletest.report` and :mod:`~kpirules.ruletest.junit` render
  the results.
"""

from kpirules.ruletest.coverage import RulesetCoverage, compute_coverage, coverage_items
from kpirules.ruletest.discover import collect
from kpirules.ruletest.loader import load_test_file
from kpirules.ruletest.model import Expectation, ExpectedAction, RuleTest, RuleTestFile
from kpirules.ruletest.runner import CaseResult, Mismatch, Runner

__all__ = [
    "CaseResult",
    "Expectation",
    "ExpectedAction",
    "Mismatch",
    "RuleTest",
    "RuleTestFile",
    "RulesetCoverage",
    "Runner",
    "collect",
    "compute_coverage",
    "coverage_items",
    "load_test_file",
]
