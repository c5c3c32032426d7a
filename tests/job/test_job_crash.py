"""A run killed at any point, and two runs at once: nothing lost, nothing sent twice
(first firings, reminders, resolutions and digests).

The job has named points where the environment variable
``KPIRULES_TEST_CRASH_AT`` makes it SIGKILL itself (see kpirules.testing.faults; the points are named in kpirules.job.faults).
"""

from __future__ import annotations

import signal
from collections import Counter

import pytest

from kpirules.state import StateStore
from support.project import DIGEST, Project, run_process, start_process
from support.servers import receiver

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"

SEGMENTS = {"a": 0.005, "b": 0.004, "c": 0.003, "d": 0.05}  # a, b and c fire


def sent_per_segment(project: Project) -> Counter[str]:
    return Counter(a["segment"]["channel"] for a in project.alerts)


@pytest.mark.parametrize("point", ["after_begin", "after_enqueue", "after_claim", "after_mark:1",
                                   "after_mark:2", "before_finish"])
def test_killed_run_then_rerun_loses_nothing_and_sends_nothing_twice(project: Project,
                                                                      point: str) -> None:
    project.month("2026-01", **SEGMENTS)
    killed = run_process("run", "--config", str(project.config),
                         env={"KPIRULES_TEST_CRASH_AT": point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    rerun = run_process("run", "--config", str(project.config))
    assert rerun.returncode == 1, rerun.stderr
    assert sent_per_segment(project) == {"a": 1, "b": 1, "c": 1}
    again = run_process("run", "--config", str(project.config))
    assert again.returncode == 1 and sent_per_segment(project) == {"a": 1, "b": 1, "c": 1}
    with StateStore(project.state) as state:
        assert {d["status"] for d in state.deliveries()} == {"sent"}


def test_the_kpirules_command_itself_ignores_the_fault_variables(project: Project) -> None:
    """Fault injection is test-only: only ``python -m kpirules.testing.faults`` honours it."""
    from support import cli

    project.month("2026-01", **SEGMENTS)
    done = cli.run_process("run", "--config", project.config, autoload=False,
                           env={"KPIRULES_TEST_CRASH_AT": "after_begin"})
    assert done.returncode == 1, done.stderr  # ran to the end: a, b and c fire
    assert sent_per_segment(project) == {"a": 1, "b": 1, "c": 1}


def test_killed_between_delivery_and_record_delivers_at_least_once(project: Project) -> None:
    """The one window of at-least-once: the action succeeded, the run died before noting it."""
    project.month("2026-01", **SEGMENTS)
    killed = run_process("run", "--config", str(project.config),
                         env={"KPIRULES_TEST_CRASH_AT": "before_mark:2"})
    assert killed.returncode == -signal.SIGKILL
    run_process("run", "--config", str(project.config))
    counts = sent_per_segment(project)
    assert set(counts) == {"a", "b", "c"}
    assert sum(counts.values()) == 4  # the second delivery was made twice, no other


def test_two_concurrent_runs_send_each_firing_once(project: Project) -> None:
    project.month("2026-01", **SEGMENTS)
    with receiver(delay=0.2) as server:
        project.set_notify(f'type = "webhook"\nurl = "{server.url()}"')
        env = {"KPIRULES_TEST_PAUSE_AT": "deliver:0.2"}
        runs = [start_process("run", "--config", str(project.config), env=env)
                for _ in range(3)]
        results = [p.communicate(timeout=120) for p in runs]
    for process, (_, err) in zip(runs, results, strict=True):
        assert process.returncode == 1, err
    channels = Counter(body["segment"]["channel"] for body in server.delivered)
    assert channels == {"a": 1, "b": 1, "c": 1}
    with StateStore(project.state) as state:
        runs_recorded = state.runs()
        assert len(runs_recorded) == 3 and {r["status"] for r in runs_recorded} == {"done"}
        assert sum(r["actions_sent"] for r in runs_recorded) == 3


# -- the lifecycle: reminders, resolutions and digests ------------------------------

def lifecycle_events(project: Project, month: str) -> Counter[tuple[str, str]]:
    return Counter((a["event"], a["segment"]["channel"]) for a in project.alerts
                   if a["period"] == month)


@pytest.mark.parametrize("point", ["after_enqueue", "after_claim", "before_mark", "after_mark"])
@pytest.mark.parametrize("final", [("2026-03", 0.005, "renotify"), ("2026-03", 0.05, "resolve")])
def test_killed_during_a_renotify_or_resolve_run_sends_it_once(
        project: Project, point: str, final: tuple[str, float, str]) -> None:
    config = str(project.use_lifecycle().config)
    for month in ("2026-01", "2026-02"):
        project.month(month, a=0.005, b=0.004, c=0.05)
        assert run_process("run", "--config", config).returncode == 1
    month, rate, event = final
    project.month(month, a=rate, b=rate, c=0.05)
    killed = run_process("run", "--config", config, env={"KPIRULES_TEST_CRASH_AT": point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    run_process("run", "--config", config)
    run_process("run", "--config", config)
    sent = lifecycle_events(project, month)
    if point == "before_mark":  # the one window: delivered, killed before the record
        assert sent == {(event, "a"): 2, (event, "b"): 1}
    else:
        assert sent == {(event, "a"): 1, (event, "b"): 1}
    with StateStore(project.state) as state:
        assert {d["status"] for d in state.deliveries()} == {"sent"}


def test_a_digest_killed_between_send_and_record_is_sent_again_once(project: Project) -> None:
    project.use_lifecycle().set_notify('type = "file"\npath = "alerts.jsonl"\n' + DIGEST)
    project.month("2026-01", a=0.005, b=0.004)
    config = str(project.config)
    killed = run_process("run", "--config", config,
                         env={"KPIRULES_TEST_CRASH_AT": "digest_before_mark"})
    assert killed.returncode == -signal.SIGKILL
    run_process("run", "--config", config)
    run_process("run", "--config", config)
    assert [a["args"]["count"] for a in project.alerts] == [2, 2]  # at least once, not thrice
    with StateStore(project.state) as state:
        assert {d["status"] for d in state.deliveries()} == {"sent"}


def test_two_concurrent_runs_send_one_digest(project: Project) -> None:
    project.month("2026-01", a=0.005, b=0.004, c=0.003)
    with receiver(delay=0.2) as server:
        project.set_notify(f'type = "webhook"\nurl = "{server.url()}"\n' + DIGEST)
        env = {"KPIRULES_TEST_PAUSE_AT": "deliver:0.3"}
        runs = [start_process("run", "--config", str(project.config), env=env) for _ in range(3)]
        for process in runs:
            process.communicate(timeout=120)
    assert [body["count"] for body in server.delivered] == [3]


def test_two_concurrent_runs_send_each_resolution_once(project: Project) -> None:
    project.use_lifecycle()
    project.month("2026-01", a=0.005, b=0.004, c=0.003)
    assert run_process("run", "--config", str(project.config)).returncode == 1
    project.month("2026-02", a=0.05, b=0.05, c=0.003)
    with receiver(delay=0.2) as server:
        project.set_notify(f'type = "webhook"\nurl = "{server.url()}"')
        env = {"KPIRULES_TEST_PAUSE_AT": "deliver:0.2"}
        runs = [start_process("run", "--config", str(project.config), env=env)
                for _ in range(3)]
        for process in runs:
            process.communicate(timeout=120)
    assert sorted((b["event"], b["segment"]["channel"]) for b in server.delivered) == [
        ("resolve", "a"), ("resolve", "b")]
