"""Local receivers for action tests: an HTTP endpoint and an SMTP mailbox.

A webhook or e-mail action is tested against a real server on the loopback
interface, never a mock of the standard library: what the action sends
(headers, JSON body, MIME parts, login) is what a real receiver gets.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HttpReceiver:
    """An HTTP server that records every POST and answers scripted status codes (then 200)."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0) -> None:
        self.statuses = list(statuses or [])
        self.delay = delay  # seconds before answering: a slow receiver
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay:
                    import time

                    time.sleep(receiver.delay)
                try:
                    body: Any = json.loads(raw or b"null")
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                with receiver._lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.requests.append({"path": self.path, "status": status,
                                              "headers": dict(self.headers), "body": body})
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        """The address to give a webhook's ``url`` setting."""
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def delivered(self) -> list[Any]:
        """Bodies of the requests answered 2xx, in order."""
        return [r["body"] for r in self.requests if 200 <= r["status"] < 300]


@contextmanager
def http_receiver(statuses: list[int] | None = None,
                  delay: float = 0.0) -> Iterator[HttpReceiver]:
    """A running :class:`HttpReceiver`, shut down afterwards."""
    receiver = HttpReceiver(statuses, delay)
    receiver._thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


class Mailbox:
    """Every message an SMTP server received: sender, recipients, raw text."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "data": envelope.content.decode("utf-8", "replace"),
                              "login": getattr(session, "login_data", None)})
        return "250 OK"


@contextmanager
def smtp_mailbox(port: int | None = None, username: str | None = None,
                 password: str | None = None) -> Iterator[Mailbox]:
    """An SMTP server on ``port`` (default: a free one); its :class:`Mailbox` keeps every message.

    With ``username``, the server requires that login and password.
    """
    try:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("the smtp_mailbox fixture needs aiosmtpd: "
                           "pip install 'kpirules[testing]'") from exc
    mailbox = Mailbox(port=port or free_port())
    options: dict[str, Any] = {}
    if username is not None:
        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                         auth_data: Any) -> AuthResult:
            ok = (auth_data.login.decode() == username
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok, handled=False)

        options = {"authenticator": authenticate, "auth_require_tls": False,
                   "auth_required": True}
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port, **options)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
