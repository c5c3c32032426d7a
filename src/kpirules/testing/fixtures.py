"""The pytest fixtures of :mod:`kpirules.testing` (registered through ``pytest11``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from kpirules.testing.helpers import CliResult, JobProject
from kpirules.testing.servers import HttpReceiver, Mailbox, http_receiver, smtp_mailbox


@pytest.fixture
def kpirules_registry() -> Callable[..., Any]:
    """``kpirules_registry(*modules)``: built-ins plus the plugin modules under test."""
    from kpirules.plugins import load_registry

    def load(*modules: Any) -> Any:
        return load_registry(list(modules), autoload=False, strict=True)

    return load


@pytest.fixture
def kpirules_eval(kpirules_registry: Callable[..., Any]) -> Callable[..., Any]:
    """``kpirules_eval(rules_text, data, plugins=[…], **options)`` → Result."""
    import kpirules

    def evaluate(rules: str, data: Any, plugins: Sequence[Any] = (), **options: Any) -> Any:
        registry = kpirules_registry(*plugins)
        ruleset = kpirules.loads(rules, "rules.kpi", functions=registry.functions)
        return kpirules.evaluate(ruleset, data, functions=registry.functions, **options)

    return evaluate


@pytest.fixture
def kpirules_cli(capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """``kpirules_cli(*args)``: run the command line in this process → CliResult.

    Installed plugins are turned off so that only the plugins a configuration
    lists (``--config``) are seen; pass ``autoload=True`` to keep them.
    """
    from kpirules.cli import run_cli

    def run(*args: str, autoload: bool = False) -> CliResult:
        if not autoload:
            monkeypatch.setenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
        capsys.readouterr()
        code = run_cli(list(args))
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


@pytest.fixture
def kpirules_job(tmp_path: Path, kpirules_cli: Callable[..., CliResult]) -> JobProject:
    """A :class:`~kpirules.testing.JobProject` in a temporary folder."""
    return JobProject(tmp_path / "job", lambda argv: kpirules_cli(*argv))


@pytest.fixture
def kpirules_http() -> Iterator[HttpReceiver]:
    """A local HTTP server recording every POST (answers 200)."""
    with http_receiver() as receiver:
        yield receiver


@pytest.fixture
def kpirules_smtp() -> Iterator[Mailbox]:
    """A local SMTP server keeping every message (``.host``, ``.port``, ``.messages``)."""
    with smtp_mailbox() as mailbox:
        yield mailbox
