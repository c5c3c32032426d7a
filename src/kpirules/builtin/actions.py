"""The built-in actions, handed to the registry through the actions hook."""

from __future__ import annotations

from kpirules.builtin import builtin_items
from kpirules.hookspecs import hookimpl
from kpirules.plugin_api import ActionType


@hookimpl
def kpirules_actions() -> list[ActionType]:
    """``log``, ``file``, ``webhook`` and ``email``."""
    return builtin_items("actions")
