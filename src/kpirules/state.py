"""The state store of ``kpirules run``: firing state, delivery outbox, history.

One SQLite file (WAL mode) remembers, between runs:

- **rule state**: for each ruleset, rule and segment, whether the rule is
  firing and since which period, so that actions run when a rule *starts*
  firing and a rule that stops is marked resolved;
- **the outbox**: one row per action call of each firing, written in the
  same transaction as the rule state, then claimed, delivered and marked
  sent. A row marked sent is never delivered again; a row that failed, or
  whose run was killed, is delivered by a later run. Delivery is therefore
  *at least once*: the only window for a second delivery is a run killed
  after an action succeeded and before its row was marked sent;
- **run history**: when each run started and ended, the as-of period of each
  ruleset, counts by status, actions sent and failed, the exit code.

Every write is one short ``BEGIN IMMEDIATE`` transaction, so that a run killed
at any point leaves the file consistent, and two runs at once serialise their
writes instead of interleaving them. A run claims outbox rows with its run
id and a lease before delivering them; another run skips rows claimed by a
live run, and takes over rows whose lease expired or whose run died.

The schema is versioned with ``PRAGMA user_version``; :data:`MIGRATIONS`
brings an older file up to date, and a file from a newer kpirules is refused
rather than misread.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from attrs import field, frozen

from kpirules.alerting import silences
from kpirules.alerting.outbox import MIGRATION_LIFECYCLE, LifecycleEvent, queue_events, segment_key
from kpirules.errors import KpirulesError
from kpirules.plugin_api import Firing

__all__ = ["CurrentFiring", "Delivery", "StateError", "StateStore", "now_iso", "segment_key"]

SCHEMA_VERSION = 2
DEFAULT_LEASE_SECONDS = 600.0

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE runs (
        id             TEXT PRIMARY KEY,
        started_at     TEXT NOT NULL,
        finished_at    TEXT,
        pid            INTEGER NOT NULL,
        host           TEXT NOT NULL,
        config         TEXT,
        status         TEXT NOT NULL DEFAULT 'running',  -- running | done
        exit_code      INTEGER,
        actions_sent   INTEGER NOT NULL DEFAULT 0,
        actions_failed INTEGER NOT NULL DEFAULT 0,
        summary        TEXT
    );
    CREATE TABLE run_results (
        run_id   TEXT NOT NULL REFERENCES runs(id),
        ruleset  TEXT NOT NULL,
        as_of    TEXT,
        counts   TEXT NOT NULL,
        document TEXT,
        error    TEXT,
        PRIMARY KEY (run_id, ruleset)
    );
    CREATE TABLE ruleset_state (
        ruleset TEXT PRIMARY KEY,
        as_of   TEXT NOT NULL
    );
    CREATE TABLE rule_state (
        ruleset     TEXT NOT NULL,
        rule        TEXT NOT NULL,
        segment     TEXT NOT NULL,          -- canonical JSON of the segment
        status      TEXT NOT NULL,          -- firing | resolved
        since       TEXT,                   -- first period of the firing streak
        period      TEXT NOT NULL,          -- as-of period of the last update
        updated_run TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (ruleset, rule, segment)
    );
    CREATE TABLE deliveries (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        ruleset      TEXT NOT NULL,
        rule         TEXT NOT NULL,
        segment      TEXT NOT NULL,
        since        TEXT NOT NULL,
        action_index INTEGER NOT NULL,
        action       TEXT NOT NULL,
        firing       TEXT NOT NULL,         -- the Firing as JSON
        status       TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | failed
        attempts     INTEGER NOT NULL DEFAULT 0,
        claimed_by   TEXT,
        lease_until  REAL,
        last_error   TEXT,
        created_run  TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        sent_run     TEXT,
        sent_at      TEXT,
        UNIQUE (ruleset, rule, segment, since, action_index)
    );
    CREATE INDEX deliveries_open ON deliveries(status) WHERE status != 'sent';
    """,
    2: MIGRATION_LIFECYCLE,
}


class StateError(KpirulesError):
    """The state store cannot be opened or is from a newer kpirules (exit 3)."""


def now_iso() -> str:
    """The current UTC time, to the second, ISO 8601."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@frozen
class CurrentFiring:
    """A rule firing for one segment at the as-of period, with its action calls.

    ``since`` is the first period of the streak as the data shows it;
    ``calls`` holds one :class:`Firing` per action of the rule, in order.
    """

    rule: str
    segment: dict[str, Any]
    since: str
    calls: tuple[Firing, ...] = ()


@frozen
class Changes:
    """What recording a ruleset's as-of period changed in the rule state."""

    new: list[tuple[str, dict[str, Any]]] = field(factory=list)
    continuing: list[tuple[str, dict[str, Any]]] = field(factory=list)
    resolved: list[tuple[str, dict[str, Any]]] = field(factory=list)
    past_period: bool = False


@frozen
class Delivery:
    """One claimed outbox row: deliver ``firing`` through the action ``action``."""

    id: int
    action: str
    firing: Firing
    attempts: int


class StateStore:
    """The SQLite state store at ``path`` (created on first use)."""

    def __init__(self, path: str | Path, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.path = Path(path)
        self.lease_seconds = lease_seconds
        self.host = socket.gethostname()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 60000")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.Error as exc:
            raise StateError(f"{self.path}: cannot open the state store: {exc}") from None

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: the write lock first, then reads.

        A write SQLite refuses (a read-only file, a full disk) is a
        :class:`StateError` naming the file, not a crash.
        """
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._write_error(exc) from None
        try:
            yield self.db
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                raise self._write_error(exc) from None
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise self._write_error(exc) from None

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")

    def _write_error(self, exc: sqlite3.Error) -> StateError:
        """The message for a write to the state store that failed."""
        text = str(exc)
        if "readonly" in text or "read-only" in text:
            return StateError(
                f"{self.path}: cannot write the state store: the file is read-only "
                f"({text}); make it and its folder writable by the user running "
                f"kpirules, or point `state` in the configuration at a writable file")
        return StateError(f"{self.path}: cannot write the state store: {text}")

    def _migrate(self) -> None:
        with self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StateError(
                    f"{self.path}: state store version {version} is newer than this "
                    f"kpirules understands ({SCHEMA_VERSION}); upgrade kpirules")
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {target}")

    @property
    def schema_version(self) -> int:
        """The schema version of the file."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # -- runs -------------------------------------------------------------------

    def begin_run(self, config: str | None = None) -> str:
        """Record the start of a run; returns its id."""
        run_id = uuid.uuid4().hex
        with self.transaction() as db:
            db.execute(
                "INSERT INTO runs (id, started_at, pid, host, config) VALUES (?, ?, ?, ?, ?)",
                (run_id, now_iso(), os.getpid(), self.host, config))
        return run_id

    def record_result(self, run_id: str, ruleset: str, as_of: str | None,
                      counts: dict[str, Any], document: dict[str, Any] | None,
                      error: str | None = None) -> None:
        """Keep one ruleset's results of a run (counts, and the as-of document)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO run_results (run_id, ruleset, as_of, counts, document, "
                "error) VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, ruleset, as_of, json.dumps(counts),
                 json.dumps(document, default=str) if document is not None else None, error))

    def finish_run(self, run_id: str, exit_code: int, summary: dict[str, Any],
                   sent: int, failed: int) -> None:
        """Record the end of a run, with its action counts and exit code."""
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = 'done', exit_code = ?, "
                "actions_sent = ?, actions_failed = ?, summary = ? WHERE id = ?",
                (now_iso(), exit_code, sent, failed, json.dumps(summary, default=str), run_id))

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs, newest first, with their per-ruleset results."""
        rows = self.db.execute(
            "SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,))
        out = []
        for row in rows.fetchall():
            run = dict(row)
            run["summary"] = json.loads(run["summary"]) if run["summary"] else None
            run["results"] = [
                {"ruleset": r["ruleset"], "as_of": r["as_of"], "counts": json.loads(r["counts"]),
                 "error": r["error"]}
                for r in self.db.execute(
                    "SELECT ruleset, as_of, counts, error FROM run_results WHERE run_id = ? "
                    "ORDER BY ruleset", (run["id"],))
            ]
            out.append(run)
        return out

    # -- rule state and outbox ----------------------------------------------------

    def record_firings(self, run_id: str, ruleset: str, as_of: str,
                       firing: Sequence[CurrentFiring],
                       events: Sequence[LifecycleEvent] = ()) -> Changes:
        """Compare the firings at ``as_of`` with the state; queue the new ones.

        In one transaction: a rule firing for a segment where the state says it
        was not (or whose streak was interrupted since) is *new*, its state
        becomes firing and each of its action calls is queued in the outbox;
        one the state already has as firing is *continuing*; a state entry
        firing that no longer fires is *resolved*. An ``as_of`` older than the
        last one recorded for the ruleset changes nothing (re-running a past
        period never repeats its actions). ``events`` (renotifications and
        resolutions at ``as_of``) are queued in the same transaction, see
        :func:`kpirules.alerting.outbox.queue_events`.
        """
        changes = Changes()
        stamp = now_iso()
        with self.transaction() as db:
            row = db.execute("SELECT as_of FROM ruleset_state WHERE ruleset = ?",
                             (ruleset,)).fetchone()
            if row is not None and as_of < row["as_of"]:
                return Changes(past_period=True)
            db.execute("INSERT INTO ruleset_state (ruleset, as_of) VALUES (?, ?) "
                       "ON CONFLICT (ruleset) DO UPDATE SET as_of = excluded.as_of",
                       (ruleset, as_of))
            state = {
                (r["rule"], r["segment"]): r
                for r in db.execute("SELECT * FROM rule_state WHERE ruleset = ?", (ruleset,))
            }
            covers = silences.coverage(db, ruleset, as_of)
            current = set()
            for item in firing:
                key = (item.rule, segment_key(item.segment))
                current.add(key)
                old = state.get(key)
                if old is not None and old["status"] == "firing" and item.since <= old["period"]:
                    changes.continuing.append((item.rule, item.segment))
                    db.execute(
                        "UPDATE rule_state SET period = ?, updated_run = ?, updated_at = ? "
                        "WHERE ruleset = ? AND rule = ? AND segment = ?",
                        (as_of, run_id, stamp, ruleset, *key))
                    continue
                changes.new.append((item.rule, item.segment))
                db.execute(
                    "INSERT INTO rule_state (ruleset, rule, segment, status, since, period, "
                    "updated_run, updated_at) VALUES (?, ?, ?, 'firing', ?, ?, ?, ?) "
                    "ON CONFLICT (ruleset, rule, segment) DO UPDATE SET status = 'firing', "
                    "since = excluded.since, period = excluded.period, "
                    "updated_run = excluded.updated_run, updated_at = excluded.updated_at",
                    (ruleset, *key, item.since, as_of, run_id, stamp))
                status = "silenced" if covers(item.rule, item.segment) else "pending"
                for index, call in enumerate(item.calls):
                    db.execute(
                        "INSERT OR IGNORE INTO deliveries (ruleset, rule, segment, since, "
                        "action_index, action, firing, status, created_run, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (ruleset, *key, item.since, index, call.action, call.to_json(),
                         status, run_id, stamp))
            for key, old in state.items():
                if key not in current and old["status"] == "firing":
                    changes.resolved.append((key[0], json.loads(key[1])))
                    db.execute(
                        "UPDATE rule_state SET status = 'resolved', period = ?, "
                        "updated_run = ?, updated_at = ? "
                        "WHERE ruleset = ? AND rule = ? AND segment = ?",
                        (as_of, run_id, stamp, ruleset, *key))
            released = silences.unsilence_expired(db, ruleset, covers, changes.continuing,
                                                  segment_key)
            reminded = [c for c in changes.continuing if c not in released]
            queue_events(db, run_id, ruleset, as_of, events, reminded, stamp, covers)
        return changes

    def rule_state(self, ruleset: str) -> list[dict[str, Any]]:
        """The rule state of ``ruleset``: rule, segment, status, since, period."""
        rows = self.db.execute(
            "SELECT rule, segment, status, since, period FROM rule_state WHERE ruleset = ? "
            "ORDER BY rule, segment", (ruleset,))
        return [{**dict(r), "segment": json.loads(r["segment"])} for r in rows]

    def claim(self, run_id: str) -> list[Delivery]:
        """Claim every outbox row still to deliver that no live run holds.

        A row is free when it is unclaimed, its lease has expired, or the run
        holding it is finished or is a dead process on this host.
        """
        now = time.time()
        with self.transaction() as db:
            rows = db.execute(
                "SELECT d.id, d.action, d.firing, d.attempts, d.claimed_by, d.lease_until, "
                "r.pid, r.host, r.status AS run_status FROM deliveries d "
                "LEFT JOIN runs r ON r.id = d.claimed_by "
                "WHERE d.status NOT IN ('sent', 'silenced') ORDER BY d.id").fetchall()
            claimed = []
            for row in rows:
                if row["claimed_by"] and row["claimed_by"] != run_id and not self._stale(row, now):
                    continue
                db.execute("UPDATE deliveries SET claimed_by = ?, lease_until = ? WHERE id = ?",
                           (run_id, now + self.lease_seconds, row["id"]))
                claimed.append(Delivery(row["id"], row["action"],
                                        Firing.from_dict(json.loads(row["firing"])),
                                        row["attempts"]))
        return claimed

    def _stale(self, row: sqlite3.Row, now: float) -> bool:
        if row["lease_until"] is None or row["lease_until"] < now:
            return True
        if row["run_status"] is None or row["run_status"] != "running":
            return True
        return row["host"] == self.host and not _alive(int(row["pid"]))

    def mark_sent(self, run_id: str, delivery_id: int) -> None:
        """Record a successful delivery: the row is never delivered again."""
        self.mark_sent_many(run_id, [delivery_id])

    def mark_sent_many(self, run_id: str, delivery_ids: Sequence[int]) -> None:
        """Record a digest's rows as sent, all in one transaction."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_run = ?, "
                "sent_at = ?, claimed_by = NULL, lease_until = NULL, last_error = NULL "
                "WHERE id = ? AND claimed_by = ?",
                [(run_id, now_iso(), i, run_id) for i in delivery_ids])

    def mark_failed_many(self, run_id: str, delivery_ids: Sequence[int], error: str) -> None:
        """Record a digest's rows as failed, all in one transaction: the next run retries them."""
        detail = json.dumps({"run": run_id, "at": now_iso(), "error": error})
        with self.transaction() as db:
            db.executemany(
                "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, "
                "last_error = ?, claimed_by = NULL, lease_until = NULL "
                "WHERE id = ? AND claimed_by = ?", [(detail, i, run_id) for i in delivery_ids])

    def mark_failed(self, run_id: str, delivery_id: int, error: str) -> None:
        """Record a failed delivery (already redacted): the next run retries it."""
        self.mark_failed_many(run_id, [delivery_id], error)

    def outcomes(self, ruleset: str, run_id: str,
                 as_of: str | None = None) -> dict[tuple[str, str, str, int], str]:
        """The outcome of each action call of ``ruleset`` at ``as_of``.

        Keys are ``(rule, segment_key, event, action_index)``: ``fire`` calls
        of each open firing's current streak, and ``renotify``/``resolve``
        calls queued for ``as_of``; values ``sent`` (by this run),
        ``already_sent``, ``failed``, ``silenced`` or ``pending`` (held by
        another run, or not tried yet).
        """
        rows = self.db.execute(
            "SELECT d.rule, d.segment, d.event, d.action_index, d.status, d.sent_run "
            "FROM deliveries d LEFT JOIN rule_state s ON s.ruleset = d.ruleset "
            "AND s.rule = d.rule AND s.segment = d.segment AND s.since = d.since "
            "WHERE d.ruleset = ? AND ((d.event = 'fire' AND s.status = 'firing') "
            "OR (d.event != 'fire' AND d.event_period = ?))", (ruleset, as_of or ""))
        out: dict[tuple[str, str, str, int], str] = {}
        for r in rows:
            if r["status"] == "sent":
                outcome = "sent" if r["sent_run"] == run_id else "already_sent"
            else:
                outcome = r["status"]
            out[(r["rule"], r["segment"], r["event"], r["action_index"])] = outcome
        return out

    def deliveries(self, ruleset: str | None = None) -> list[dict[str, Any]]:
        """Every outbox row (for tests and inspection), oldest first."""
        sql = "SELECT * FROM deliveries"
        args: tuple[Any, ...] = ()
        if ruleset is not None:
            sql += " WHERE ruleset = ?"
            args = (ruleset,)
        return [dict(r) for r in self.db.execute(sql + " ORDER BY id", args)]


def _alive(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
