"""Which KPIs, thresholds, decisions, rules and objectives the tests touch.

The definition is deliberately simple (docs/rule-tests.md says it in words):

* an expectation on ``values.X`` touches ``X`` and everything ``X`` is
  computed from;
* ``status.X`` touches every threshold of ``X`` and what they read;
* ``decisions.D``, ``rules.R`` and ``objectives.O`` touch that definition and
  everything its conditions read — a condition ``X is ok`` touches the
  thresholds of ``X`` too;
* ``actions`` touches the rules whose actions were matched.

"Everything it reads" follows names through KPIs and decisions, transitively.
Touching is counted whether the test passed or not: coverage says what the
tests look at, the pass/fail count says whether it is right.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs
from attrs import frozen

from kpirules.ruletest.runner import CaseResult


@frozen
class CoverageItem:
    """One thing a test can touch; ``key`` is unique within a ruleset."""

    key: str
    kind: str  # kpi | threshold | decision | rule | objective
    label: str


@frozen
class RulesetCoverage:
    """The items of one ruleset and which of them the tests touched."""

    path: Path
    items: tuple[CoverageItem, ...]
    touched: frozenset[str]

    @property
    def missing(self) -> list[CoverageItem]:
        """Items no test touches, in definition order."""
        return [item for item in self.items if item.key not in self.touched]


def coverage_items(ruleset: Any) -> list[CoverageItem]:
    """Every KPI, threshold, decision, rule and objective of ``ruleset``, in order."""
    items = [CoverageItem(f"kpi:{n}", "kpi", f"kpi {n}") for n in ruleset.kpis]
    for target, thresholds in ruleset.thresholds.items():
        many = len(thresholds) > 1
        for index, _ in enumerate(thresholds):
            suffix = f" #{index + 1}" if many else ""
            items.append(CoverageItem(f"threshold:{target}:{index}", "threshold",
                                      f"threshold {target}{suffix}"))
    items += [CoverageItem(f"decision:{n}", "decision", f"decision {n}") for n in ruleset.decisions]
    items += [CoverageItem(f"rule:{n}", "rule", f"rule {n}") for n in ruleset.rules]
    items += [CoverageItem(f"objective:{n}", "objective", f"objective {n}")
              for n in ruleset.objectives]
    return items


def _walk(obj: Any, depth: int = 0) -> Iterator[Any]:
    """Every attrs node, tuple item and mapping value reachable from ``obj``."""
    if depth > 200 or obj is None or isinstance(obj, str | int | float | bool):
        return
    yield obj
    if attrs.has(type(obj)):
        for f in attrs.fields(type(obj)):
            if f.name != "span":
                yield from _walk(getattr(obj, f.name), depth + 1)
    elif isinstance(obj, list | tuple | set | frozenset):
        for item in obj:
            yield from _walk(item, depth + 1)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _walk(item, depth + 1)


def references(definition: Any) -> tuple[set[str], set[str]]:
    """Names a definition reads, and names whose threshold status it reads (``x is ok``)."""
    names: set[str] = set()
    statuses: set[str] = set()
    for node in _walk(definition):
        kind = type(node).__name__
        if kind == "Name" and isinstance(getattr(node, "name", None), str):
            names.add(node.name)
        elif kind == "IsStatus":
            operand_name = getattr(getattr(node, "operand", None), "name", None)
            if isinstance(operand_name, str):
                statuses.add(operand_name)
    return names, statuses


class _Toucher:
    """Marks items touched, following what each definition reads."""

    def __init__(self, ruleset: Any) -> None:
        self.rs = ruleset
        self.keys: set[str] = set()
        self._seen: set[tuple[str, str]] = set()

    def _first(self, kind: str, name: str) -> bool:
        if (kind, name) in self._seen:
            return False
        self._seen.add((kind, name))
        return True

    def _follow(self, definition: Any) -> None:
        names, statuses = references(definition)
        for name in names:
            self.name(name)
        for name in statuses:
            self.status(name)

    def name(self, name: str) -> None:
        """A value was checked: the KPI or decision and what it reads."""
        if not self._first("name", name):
            return
        if name in self.rs.kpis:
            self.keys.add(f"kpi:{name}")
            self._follow(self.rs.kpis[name])
        elif name in self.rs.decisions:
            self.keys.add(f"decision:{name}")
            self._follow(self.rs.decisions[name])

    def status(self, name: str) -> None:
        """A status was checked: every threshold of ``name`` and the KPI itself."""
        if not self._first("status", name):
            return
        for index, threshold in enumerate(self.rs.thresholds.get(name, ())):
            self.keys.add(f"threshold:{name}:{index}")
            self._follow(threshold)
        self.name(name)

    def rule(self, name: str) -> None:
        """A rule was checked (its firing or its actions)."""
        if name in self.rs.rules and self._first("rule", name):
            self.keys.add(f"rule:{name}")
            self._follow(self.rs.rules[name])

    def objective(self, name: str) -> None:
        """An objective was checked: it and its KPI."""
        if name not in self.rs.objectives or not self._first("objective", name):
            return
        self.keys.add(f"objective:{name}")
        definition = self.rs.objectives[name]
        for attr in ("target", "kpi"):
            target = getattr(definition, attr, None)
            target = getattr(target, "name", target)
            if isinstance(target, str):
                self.name(target)
        self._follow(definition)


def compute_coverage(results: Iterable[CaseResult], rulesets: dict[Path, Any]) -> list[RulesetCoverage]:
    """Coverage of every ruleset the results tested, in the order first tested."""
    touchers: dict[Path, _Toucher] = {}
    for case in results:
        path = case.file.ruleset_path
        key = path.resolve()
        if key not in touchers:
            touchers[key] = _Toucher(rulesets[key])
        toucher = touchers[key]
        for rule in case.touched_rules:
            toucher.rule(rule)
        for exp in case.test.expectations:
            for name in (*exp.values, *exp.decisions):
                toucher.name(name)
            for name in exp.status:
                toucher.status(name)
            for name in exp.rules:
                toucher.rule(name)
            for name in exp.objectives:
                toucher.objective(name)
            for action in exp.actions or ():
                if action.rule is not None:
                    toucher.rule(action.rule)
    reports = []
    for key, toucher in touchers.items():
        items = tuple(coverage_items(toucher.rs))
        reports.append(RulesetCoverage(key, items, frozenset(toucher.keys)))
    return reports
