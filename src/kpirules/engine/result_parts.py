"""The typed pieces of a :class:`~kpirules.engine.result.Result`: objectives and firings.

The job, the state store and the reports read these values; the JSON
document (interfaces §3) is written from them at the edge
(:meth:`ObjectiveResult.to_dict`, ``Result.to_dict``).
"""

from __future__ import annotations

import math
from typing import Any

from attrs import frozen

from kpirules.engine.segment import Segment


def json_number(value: Any) -> Any:
    """Floats that are whole become ints; NaN and infinities become null."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


@frozen
class ObjectiveResult:
    """One objective judged for one level (language §7): where it started, where it is, its pace."""

    name: str
    title: str | None
    kpi: str
    kind: str  # increase, decrease or compare
    segment: Segment
    baseline: float | None
    goal: float | None
    current: float | None
    progress: float | None
    expected_progress: float | None
    start: str | None  # the period the objective is measured from
    deadline: str | None
    judged_at: str
    status: str  # achieved, on_track, at_risk, missed or no_data
    projected: float | None
    projected_status: str | None

    def to_dict(self) -> dict[str, Any]:
        """The objective as the JSON document writes it (``start`` is ``from``)."""
        return {
            "name": self.name, "title": self.title, "kpi": self.kpi, "kind": self.kind,
            "segment": dict(self.segment),
            "baseline": json_number(self.baseline), "goal": json_number(self.goal),
            "current": json_number(self.current), "progress": json_number(self.progress),
            "expected_progress": json_number(self.expected_progress),
            "from": self.start, "deadline": self.deadline, "judged_at": self.judged_at,
            "status": self.status, "projected": json_number(self.projected),
            "projected_status": self.projected_status,
        }


@frozen
class RuleFiring:
    """A rule firing on one segment at the as-of period, and the streak it belongs to."""

    rule: str
    segment: Segment
    since: str  # the first period of the streak that reaches the as-of period
    periods: int  # the streak's length so far (1: it starts firing now)
    new: bool  # it did not fire the period before
