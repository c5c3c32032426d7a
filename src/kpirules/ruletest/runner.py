"""Running rule tests: evaluate each test's rows and compare with its expectations.

Each test is evaluated through the public API, exactly as ``kpirules eval``
would (``kpirules.evaluate(ruleset, rows, params=…, history=True)`` then
``result.to_dict()``), so a passing test says something about what users see.
An expectation's segment also chooses the breakdown (``segment = { channel =
"paid" }`` evaluates ``by=["channel"]``), and its period the as-of period, so
that objectives and actions, which are judged at the as-of period only, can be
checked at any period of the rows.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from attrs import field, frozen

import kpirules
from kpirules.engine.segment import Segment
from kpirules.errors import KpirulesError, OptionHint, Wording
from kpirules.ruletest.check import check_against_ruleset
from kpirules.ruletest.compare import same, show
from kpirules.ruletest.model import Expectation, ExpectedAction, RuleTest, RuleTestFile

Outcome = Literal["passed", "failed", "error"]
_MISSING = object()


class _TestFileWording(Wording):
    """How a rule test's errors name options: its rows set none, a bad cell is written "null"."""

    def hint(self, hint: OptionHint) -> str:
        if hint.option == "on_bad_value":
            return '; write "null" for a missing value'
        return super().hint(hint)


TEST_FILE_WORDING = _TestFileWording()


@frozen
class Mismatch:
    """One check that did not hold: what was expected, what came out, and why."""

    expectation: Expectation
    check: str  # "values.cac", "status.cac", "actions", "objectives.grow.status", "row"
    expected: str
    actual: str
    explanation: str | None = None


@frozen
class CaseResult:
    """The outcome of one test."""

    file: RuleTestFile
    test: RuleTest
    outcome: Outcome
    duration: float
    mismatches: tuple[Mismatch, ...] = ()
    error: str | None = None
    touched_rules: frozenset[str] = field(factory=frozenset)

    @property
    def nodeid(self) -> str:
        """``path::name``, as pytest names a test."""
        return f"{self.file.label}::{self.test.name}"


class Runner:
    """Loads each ruleset once and runs the tests of any number of files."""

    def __init__(self, functions: Any = None) -> None:
        self._rulesets: dict[Path, Any] = {}
        self._functions = functions  # plugin functions (kpirules test --config), else the core ones

    def ruleset(self, path: Path) -> Any:
        """The checked ruleset at ``path``; :class:`kpirules.RuleFileError` propagates."""
        key = path.resolve()
        if key not in self._rulesets:
            self._rulesets[key] = kpirules.load(path, functions=self._functions)
        return self._rulesets[key]

    @property
    def rulesets(self) -> dict[Path, Any]:
        """Every ruleset loaded so far, by resolved path."""
        return dict(self._rulesets)

    def prepare(self, files: Iterable[RuleTestFile]) -> None:
        """Load every ruleset and check every file's names before anything runs."""
        for tf in files:
            check_against_ruleset(tf, self.ruleset(tf.ruleset_path))

    def run_file(self, tf: RuleTestFile) -> list[CaseResult]:
        """Run every test of one file, in file order."""
        return [self.run_test(tf, test) for test in tf.tests]

    def run_test(self, tf: RuleTestFile, test: RuleTest) -> CaseResult:
        """Run one test; an error while evaluating makes it an ``error``, not a crash."""
        started = time.perf_counter()
        ruleset = self.ruleset(tf.ruleset_path)
        evaluations: dict[tuple[tuple[str, ...], str | None], tuple[Any, dict[str, Any]]] = {}
        mismatches: list[Mismatch] = []
        touched: set[str] = set()
        try:
            for exp in test.expectations:
                key = (tuple(exp.segment), exp.period)
                if key not in evaluations:
                    result = kpirules.evaluate(
                        ruleset,
                        [dict(row) for row in test.rows],
                        by=list(exp.segment) or None,
                        period=exp.period,
                        params=dict(test.params) or None,
                        history=True,
                    )
                    evaluations[key] = (result, result.to_dict())
                result, doc = evaluations[key]
                mismatches += _check(exp, result, doc, test.tolerance, touched)
        except KpirulesError as exc:
            # the rows are the test's: say where they are, in the test file's words
            where = f"{tf.label}:{test.line}: the rows of the test" if test.line else "the rows of the test"
            message = exc.worded(TEST_FILE_WORDING).replace("<rows>", where)
            return CaseResult(tf, test, "error", time.perf_counter() - started,
                              tuple(mismatches), message, frozenset(touched))
        except Exception:  # an engine bug must not hide the other tests' results
            return CaseResult(tf, test, "error", time.perf_counter() - started,
                              tuple(mismatches), traceback.format_exc(), frozenset(touched))
        outcome: Outcome = "failed" if mismatches else "passed"
        return CaseResult(tf, test, outcome, time.perf_counter() - started, tuple(mismatches),
                          None, frozenset(touched))


def _norm_segment(segment: dict[str, Any]) -> dict[str, str | None]:
    return {k: None if v is None else str(v) for k, v in segment.items()}


def _find_row(doc: dict[str, Any], period: str, segment: dict[str, str]) -> dict[str, Any] | None:
    for row in doc.get("rows", []):
        if row.get("period") == period and _norm_segment(row.get("segment", {})) == segment:
            return row
    return None


def _explain(result: Any, name: str, period: str, segment: dict[str, Any]) -> str | None:
    try:
        text = result.explain(name, period=period, segment=segment)
    except Exception as exc:  # an explanation is a help, never a reason to stop
        return f"(no explanation: {exc})"
    return str(text) if text is not None else None


def _check(exp: Expectation, result: Any, doc: dict[str, Any], tolerance: float,
           touched: set[str]) -> list[Mismatch]:
    period = doc.get("as_of")
    row = _find_row(doc, str(period), dict(exp.segment))
    if row is None:
        available = sorted(
            {Segment.of(r.get("segment")).assignments(", ")
             for r in doc.get("rows", []) if r.get("period") == period}
        )
        return [Mismatch(exp, "row", f"a row for {exp.where()}",
                         f"rows at {period}: {'; '.join(available) or 'none'}")]
    segment = row.get("segment", {})
    out: list[Mismatch] = []

    def compare(section: str, expected: dict[str, Any]) -> None:
        actual_map = row.get(section, {}) or {}
        for name, want in expected.items():
            got = actual_map.get(name, _MISSING)
            if got is _MISSING:
                out.append(Mismatch(exp, f"{section}.{name}", show(want),
                                    f"(no {section} entry for {name})"))
            elif not same(want, got, tolerance):
                out.append(Mismatch(exp, f"{section}.{name}", show(want), show(got),
                                    _explain(result, name, str(period), segment)))

    compare("values", exp.values)
    compare("status", exp.status)
    compare("decisions", exp.decisions)
    compare("rules", exp.rules)

    if exp.actions is not None:
        actual_actions = [
            a for a in doc.get("actions", [])
            if a.get("period") == period and _norm_segment(a.get("segment", {})) == exp.segment
        ]
        touched.update(str(a.get("rule")) for a in actual_actions)
        if not _actions_match(exp.actions, actual_actions, tolerance):
            out.append(Mismatch(exp, "actions", show([a.describe() for a in exp.actions]),
                                show([_describe_actual(a) for a in actual_actions])))

    for name, fields in exp.objectives.items():
        found = [o for o in doc.get("objectives", [])
                 if o.get("name") == name and _norm_segment(o.get("segment", {})) == exp.segment]
        if not found:
            out.append(Mismatch(exp, f"objectives.{name}", show(fields),
                                "(no such objective for this segment)"))
            continue
        objective = found[0]
        for field_name, want in fields.items():
            got = objective.get(field_name)
            if not same(want, got, tolerance):
                detail = ", ".join(f"{k}={show(v)}" for k, v in objective.items()
                                   if k in ("baseline", "goal", "current", "progress",
                                            "expected_progress", "deadline", "status"))
                out.append(Mismatch(exp, f"objectives.{name}.{field_name}", show(want),
                                    show(got), f"objective {name}: {detail}"))
    return out


def _describe_actual(action: dict[str, Any]) -> str:
    args = action.get("args") or {}
    inner = ", ".join([f"rule {action.get('rule')}", f"event {action.get('event', 'fire')}"]
                      + [f"{k}={v!r}" for k, v in args.items()])
    return f"{action.get('action')} ({inner})"


def _actions_match(expected: Sequence[ExpectedAction], actual: Sequence[dict[str, Any]],
                   tolerance: float) -> bool:
    if len(expected) != len(actual):
        return False
    for want, got in zip(expected, actual, strict=True):
        if want.name is not None and want.name != got.get("action"):
            return False
        if want.event is not None and want.event != got.get("event", "fire"):
            return False
        if want.rule is not None and want.rule != got.get("rule"):
            return False
        args = got.get("args") or {}
        for key, value in want.args.items():
            if key not in args or not same(value, args[key], tolerance):
                return False
    return True
