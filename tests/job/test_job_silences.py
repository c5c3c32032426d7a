"""``kpirules silence`` and ``kpirules alerts``: muted firings are recorded, not sent."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from support.project import Project

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def lifecycle(project: Project) -> Project:
    return project.use_lifecycle()


def sent(project: Project) -> list[tuple[str, str, str]]:
    return [(a["event"], a["segment"]["channel"], a["period"]) for a in project.alerts]


def test_a_silenced_firing_is_recorded_and_sent_when_the_silence_ends(lifecycle: Project,
                                                                      run_cli: Run) -> None:
    config = str(lifecycle.config)
    code, out, err = run_cli("silence", "low_conv", "--where", "channel=a", "--until", "2026-02",
                             "--reason", "known: site migration", "--config", config)
    assert code == 0, err
    assert out == "silenced shop/low_conv (channel=a) until 2026-02: known: site migration\n"
    lifecycle.month("2026-01", a=0.005, b=0.004)
    _, out, _ = run_cli("run", "--config", config, "--format", "json")
    actions = {a["segment"]["channel"]: a for a in json.loads(out)["actions"]}
    assert {c: a["outcome"] for c, a in actions.items()} == {"a": "silenced", "b": "sent"}
    assert actions["a"]["silenced_until"] == "2026-02" and "silenced_until" not in actions["b"]
    lifecycle.month("2026-02", a=0.005, b=0.004)
    run_cli("run", "--config", config)
    assert sent(lifecycle) == [("fire", "b", "2026-01")]
    lifecycle.month("2026-03", a=0.005, b=0.004)  # the silence is over, a still fires
    run_cli("run", "--config", config)
    # a's first firing goes out now (and stands for the reminder due this period)
    assert sent(lifecycle) == [("fire", "b", "2026-01"), ("fire", "a", "2026-01"),
                               ("renotify", "b", "2026-03")]


def test_a_silence_added_between_runs_mutes_reminders_not_the_later_resolution(
        lifecycle: Project, run_cli: Run) -> None:
    config = str(lifecycle.config)
    lifecycle.month("2026-01", a=0.005)
    run_cli("run", "--config", config)
    run_cli("silence", "shop/low_conv", "--until", "2026-03", "--config", config)
    for month, rate in [("2026-02", 0.005), ("2026-03", 0.005), ("2026-04", 0.05)]:
        lifecycle.month(month, a=rate)
        run_cli("run", "--config", config)
    assert sent(lifecycle) == [("fire", "a", "2026-01"), ("resolve", "a", "2026-04")]


def test_alerts_lists_what_fires_since_when_its_delivery_and_silences(lifecycle: Project,
                                                                      run_cli: Run) -> None:
    config = str(lifecycle.config)
    lifecycle.month("2026-01", a=0.005, b=0.004, c=0.05)
    run_cli("silence", "low_conv", "--where", "channel=b", "--until", "2026-06", "--config", config)
    lifecycle.month("2026-02", a=0.005, b=0.004, c=0.05)
    run_cli("run", "--config", config)
    code, out, err = run_cli("alerts", "--config", config, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    firing = {f["segment"]["channel"]: f for f in doc["firing"]}
    assert set(firing) == {"a", "b"}
    assert firing["a"]["since"] == "2026-01" and firing["a"]["silenced_until"] is None
    assert firing["a"]["last_delivery"]["status"] == "sent"
    assert firing["b"]["last_delivery"]["status"] == "silenced"
    assert firing["b"]["silenced_until"] == "2026-06"
    [silence] = doc["silences"]
    assert silence["segment"] == {"channel": "b"} and silence["active"] is True
    _, table, _ = run_cli("alerts", "--config", config)
    assert "shop/low_conv (channel=a): firing since 2026-01 (as of 2026-02)" in table
    assert "silenced until 2026-06" in table and "[active]" in table


def test_an_expired_silence_is_listed_as_expired(lifecycle: Project, run_cli: Run) -> None:
    config = str(lifecycle.config)
    run_cli("silence", "low_conv", "--until", "2026-01", "--config", config)
    lifecycle.month("2026-01", a=0.005)
    lifecycle.month("2026-02", a=0.005)
    run_cli("run", "--config", config)
    _, out, _ = run_cli("alerts", "--config", config, "--format", "json")
    doc = json.loads(out)
    assert doc["silences"][0]["active"] is False
    assert doc["firing"][0]["silenced_until"] is None
    assert sent(lifecycle) == [("fire", "a", "2026-02")]


@pytest.mark.parametrize(("args", "message"), [
    (["low_cnv", "--until", "2026-03"], 'did you mean "low_conv"?'),
    (["low_conv", "--until", "2026-13"], "--until 2026-13"),
    (["low_conv", "--until", "2026-03", "--where", "channel"], "expected DIM=VALUE"),
])
def test_silence_mistakes_are_usage_errors(lifecycle: Project, run_cli: Run, args: list[str],
                                           message: str) -> None:
    code, _, err = run_cli("silence", *args, "--config", str(lifecycle.config))
    assert code == 2 and message in err and "Traceback" not in err


def test_alerts_before_any_run_lists_nothing_and_creates_no_store(lifecycle: Project,
                                                                  run_cli: Run) -> None:
    code, out, _ = run_cli("alerts", "--config", str(lifecycle.config))
    assert code == 0 and out == "nothing fires\n"
    assert not lifecycle.state.exists()
