"""The built-in actions: log, file, webhook and email."""

from __future__ import annotations

import json
from email import message_from_string
from pathlib import Path

import pytest

from kpirules.builtin.webhook import WebhookAction
from kpirules.errors import ActionError
from kpirules.plugin_api import Firing, Secret, SettingsError, redact
from kpirules.plugins import load_registry
from support.servers import free_port, receiver, smtp_server

ACTIONS = load_registry(autoload=False).actions

FIRING = Firing(ruleset="funnel", rule="stop_channel", title="High cost, low return",
                severity="critical", period="2026-06", segment={"channel": "display"},
                args={"text": "Stop display: ROI -20%"}, action="notify", since="2026-05",
                values={"roi": -0.2})


@pytest.fixture
def fast_webhook(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(WebhookAction, "sleep", staticmethod(waits.append))
    return waits


def test_log_writes_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    ACTIONS["log"].validate({})
    ACTIONS["log"].deliver(FIRING, {})
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert "CRITICAL funnel/stop_channel 2026-06 channel=display: Stop display: ROI -20%" in lines[0]


def test_file_appends_one_json_line_per_firing(tmp_path: Path) -> None:
    target = tmp_path / "out" / "alerts.jsonl"
    settings = {"path": str(target)}
    ACTIONS["file"].validate(settings)
    ACTIONS["file"].deliver(FIRING, settings)
    ACTIONS["file"].deliver(FIRING, settings)
    lines = target.read_text().splitlines()
    assert len(lines) == 2
    data = json.loads(lines[0])
    assert data["rule"] == "stop_channel" and data["segment"] == {"channel": "display"}
    assert data["text"] == "Stop display: ROI -20%" and data["since"] == "2026-05"
    with pytest.raises(SettingsError, match="path: is a folder"):
        ACTIONS["file"].validate({"path": str(tmp_path)})


@pytest.mark.slow
def test_webhook_retries_a_500_then_sends_once(fast_webhook: list[float]) -> None:
    with receiver([500]) as server:
        settings = {"url": server.url(), "retries": 3, "backoff": 0.5}
        ACTIONS["webhook"].validate(settings)
        ACTIONS["webhook"].deliver(FIRING, settings)
    assert [r["status"] for r in server.requests] == [500, 200]
    assert len(server.delivered) == 1
    body = server.delivered[0]
    assert body["text"] == "Stop display: ROI -20%"  # what Slack-compatible receivers show
    assert body["rule"] == "stop_channel" and body["severity"] == "critical"
    assert server.requests[0]["headers"]["Content-Type"] == "application/json"
    assert fast_webhook == [0.5]


@pytest.mark.slow
def test_webhook_backs_off_exponentially_then_fails(fast_webhook: list[float]) -> None:
    secret_url_token = "T000/B000/XXXXsecretXXXX"
    with receiver([503, 503, 503, 503]) as server:
        settings = {"url": Secret(server.url("/" + secret_url_token)), "retries": 3,
                    "backoff": 1}
        with pytest.raises(ActionError) as info:
            ACTIONS["webhook"].deliver(FIRING, settings)
    assert len(server.requests) == 4
    assert fast_webhook == [1, 2, 4]
    assert "503" in str(info.value) and "4 attempts" in str(info.value)
    assert secret_url_token not in str(info.value)
    assert secret_url_token not in repr(settings)


@pytest.mark.slow
def test_webhook_does_not_retry_a_client_error(fast_webhook: list[float]) -> None:
    with receiver([404]) as server, pytest.raises(ActionError, match="HTTP 404"):
        ACTIONS["webhook"].deliver(FIRING, {"url": server.url(), "retries": 3})
    assert len(server.requests) == 1


def test_webhook_unreachable(fast_webhook: list[float]) -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"
    with pytest.raises(ActionError, match="cannot reach"):
        ACTIONS["webhook"].deliver(FIRING, {"url": url, "retries": 1, "timeout": 2})


def test_webhook_settings_are_checked() -> None:
    hook = ACTIONS["webhook"]
    with pytest.raises(SettingsError, match="url: must start with http"):
        hook.validate({"url": "ftp://x"})
    with pytest.raises(SettingsError, match="retries"):
        hook.validate({"url": "http://x", "retries": -1})
    with pytest.raises(SettingsError, match=r'did you mean "timeout"'):
        hook.validate({"url": "http://x", "timout": 3})


def test_email_is_sent_through_smtp() -> None:
    port = free_port()
    settings = {"host": "127.0.0.1", "port": port, "from": "kpi@example.com",
                "to": ["a@example.com", "b@example.com"]}
    ACTIONS["email"].validate(settings)
    with smtp_server(port) as mailbox:
        ACTIONS["email"].deliver(FIRING, settings)
    assert len(mailbox.messages) == 1
    sent = mailbox.messages[0]
    assert sent["to"] == ["a@example.com", "b@example.com"]
    message = message_from_string(sent["data"])
    assert message["Subject"] == "[kpirules] critical: High cost, low return"
    assert "Stop display: ROI -20%" in message.get_payload()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_email_login_and_a_refused_password_is_not_shown() -> None:
    port = free_port()
    settings = {"host": "127.0.0.1", "port": port, "from": "kpi@example.com",
                "to": "ops@example.com", "username": "kpi", "password": Secret("pa55word!")}
    with smtp_server(port, username="kpi", password="pa55word!") as mailbox:
        ACTIONS["email"].deliver(FIRING, settings)
        assert len(mailbox.messages) == 1
        wrong = {**settings, "password": Secret("wrong-pa55")}
        with pytest.raises(ActionError, match="login refused") as info:
            ACTIONS["email"].deliver(FIRING, wrong)
    assert "wrong-pa55" not in str(info.value)


def test_email_server_down_is_an_action_error() -> None:
    settings = {"host": "127.0.0.1", "port": free_port(), "from": "kpi@example.com",
                "to": "ops@example.com", "timeout": 2}
    with pytest.raises(ActionError, match="e-mail not sent"):
        ACTIONS["email"].deliver(FIRING, settings)


def test_email_settings_are_checked() -> None:
    mail = ACTIONS["email"]
    with pytest.raises(SettingsError, match="from: missing"):
        mail.validate({"host": "h", "to": "x@y"})
    with pytest.raises(SettingsError, match="username and password go together"):
        mail.validate({"host": "h", "from": "a@b", "to": "x@y", "username": "u"})
    with pytest.raises(SettingsError, match="port"):
        mail.validate({"host": "h", "from": "a@b", "to": "x@y", "port": 70000})


def test_secrets_are_redacted() -> None:
    secret = Secret("hunter2-token")
    assert "hunter2" not in repr({"password": secret})
    assert str(secret) == "hunter2-token"
    assert redact("login hunter2-token failed", [secret]) == "login *** failed"
