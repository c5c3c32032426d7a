"""Silences: mute what is known, until a period (``kpirules silence``).

A silence names a rule (optionally ``RULESET/RULE``), may narrow it to
segments (``--where DIM=VALUE``, every pair must match) and lasts up to and
including a period of the ruleset's grain. While it lasts, the calls of
firings it covers (first firings, renotifications and resolutions) are
recorded in the outbox as ``silenced`` and not sent. It expires by itself:
a run whose as-of period is after ``until`` no longer sees it, and a streak
that is still firing then has its silenced first-firing calls delivered, so
a problem that outlives its silence is not forgotten.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from attrs import frozen

from kpirules.engine.segment import Segment
from kpirules.errors import UsageError

Covers = Callable[[str, Mapping[str, Any]], bool]


@frozen
class Silence:
    """One recorded silence."""

    id: int
    ruleset: str | None
    rule: str
    segment: dict[str, str]
    until: str
    reason: str | None
    created_at: str

    def covers(self, ruleset: str, rule: str, segment: Mapping[str, Any]) -> bool:
        """Whether a firing of ``rule`` in ``segment`` is muted by this silence."""
        if rule != self.rule or (self.ruleset is not None and self.ruleset != ruleset):
            return False
        return all(k in segment and str(segment[k]) == v for k, v in self.segment.items())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``kpirules alerts --format json``)."""
        return {"id": self.id, "ruleset": self.ruleset, "rule": self.rule,
                "segment": dict(self.segment), "until": self.until, "reason": self.reason,
                "created_at": self.created_at}


def _row(row: sqlite3.Row) -> Silence:
    return Silence(row["id"], row["ruleset"], row["rule"], json.loads(row["segment"]),
                   row["until"], row["reason"], row["created_at"])


def active(db: sqlite3.Connection, ruleset: str, as_of: str) -> list[Silence]:
    """The silences of ``ruleset`` that last until ``as_of`` or later.

    Period labels of one grain sort as their periods do (``2026-03`` <
    ``2026-11``, ``2026-W05`` < ``2026-W12``), so ``until >= as_of`` is a
    comparison of texts.
    """
    rows = db.execute("SELECT * FROM silences WHERE (ruleset IS NULL OR ruleset = ?) "
                      "AND until >= ? ORDER BY id", (ruleset, as_of))
    return [_row(r) for r in rows]


def silenced_until(silences: Sequence[Silence], ruleset: str, rule: str,
                   segment: Mapping[str, Any]) -> str | None:
    """The latest end of the silences covering a firing, or None."""
    ends = [s.until for s in silences if s.covers(ruleset, rule, segment)]
    return max(ends) if ends else None


def coverage(db: sqlite3.Connection, ruleset: str, as_of: str) -> Covers:
    """``covers(rule, segment)`` for the silences active at ``as_of``."""
    silences = active(db, ruleset, as_of)

    def covers(rule: str, segment: Mapping[str, Any]) -> bool:
        return any(s.covers(ruleset, rule, segment) for s in silences)

    return covers


def unsilence_expired(db: sqlite3.Connection, ruleset: str, covers: Covers,
                      continuing: Sequence[tuple[str, dict[str, Any]]],
                      key: Callable[[dict[str, Any]], str]) -> list[tuple[str, dict[str, Any]]]:
    """Streaks still firing whose silence has ended: their first-firing calls go out now.

    Returns those streaks: their first firing is their reminder of this run.
    """
    out = []
    for rule, segment in continuing:
        if covers(rule, segment):
            continue
        cursor = db.execute("UPDATE deliveries SET status = 'pending' WHERE ruleset = ? AND rule = ? "
                   "AND segment = ? AND event = 'fire' AND status = 'silenced' AND since = "
                   "(SELECT since FROM rule_state WHERE ruleset = ? AND rule = ? AND segment = ?)",
                   (ruleset, rule, key(segment), ruleset, rule, key(segment)))
        if cursor.rowcount:
            out.append((rule, segment))
    return out


def add(db: sqlite3.Connection, ruleset: str | None, rule: str, segment: Mapping[str, str],
        until: str, reason: str | None) -> int:
    """Record a silence; returns its id."""
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
    cursor = db.execute(
        "INSERT INTO silences (ruleset, rule, segment, until, reason, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (ruleset, rule, Segment.of(segment).key(), until,
         reason, stamp))
    return int(cursor.lastrowid or 0)


def every(db: sqlite3.Connection) -> list[Silence]:
    """Every silence, oldest first."""
    return [_row(r) for r in db.execute("SELECT * FROM silences ORDER BY id")]


def parse_where(values: Sequence[str]) -> dict[str, str]:
    """``--where DIM=VALUE`` options → a segment (a usage error names a bad one)."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--where {item!r}: expected DIM=VALUE")
        if name.strip() in out:
            raise UsageError(f"--where {name.strip()}: given twice")
        out[name.strip()] = value
    return out
