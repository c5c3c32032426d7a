"""Fixtures of the plugin tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed third-party plugins must not change what these tests see."""
    monkeypatch.setenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
