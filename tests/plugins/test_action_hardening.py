"""The built-in actions against hostile values: redirects, line breaks, long texts.

A webhook follows no redirect and never prints the target; a dimension
value with a line break neither breaks an e-mail nor forges a log line, and
the data written to files keeps every character.
"""

from __future__ import annotations

import email.policy
import json
from email import message_from_string
from pathlib import Path

import pytest

from kpirules.builtin.webhook import WebhookAction
from kpirules.errors import ActionError
from kpirules.plugin_api import Firing, Secret, SettingsError
from kpirules.plugins import load_registry
from support.cli import RunCli
from support.servers import free_port, receiver, smtp_server

ACTIONS = load_registry(autoload=False).actions
EVIL = "paid\r\nBcc: victim@example.com\r\n2026-01-01 kpirules: CRITICAL forged/line"
FIRING = Firing(ruleset="funnel", rule="stop_channel", title="High cost", severity="critical",
                period="2026-06", segment={"channel": EVIL},
                args={"text": f"Stop {EVIL}", "subject": f"Stop {EVIL}"}, action="notify")


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(WebhookAction, "sleep", staticmethod(lambda seconds: None))


@pytest.mark.slow
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("target", ["ftp://files.example.com/drop", "http://127.0.0.1:{port}/other",
                                    "https://elsewhere.example.com/secret-path"])
def test_the_webhook_follows_no_redirect_and_never_prints_its_target(
        status: int, target: str) -> None:
    with receiver() as landing:
        location = target.format(port=landing.port)
        with receiver([status], location=location) as server, \
                pytest.raises(ActionError) as info:
            ACTIONS["webhook"].deliver(FIRING, {"url": server.url(), "retries": 2})
    message = str(info.value)
    assert f"HTTP {status}" in message and "redirect" in message
    assert "after 1 attempt:" in message  # a redirect is not retried
    assert location not in message and "example.com" not in message and "/other" not in message
    assert len(server.requests) == 1 and landing.requests == []


@pytest.mark.slow
def test_a_redirect_is_a_failed_delivery_retried_next_run_without_its_url(run_cli: RunCli,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from support.project import Project

    project = Project(tmp_path / "proj")
    project.month("2026-01", display=0.005)
    with receiver([302], location="ftp://attacker.example.com/x") as server:
        project.set_notify(f'type = "webhook"\nurl = "{server.url()}"')
        monkeypatch.setenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
        code = run_cli("run", "--config", str(project.config)).code
    assert code == 3
    import sqlite3

    with sqlite3.connect(project.state) as db:
        [(status, error)] = db.execute("select status, last_error from deliveries").fetchall()
    assert status == "failed" and "HTTP 302" in error and "attacker" not in error


def test_a_line_break_in_a_dimension_value_does_not_break_the_email() -> None:
    port = free_port()
    settings = {"host": "127.0.0.1", "port": port, "from": "kpi@example.com",
                "to": "ops@example.com"}
    with smtp_server(port) as mailbox:
        ACTIONS["email"].deliver(FIRING, settings)
    [sent] = mailbox.messages
    assert sent["to"] == ["ops@example.com"]  # no Bcc smuggled in
    message = message_from_string(sent["data"], policy=email.policy.default)
    assert message["Bcc"] is None
    assert str(message["Subject"]).strip() == ("Stop paid Bcc: victim@example.com 2026-01-01 kpirules: "
                                  "CRITICAL forged/line")
    body = str(message.get_payload()).replace("\r\n", "\n")
    assert f"Stop {EVIL}".replace("\r\n", "\n") in body  # the body is the data


def test_a_line_break_in_a_dimension_value_does_not_forge_a_log_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    ACTIONS["log"].deliver(FIRING, {})
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kpirules: CRITICAL funnel/stop_channel")


def test_the_file_action_keeps_the_data_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    ACTIONS["file"].deliver(FIRING, {"path": str(path)})
    [line] = path.read_text().splitlines()
    assert json.loads(line)["segment"]["channel"] == EVIL


def test_an_escape_sequence_in_the_data_reaches_no_terminal(
        capsys: pytest.CaptureFixture[str]) -> None:
    firing = Firing(ruleset="r", rule="x", title=None, severity="warning", period="2026-06",
                    segment={"c": "\x1b[2J\x1b[31mred"}, args={}, action="log")
    ACTIONS["log"].deliver(firing, {})
    err = capsys.readouterr().err
    assert "\x1b" not in err and "c= [2J [31mred" in err


def test_a_header_value_with_a_line_break_is_refused_by_name() -> None:
    hook = ACTIONS["webhook"]
    value = Secret("Bearer t0ken\n", names=("SLACK_TOKEN",))
    with pytest.raises(SettingsError) as info:
        hook.validate({"url": "http://x", "headers": {"Authorization": value}})
    assert "(from ${SLACK_TOKEN})" in str(info.value) and "t0ken" not in str(info.value)
    with pytest.raises(SettingsError, match="not a header name"):
        hook.validate({"url": "http://x", "headers": {"Bad Name:": "v"}})
    hook.validate({"url": "http://x", "headers": {"Authorization": "Bearer\tok"}})


def test_an_email_address_with_a_line_break_is_refused() -> None:
    with pytest.raises(SettingsError, match="to: an address"):
        ACTIONS["email"].validate({"host": "h", "from": "a@b.c", "to": ["x@y.z\nBcc: v@w"]})
