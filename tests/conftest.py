"""What every test may use: the one way to run the command line in this process,
and the PostgreSQL schema fixture.

Helpers shared across folders live in ``tests/support/`` (``support.cli`` runs a
child process, ``support.project`` writes a job project, ``support.servers``
starts webhook and SMTP receivers, ``support.pg`` gives a PostgreSQL schema).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from support.cli import CliRun, RunCli
from support.pg import pg_schema

__all__ = ["pg_schema"]

@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """``run_cli(*args, stdin=None)``: run ``kpirules ARGS…`` in this process → ``CliRun``.

    It goes through :func:`kpirules.cli.run_cli`, as the console script does:
    errors become messages and exit codes, never tracebacks.
    """
    from kpirules.cli import run_cli as main

    def run(*args: str | Path, stdin: str | None = None) -> CliRun:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")),
                                                              encoding="utf-8"))
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        sys.stdout.write(out)  # still captured: ``capsys.readouterr()`` sees it too
        sys.stderr.write(err)
        return CliRun(code, out, err)

    return run
