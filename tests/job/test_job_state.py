"""The state store on its own: schema versions, claims and leases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kpirules.plugin_api import Firing
from kpirules.state import SCHEMA_VERSION, CurrentFiring, StateError, StateStore


def firing(channel: str) -> CurrentFiring:
    call = Firing(ruleset="r", rule="x", title=None, severity="warning", period="2026-02",
                  segment={"channel": channel}, args={}, action="notify", since="2026-02")
    return CurrentFiring("x", {"channel": channel}, "2026-02", (call,))


def test_a_new_store_has_the_current_schema(tmp_path: Path) -> None:
    with StateStore(tmp_path / "s.sqlite") as state:
        assert state.schema_version == SCHEMA_VERSION
    with StateStore(tmp_path / "s.sqlite") as state:  # reopening migrates nothing
        assert state.schema_version == SCHEMA_VERSION


def test_a_store_from_a_newer_kpirules_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StateError, match="newer"):
        StateStore(path)


def test_a_live_runs_claim_is_respected_and_a_dead_runs_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with StateStore(path) as one, StateStore(path) as two:
        run1 = one.begin_run()
        one.record_firings(run1, "r", "2026-02", [firing("a"), firing("b")])
        assert len(one.claim(run1)) == 2
        run2 = two.begin_run()
        assert two.claim(run2) == []  # run1 is alive (this very process) and holds them
        one.db.execute("UPDATE runs SET pid = 999999999 WHERE id = ?", (run1,))  # run1 "died"
        taken = two.claim(run2)
        assert len(taken) == 2
        two.mark_sent(run2, taken[0].id)
        one.mark_sent(run1, taken[1].id)  # run1's claim was taken over: no effect
        statuses = sorted(d["status"] for d in two.deliveries())
        assert statuses == ["pending", "sent"]


def test_an_expired_lease_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with StateStore(path, lease_seconds=-1) as one, StateStore(path) as two:
        run1 = one.begin_run()
        one.record_firings(run1, "r", "2026-02", [firing("a")])
        assert len(one.claim(run1)) == 1
        assert len(two.claim(two.begin_run())) == 1


def test_recording_the_same_firing_twice_queues_it_once(tmp_path: Path) -> None:
    with StateStore(tmp_path / "s.sqlite") as state:
        run = state.begin_run()
        changes = state.record_firings(run, "r", "2026-02", [firing("a")])
        assert len(changes.new) == 1
        changes = state.record_firings(run, "r", "2026-02", [firing("a")])
        assert len(changes.continuing) == 1 and not changes.new
        assert len(state.deliveries()) == 1
        changes = state.record_firings(run, "r", "2026-03", [])
        assert changes.resolved == [("x", {"channel": "a"})]


def test_a_version_1_store_keeps_its_deliveries_when_migrated(tmp_path: Path) -> None:
    """Schema 2 rebuilds the outbox with events; rows of version 1 become ``fire`` rows."""
    from kpirules.state import MIGRATIONS

    path = tmp_path / "s.sqlite"
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[1].split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO deliveries (ruleset, rule, segment, since, action_index, action, "
               "firing, status, created_run, created_at) VALUES ('r', 'x', '{}', '2026-01', 0, "
               "'notify', '{}', 'sent', 'run', 'now')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with StateStore(path) as state:
        assert state.schema_version == SCHEMA_VERSION == 2
        [row] = state.deliveries()
        assert (row["status"], row["event"], row["since"]) == ("sent", "fire", "2026-01")
        assert state.db.execute("SELECT count(*) FROM silences").fetchone()[0] == 0
