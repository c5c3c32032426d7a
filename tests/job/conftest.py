"""Fixtures of the job tests: a small project on disk, and ways to run it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # kpi_project.py
sys.path.insert(0, str(HERE.parent))  # tests/conftest_pg.py
sys.path.insert(0, str(HERE.parent / "plugins"))  # tests/plugins/kpi_servers.py

from kpi_project import Project  # noqa: E402


@pytest.fixture(autouse=True)
def _no_autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv("KPIRULES_TEST_CRASH_AT", raising=False)
    monkeypatch.delenv("KPIRULES_TEST_PAUSE_AT", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "proj")


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``kpirules ARGS…`` in this process; returns (code, stdout, stderr)."""
    from kpirules.cli import run_cli as cli

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


