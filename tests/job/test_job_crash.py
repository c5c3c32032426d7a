"""A run killed at any point, and two runs at once: nothing lost, nothing sent twice.

The job has named points where the environment variable
``KPIRULES_TEST_CRASH_AT`` makes it SIGKILL itself (see kpirules.job.crashpoint).
"""

from __future__ import annotations

import signal
from collections import Counter

import pytest
from kpi_project import Project, run_process, start_process
from kpi_servers import receiver

from kpirules.state import StateStore

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
