"""Renotifications, resolutions and digests in ``kpirules run``: sent once, never lost."""

from __future__ import annotations

import email
import json
from collections.abc import Callable

import pytest

from support.project import DIGEST, Project
from support.servers import free_port, receiver, smtp_server

Run = Callable[..., tuple[int, str, str]]

@pytest.fixture
def lifecycle(project: Project) -> Project:
    return project.use_lifecycle()


def events(project: Project) -> list[tuple[str, str, str, str]]:
    return [(a["event"], a["segment"].get("channel", ""), a["period"], a["text"])
            for a in project.alerts]


@pytest.mark.slow
def test_fire_renotify_and_resolve_are_each_sent_once(lifecycle: Project, run_cli: Run) -> None:
    config = str(lifecycle.config)
    for month, rate in [("2026-01", 0.005), ("2026-02", 0.006), ("2026-03", 0.007),
                        ("2026-04", 0.05)]:
        lifecycle.month(month, a=rate, b=0.05)
        run_cli("run", "--config", config)
        run_cli("run", "--config", config)  # a second run of the same period sends nothing
    assert events(lifecycle) == [
        ("fire", "a", "2026-01", "a: conversion 0.5% in 2026-01"),
        ("renotify", "a", "2026-03", "a: conversion 0.7% in 2026-03"),
        ("resolve", "a", "2026-04", "a: back to 5% in 2026-04"),
    ]
    _code, out, _ = run_cli("run", "--config", config, "--format", "json")
    doc = json.loads(out)
    assert [(a["event"], a["outcome"]) for a in doc["actions"]] == [("resolve", "already_sent")]


def test_outcomes_of_a_renotify_run(lifecycle: Project, run_cli: Run) -> None:
    config = str(lifecycle.config)
    for month in ("2026-01", "2026-02"):
        lifecycle.month(month, a=0.005)
        run_cli("run", "--config", config)
    lifecycle.month("2026-03", a=0.005)
    _, out, _ = run_cli("run", "--config", config, "--format", "json")
    doc = json.loads(out)
    assert [(a["event"], a["new"], a["outcome"]) for a in doc["actions"]] == [
        ("renotify", False, "sent")]


def test_a_first_run_during_a_streak_fires_once_without_renotifying(lifecycle: Project,
                                                                      run_cli: Run) -> None:
    for month in ("2026-01", "2026-02", "2026-03"):
        lifecycle.month(month, a=0.005)
    run_cli("run", "--config", str(lifecycle.config))
    assert [e[:3] for e in events(lifecycle)] == [("fire", "a", "2026-03")]


@pytest.mark.slow
def test_a_failed_resolve_is_retried_by_the_next_run(lifecycle: Project, run_cli: Run) -> None:
    config = str(lifecycle.config)
    lifecycle.month("2026-01", a=0.005)
    run_cli("run", "--config", config)
    lifecycle.month("2026-02", a=0.05)
    with receiver(statuses=[500] * 8) as down:
        lifecycle.set_notify(f'type = "webhook"\nurl = "{down.url()}"\nretries = 0')
        code, _, err = run_cli("run", "--config", config)
    assert code == 3 and "failed" in err
    with receiver() as up:
        lifecycle.set_notify(f'type = "webhook"\nurl = "{up.url()}"')
        run_cli("run", "--config", config)
        run_cli("run", "--config", config)
    assert [(b["event"], b["text"]) for b in up.delivered] == [("resolve", "a: back to 5% in 2026-02")]


# -- digests -----------------------------------------------------------------------

def test_a_digest_is_one_call_per_run_with_every_firing(lifecycle: Project, run_cli: Run) -> None:
    lifecycle.set_notify('type = "file"\npath = "alerts.jsonl"\n' + DIGEST)
    lifecycle.month("2026-01", a=0.005, b=0.004, c=0.05)
    run_cli("run", "--config", str(lifecycle.config))
    lifecycle.month("2026-02", a=0.05, b=0.004, c=0.003)
    run_cli("run", "--config", str(lifecycle.config))
    run_cli("run", "--config", str(lifecycle.config))
    first, second = lifecycle.alerts
    assert first["args"]["count"] == 2 and first["args"]["subject"] == "2 KPI alert(s)"
    assert first["text"] == ("2 alert(s) in this run:\n- a: conversion 0.5% in 2026-01\n"
                             "- b: conversion 0.4% in 2026-01")
    assert second["text"].splitlines()[1:] == ["- resolved: a: back to 5% in 2026-02",
                                               "- c: conversion 0.3% in 2026-02"]


@pytest.mark.slow
def test_a_webhook_digest_is_a_slack_payload_with_one_block_per_firing(lifecycle: Project,
                                                                        run_cli: Run) -> None:
    lifecycle.month("2026-01", a=0.005, b=0.004, c=0.003)
    with receiver() as server:
        lifecycle.set_notify(f'type = "webhook"\nurl = "{server.url()}"\n' + DIGEST)
        run_cli("run", "--config", str(lifecycle.config))
    [body] = server.delivered
    assert body["count"] == 3 and body["text"].startswith("3 alert(s) in this run:")
    header, *sections = body["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "3 KPI alert(s)"}}
    assert [s["text"]["text"] for s in sections] == [
        "a: conversion 0.5% in 2026-01", "b: conversion 0.4% in 2026-01",
        "c: conversion 0.3% in 2026-01"]
    assert [f["segment"] for f in body["firings"]] == [{"channel": c} for c in "abc"]


def test_an_email_digest_has_a_readable_html_part_and_a_plain_part(lifecycle: Project,
                                                                    run_cli: Run) -> None:
    lifecycle.month("2026-01", a=0.005, b=0.004)
    port = free_port()
    with smtp_server(port) as mailbox:
        lifecycle.set_notify(f'type = "email"\nhost = "127.0.0.1"\nport = {port}\n'
                             f'from = "kpi@example.com"\nto = "team@example.com"\n' + DIGEST)
        text = lifecycle.config.read_text().replace('formats = ["json"]', 'formats = ["json", "html"]')
        lifecycle.config.write_text(text)
        code, _, err = run_cli("run", "--config", str(lifecycle.config))
    assert code == 1, err
    [message] = mailbox.messages
    parsed = email.message_from_string(message["data"])
    assert parsed["Subject"] == "2 KPI alert(s)"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in parsed.walk()
             if not p.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "- a: conversion 0.5% in 2026-01" in parts["text/plain"]
    html = parts["text/html"]
    assert html.count("<tr>") == 3  # the header and one row per firing
    assert "a: conversion 0.5% in 2026-01" in html and "channel=b" in html
    report = lifecycle.root / "reports" / "shop-2026-01.html"
    assert report.exists() and report.as_uri() in html


def test_digest_must_be_a_boolean(lifecycle: Project, run_cli: Run) -> None:
    lifecycle.set_notify('type = "file"\npath = "alerts.jsonl"\ndigest = "yes"')
    lifecycle.month("2026-01", a=0.005)
    code, _, err = run_cli("run", "--config", str(lifecycle.config))
    assert code == 2 and "[actions.notify]" in err and "digest must be true or false" in err


def test_run_refuses_a_resolve_action_no_one_provides(lifecycle: Project, run_cli: Run) -> None:
    rules = lifecycle.root / "rules" / "shop.kpi"
    rules.write_text(rules.read_text().replace('resolve notify(', 'resolve notfy('))
    lifecycle.month("2026-01", a=0.005)
    code, _, err = run_cli("run", "--config", str(lifecycle.config))
    assert code == 2 and "calls action 'notfy'" in err and "shop.kpi:" in err
    assert lifecycle.alerts == []
