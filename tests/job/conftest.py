"""Fixtures of the job tests: a small project on disk (``support.project``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.project import Project


@pytest.fixture(autouse=True)
def _no_autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv("KPIRULES_TEST_CRASH_AT", raising=False)
    monkeypatch.delenv("KPIRULES_TEST_PAUSE_AT", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "proj")
