"""The built-in output formats, handed to the registry through the formats hook.

The formats themselves live in :mod:`kpirules.report`; this module only
registers them, importing the report package when the hook is called so that
loading plugins stays cheap for commands that never render anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kpirules.builtin import builtin_items
from kpirules.hookspecs import hookimpl

if TYPE_CHECKING:
    from kpirules.report.base import OutputFormat


@hookimpl
def kpirules_formats() -> list[OutputFormat]:
    """The formats of :data:`kpirules.report.BUILTIN_FORMATS`."""
    return builtin_items("formats")
