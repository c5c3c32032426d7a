"""Renotifications and resolutions in the outbox of the state store.

A first firing is keyed by its streak (``since``); a renotification or a
resolution also by its ``event`` and the period it happens in
(``event_period``), so that each is queued once per streak and period: a run
killed after queuing, or a second run of the same period, queues nothing
again, and a sent row is never sent again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from kpirules.engine.segment import Segment
from kpirules.plugin_api import Firing

#: Schema version 2: events in the outbox, and silences.
MIGRATION_LIFECYCLE = """
    CREATE TABLE deliveries_v2 (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        ruleset      TEXT NOT NULL,
        rule         TEXT NOT NULL,
        segment      TEXT NOT NULL,
        since        TEXT NOT NULL,
        action_index INTEGER NOT NULL,
        action       TEXT NOT NULL,
        firing       TEXT NOT NULL,
        status       TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | failed | silenced
        attempts     INTEGER NOT NULL DEFAULT 0,
        claimed_by   TEXT,
        lease_until  REAL,
        last_error   TEXT,
        created_run  TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        sent_run     TEXT,
        sent_at      TEXT,
        event        TEXT NOT NULL DEFAULT 'fire',     -- fire | renotify | resolve
        event_period TEXT NOT NULL DEFAULT '',         -- as-of period of a renotify or resolve
        UNIQUE (ruleset, rule, segment, since, event, event_period, action_index)
    );
    INSERT INTO deliveries_v2 (id, ruleset, rule, segment, since, action_index, action, firing,
        status, attempts, claimed_by, lease_until, last_error, created_run, created_at,
        sent_run, sent_at)
    SELECT id, ruleset, rule, segment, since, action_index, action, firing, status, attempts,
        claimed_by, lease_until, last_error, created_run, created_at, sent_run, sent_at
    FROM deliveries;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v2 RENAME TO deliveries;
    CREATE INDEX deliveries_open ON deliveries(status) WHERE status != 'sent';
    CREATE TABLE silences (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        ruleset    TEXT,                   -- NULL: every ruleset with such a rule
        rule       TEXT NOT NULL,
        segment    TEXT NOT NULL,          -- canonical JSON of the --where values ({}: all)
        until      TEXT NOT NULL,          -- last period silenced
        reason     TEXT,
        created_at TEXT NOT NULL
    );
"""


def segment_key(segment: Mapping[str, Any]) -> str:
    """The canonical text of a segment the state store keys by (:meth:`Segment.key`)."""
    return Segment.of(segment).key()



@frozen
class LifecycleEvent:
    """A ``renotify`` or ``resolve`` of one rule and segment at the as-of period.

    ``since`` is the first period of the streak it belongs to (the streak that
    goes on, or the one that just ended); ``calls`` holds one firing per
    action, ``segment_key`` the canonical text of the segment.
    """

    event: str
    rule: str
    segment: dict[str, Any]
    segment_key: str
    since: str
    calls: tuple[Firing, ...] = ()


def queue_events(db: sqlite3.Connection, run_id: str, ruleset: str, as_of: str,
                 events: Sequence[LifecycleEvent],
                 continuing: Sequence[tuple[str, dict[str, Any]]], stamp: str,
                 silenced: Any = None) -> None:
    """Queue each event's calls, inside the caller's transaction.

    A renotification is queued only for a streak the state already knew
    (``continuing``): a run that first sees a streak at a renotify period
    sends it as a first firing, not twice. ``silenced(rule, segment)`` says
    whether a silence covers a call: it is then recorded, not sent.
    """
    for item in events:
        if item.event == "renotify" and (item.rule, item.segment) not in continuing:
            continue
        status = "silenced" if silenced is not None and silenced(item.rule, item.segment) \
            else "pending"
        for index, call in enumerate(item.calls):
            db.execute(
                "INSERT OR IGNORE INTO deliveries (ruleset, rule, segment, since, action_index, "
                "action, firing, status, created_run, created_at, event, event_period) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ruleset, item.rule, item.segment_key, item.since, index, call.action,
                 call.to_json(), status, run_id, stamp, item.event, as_of))
