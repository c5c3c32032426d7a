"""The parsed form of a rule-test file (interfaces §6).

A test file is turned into these frozen objects once, checked, and then run;
keeping the parsed form apart from the TOML lets the loader report every
problem with its file and line before any test runs, and lets the runner and
the coverage report work from plain, typed data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from attrs import field, frozen

from kpirules.engine.segment import Segment

#: Statuses a threshold can give (language §8), as written in ``status = {…}``.
KPI_STATUSES = frozenset({"ok", "warning", "critical", "no_data", "skipped"})
#: Statuses of an objective (language §7), as written in ``objectives = {…}``.
OBJECTIVE_STATUSES = frozenset({"achieved", "on_track", "at_risk", "missed", "no_data"})
#: Objective fields that may be checked besides the status (an extension of §6).
OBJECTIVE_FIELDS = frozenset(
    {"status", "baseline", "goal", "current", "progress", "expected_progress", "deadline"}
)


@frozen
class ExpectedAction:
    """One action the rules should call for: its name, optionally its rule and arguments.

    ``args`` holds only the arguments the test cares about; others are not compared.
    """

    name: str | None
    rule: str | None = None
    args: dict[str, Any] = field(factory=dict)
    event: str | None = None  # fire | renotify | resolve; None: not compared

    def describe(self) -> str:
        """Short text for messages: ``notify`` or ``notify (rule stop, event resolve, text=…)``."""
        extra = []
        if self.rule is not None:
            extra.append(f"rule {self.rule}")
        if self.event is not None:
            extra.append(f"event {self.event}")
        extra += [f"{k}={v!r}" for k, v in self.args.items()]
        name = self.name or "any action"
        return f"{name} ({', '.join(extra)})" if extra else name


@frozen
class Expectation:
    """What one row (period × segment) of the result must show.

    ``period`` ``None`` means the last period of the rows; ``segment`` ``{}``
    the overall level. ``values`` maps names to numbers, strings or ``None``
    (written ``"null"``). ``actions`` is ``None`` when not checked, else the
    ordered list the rules call for at that row. ``objectives`` maps an
    objective to the fields to check (always at least ``status`` or a number).
    """

    index: int
    line: int | None
    period: str | None = None
    segment: dict[str, str] = field(factory=dict)
    values: dict[str, Any] = field(factory=dict)
    status: dict[str, str] = field(factory=dict)
    decisions: dict[str, str | None] = field(factory=dict)
    rules: dict[str, bool] = field(factory=dict)
    actions: tuple[ExpectedAction, ...] | None = None
    objectives: dict[str, dict[str, Any]] = field(factory=dict)

    def where(self) -> str:
        """``period 2026-03, channel=display`` for messages."""
        period = self.period or "last period"
        seg = Segment.of(self.segment).assignments(", ")
        return f"{period}, {seg}"


@frozen
class RuleTest:
    """One ``[[test]]``: input rows, parameter overrides and expectations."""

    name: str
    line: int | None
    rows: tuple[dict[str, Any], ...]
    expectations: tuple[Expectation, ...]
    params: dict[str, Any] = field(factory=dict)
    tolerance: float = 1e-9
    end_line: int | None = None


@frozen
class RuleTestFile:
    """A test file: the ruleset it targets and its tests, in file order."""

    path: Path
    ruleset_path: Path
    tests: tuple[RuleTest, ...]
    display: str = ""
    params: dict[str, Any] = field(factory=dict)  # the file-level ones (also in each test's)
    params_line: int | None = None

    @property
    def label(self) -> str:
        """The path as the user gave it (used in ``path::name``)."""
        return self.display or str(self.path)
