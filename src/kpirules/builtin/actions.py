"""The built-in actions, handed to the registry through the actions hook."""

from __future__ import annotations

from kpirules.builtin.email_action import EmailAction
from kpirules.builtin.file_action import FileAction
from kpirules.builtin.log_action import LogAction
from kpirules.builtin.webhook import WebhookAction
from kpirules.hookspecs import hookimpl
from kpirules.plugin_api import ActionType


@hookimpl
def kpirules_actions() -> list[ActionType]:
    """``log``, ``file``, ``webhook`` and ``email``."""
    return [LogAction(), FileAction(), WebhookAction(), EmailAction()]
