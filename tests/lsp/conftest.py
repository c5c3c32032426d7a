"""A small LSP client that drives ``kpirules lsp`` as a subprocess over JSON-RPC.

The tests talk to the server exactly as an editor does: framed JSON-RPC
messages on its standard input and output, ``initialize`` first, documents
opened and changed by notifications, then requests. Waiting is bounded so a
broken server fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

WAIT = 60  # seconds: a generous bound on one answer, on a loaded machine; never a speed assertion


class LspClient:
    """Speaks LSP to a server process; keeps the notifications it sends."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kpirules", "lsp"], cwd=cwd, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self._next_id = 0
        self._messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self._responses: dict[int, dict[str, Any]] = {}
        self.capabilities: dict[str, Any] = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            assert length is not None
            self._messages.put(json.loads(stream.read(length).decode("utf-8")))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The whole response (``result`` or ``error``) to one request."""
        self._next_id += 1
        request_id = self._next_id
        self.send({"id": request_id, "method": method, "params": params})
        while request_id not in self._responses:
            self._pump()
        return self._responses.pop(request_id)

    def result(self, method: str, params: dict[str, Any]) -> Any:
        response = self.request(method, params)
        assert "error" not in response, response
        return response["result"]

    def _pump(self) -> None:
        try:
            message = self._messages.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError("the language server did not answer: "
                                 + self._stderr_so_far()) from None
        if "id" in message and "method" in message:  # a request from the server: accept it
            self.send({"id": message["id"], "result": None})
        elif "id" in message:
            self._responses[message["id"]] = message
        else:
            self.notifications.append(message)

    def _stderr_so_far(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        assert self.process.stderr is not None
        return self.process.stderr.read().decode("utf-8", "replace")

    def diagnostics(self, uri: str, version: int | None = None) -> list[dict[str, Any]]:
        """The next diagnostics published for ``uri`` (of ``version``, when given)."""
        while True:
            for i, note in enumerate(self.notifications):
                params = note.get("params", {})
                if note["method"] == "textDocument/publishDiagnostics" and params.get("uri") == uri \
                        and (version is None or params.get("version") == version):
                    del self.notifications[: i + 1]
                    return list(params["diagnostics"])
            self._pump()

    # ── the usual conversation ──

    def initialize(self, root: Path, capabilities: dict[str, Any] | None = None) -> dict[str, Any]:
        result = self.result("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(),
            "capabilities": capabilities or {}})
        self.notify("initialized", {})
        self.capabilities = result["capabilities"]
        return result

    def open(self, uri: str, text: str, version: int = 1) -> list[dict[str, Any]]:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "kpirules", "version": version, "text": text}})
        return self.diagnostics(uri, version)

    def change(self, uri: str, version: int, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": changes})
        return self.diagnostics(uri, version)

    def at(self, method: str, uri: str, line: int, character: int, **extra: Any) -> Any:
        return self.result(method, {"textDocument": {"uri": uri},
                                    "position": {"line": line, "character": character}, **extra})

    def shutdown(self) -> int:
        self.result("shutdown", {})
        self.notify("exit", {})
        try:
            return self.process.wait(timeout=WAIT)
        finally:
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()


def _start(cwd: Path) -> LspClient:
    env = {**os.environ, "KPIRULES_DISABLE_PLUGIN_AUTOLOAD": "1"}
    client = LspClient(cwd, env)
    client.initialize(cwd, CLIENT_CAPABILITIES)
    return client


# What an editor such as VS Code says it supports (the parts the server looks at).
CLIENT_CAPABILITIES: dict[str, Any] = {
    "textDocument": {
        "rename": {"prepareSupport": True},
        "completion": {"completionItem": {"snippetSupport": True}},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
    },
    "general": {"positionEncodings": ["utf-16"]},
}


def _stop(client: LspClient) -> None:
    if client.process.poll() is None:
        client.process.kill()
        client.process.wait(timeout=WAIT)


@pytest.fixture(scope="module")
def _module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LspClient]:
    client = _start(tmp_path_factory.mktemp("lsp"))
    yield client
    _stop(client)


@pytest.fixture
def lsp(_module_server: LspClient) -> LspClient:
    """The module's running server (each test opens its own documents, under its own tmp_path)."""
    assert _module_server.process.poll() is None, "the language server stopped during an earlier test"
    return _module_server


@pytest.fixture
def fresh_lsp(tmp_path: Path) -> Iterator[LspClient]:
    """A server of its own, for a test that ends it."""
    client = _start(tmp_path)
    yield client
    _stop(client)
