"""Local servers for the action tests: a scripted HTTP receiver and an SMTP sink.

Shared by tests/plugins and tests/job (which puts this folder on sys.path).
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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    """An HTTP server answering POSTs with scripted status codes (then 200)."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0,
                 location: str | None = None) -> None:
        self.statuses = list(statuses or [])
        self.delay = delay
        self.location = location  # sent with a 3xx answer
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay:
                    import time

                    time.sleep(receiver.delay)
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.requests.append({"path": self.path, "status": status,
                                              "headers": dict(self.headers),
                                              "body": json.loads(body or b"null")})
                self.send_response(status)
                if receiver.location and 300 <= status < 400:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self) -> None:  # what a followed 301/302/303 would become
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "status": 200, "method": "GET",
                                              "headers": dict(self.headers), "body": None})
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def delivered(self) -> list[dict[str, Any]]:
        """Bodies of the requests that were answered 2xx."""
        return [r["body"] for r in self.requests if 200 <= r["status"] < 300]


@contextmanager
def receiver(statuses: list[int] | None = None, delay: float = 0.0,
             location: str | None = None) -> Iterator[Receiver]:
    """A running :class:`Receiver`, shut down afterwards."""
    r = Receiver(statuses, delay, location)
    r.thread.start()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()


class Mailbox:
    """An aiosmtpd handler that keeps every message."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "data": envelope.content.decode("utf-8", "replace"),
                              "login": getattr(session, "login_data", None)})
        return "250 OK"


@contextmanager
def smtp_server(port: int, username: str | None = None,
                password: str | None = None) -> Iterator[Mailbox]:
    """An SMTP server on ``port`` (login required when a username is given)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    mailbox = Mailbox()
    kwargs: dict[str, Any] = {}
    if username is not None:
        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                         auth_data: Any) -> AuthResult:
            ok = (auth_data.login.decode() == username
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok, handled=False)

        kwargs = {"authenticator": authenticate, "auth_require_tls": False,
                  "auth_required": True}
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
