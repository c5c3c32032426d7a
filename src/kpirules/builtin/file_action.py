"""The ``file`` action: appends one JSON line per firing to ``path``.

A local, dependency-free sink: other tools can tail the file, and tests and
the example project can see exactly what was delivered. Each line is written
with a single ``write`` on a file opened for appending, then flushed and
synced, so that concurrent writers do not interleave and a line that was
reported delivered is on disk.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from kpirules.errors import ActionError
from kpirules.plugin_api import ActionType, Firing, SettingsError, check_type


class FileAction(ActionType):
    """Appends the firing, as one line of JSON, to the file at ``path``."""

    name = "file"
    description = "appends one JSON line per firing to the file at path"
    required = ("path",)
    path_settings = ("path",)
    settings_help: ClassVar[Mapping[str, str]] = {
        "path": "a file path, relative to the configuration file (folders are created)"}

    def validate(self, settings: Mapping[str, Any]) -> None:
        """``path`` is a string whose folder exists or can be made."""
        super().validate(settings)
        check_type(settings, "path", str, "a file path")
        if Path(str(settings["path"])).is_dir():
            raise SettingsError("path", "is a folder; give a file path")

    def deliver(self, firing: Firing, settings: Mapping[str, Any]) -> None:
        """Append the line; an OS error becomes an :class:`ActionError`."""
        path = Path(str(settings["path"]))
        data = (firing.to_json() + "\n").encode("utf-8")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise ActionError(f"cannot append to {path}: {exc.strerror}") from None
