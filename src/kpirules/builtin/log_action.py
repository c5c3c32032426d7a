"""The ``log`` action: one line on standard error per firing.

The simplest action there is, and the one to use while writing rules: it
needs no settings, so ``then log()`` works in any rule without configuration.
A value with a line break (a dimension value, a template) never splits the
line: a log reader sees one line per firing, and none can be forged.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any, ClassVar

from kpirules.display import one_line
from kpirules.engine.segment import Segment
from kpirules.plugin_api import ActionType, Firing


class LogAction(ActionType):
    """Writes ``kpirules: SEVERITY ruleset/rule PERIOD SEGMENT: TEXT`` to stderr."""

    name = "log"
    description = "writes one line per firing on standard error"
    optional = ("prefix",)
    settings_help: ClassVar[Mapping[str, str]] = {"prefix": "text before each line, default kpirules"}

    def deliver(self, firing: Firing, settings: Mapping[str, Any]) -> None:
        """Print the line; flushing makes it visible before a crash or a kill."""
        prefix = str(settings.get("prefix") or "kpirules")
        segment = Segment.of(firing.segment).assignments()
        line = (f"{prefix}: {firing.severity.upper()} {firing.ruleset}/{firing.rule} "
                f"{firing.period} {segment}: {firing.text}")
        print(re.sub(r"[ \t]+", " ", one_line(line, " ")).strip(), file=sys.stderr, flush=True)
