"""Deliveries through real receivers: retries, failures retried next run, secrets."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kpirules.builtin.webhook import WebhookAction
from kpirules.state import StateStore
from support.project import Project
from support.servers import free_port, receiver, smtp_server

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(WebhookAction, "sleep", staticmethod(lambda seconds: None))


@pytest.mark.slow
def test_webhook_500_then_200_is_sent_once(project: Project, run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    with receiver([500]) as server:
        project.set_notify(f'type = "webhook"\nurl = "{server.url()}"\nretries = 2')
        code, out, err = run_cli("run", "--config", str(project.config))
        assert code == 1, err
        assert "1 sent, 0 failed" in out
        run_cli("run", "--config", str(project.config))
    assert [r["status"] for r in server.requests] == [500, 200]
    [body] = server.delivered
    assert body["text"] == "display: conversion 0.5% in 2026-01"


@pytest.mark.slow
def test_a_failed_webhook_is_retried_by_the_next_run(project: Project, run_cli: Run) -> None:
    project.month("2026-01", display=0.005, paid=0.004)
    with receiver([500, 500, 500, 500]) as server:  # two firings × two attempts
        project.set_notify(f'type = "webhook"\nurl = "{server.url()}"\nretries = 1')
        code, out, err = run_cli("run", "--config", str(project.config))
        assert code == 3  # an action failed
        assert "0 sent, 2 failed" in out and "retried next run" in err
        with StateStore(project.state) as state:
            assert {d["status"] for d in state.deliveries()} == {"failed"}
            [run] = state.runs()
            assert (run["actions_failed"], run["exit_code"]) == (2, 3)
        code, out, _ = run_cli("run", "--config", str(project.config))
        assert code == 1 and "2 sent, 0 failed" in out
        code, out, _ = run_cli("run", "--config", str(project.config))
        assert "0 sent, 0 failed" in out
    assert sorted(b["segment"]["channel"] for b in server.delivered) == ["display", "paid"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_down_then_up(project: Project, run_cli: Run, monkeypatch: pytest.MonkeyPatch
                           ) -> None:
    port = free_port()
    monkeypatch.setenv("SMTP_PASSWORD", "sm7p-pa55word")
    project.month("2026-01", display=0.005)
    project.set_notify(f'type = "email"\nhost = "127.0.0.1"\nport = {port}\n'
                       f'from = "kpi@example.com"\nto = ["ops@example.com"]\n'
                       f'username = "kpi"\npassword = "${{SMTP_PASSWORD}}"\ntimeout = 5')
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 3 and "e-mail not sent" in err
    with smtp_server(port, username="kpi", password="sm7p-pa55word") as mailbox:
        code, _out, err = run_cli("run", "--config", str(project.config))
        assert code == 1, err
        run_cli("run", "--config", str(project.config))
    assert len(mailbox.messages) == 1
    assert "display: conversion 0.5% in 2026-01" in mailbox.messages[0]["data"]


@pytest.mark.slow
def test_secrets_are_absent_from_every_output_and_log(project: Project, run_cli: Run,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    token = "xoxb-T0KEN-s3cr3t-value"
    password = "hunter2-pa55word"
    monkeypatch.setenv("HOOK_TOKEN", token)
    monkeypatch.setenv("SMTP_PASSWORD", password)
    project.month("2026-01", display=0.005)
    dead = free_port()
    project.set_notify(
        f'type = "webhook"\nurl = "http://127.0.0.1:{dead}/hook/${{HOOK_TOKEN}}"\nretries = 0',
        extra=f'\n[actions.mail]\ntype = "email"\nhost = "127.0.0.1"\nport = {dead}\n'
              f'from = "a@b.c"\nto = "d@e.f"\nusername = "u"\npassword = "${{SMTP_PASSWORD}}"\n')
    rules = project.root / "rules" / "shop.kpi"
    rules.write_text(rules.read_text().replace('{period}")', '{period}") mail(subject="x")'))
    outputs = []
    for args in (["--format", "json"], [], ["--format", "table"]):
        code, out, err = run_cli("run", "--config", str(project.config), *args)
        assert code == 3, err
        outputs += [out, err]
    project.set_notify('type = "webhook"\nurl = "${HOOK_TOKEN}"')  # an invalid setting
    code, out, err = run_cli("run", "--config", str(project.config))
    assert code == 2 and "url" in err
    outputs += [out, err]
    files = [p for p in project.root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" for p in files)
    for path in files:
        data = path.read_bytes()
        assert token.encode() not in data, path
        assert password.encode() not in data, path
    for text in outputs:
        assert token not in text and password not in text
    assert json.loads(outputs[0])["actions"][0]["outcome"] == "failed"


def test_file_action_paths_are_relative_to_the_configuration(project: Project, run_cli: Run,
                                                             tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    project.month("2026-01", display=0.005)
    monkeypatch.chdir(tmp_path)
    run_cli("run", "--config", str(project.config))
    assert len(project.alerts) == 1 and not (tmp_path / "alerts.jsonl").exists()
