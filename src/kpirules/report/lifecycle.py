"""How a report says where a firing is in its lifecycle.

From an action entry of the document (interfaces §3): its ``event``, the
streak's ``since`` and ``periods`` (added by the engine), and, in a job run,
``silenced_until``: "started in 2026-01, firing for 3 periods, silenced until
2026-06", "reminder", "resolved".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def lifecycle_text(action: Mapping[str, Any]) -> str:
    """One short phrase for the lifecycle of ``action``; empty when nothing is known."""
    parts = []
    event = action.get("event")
    if event == "resolve":
        parts.append("resolved")
    else:
        if event == "renotify":
            parts.append("reminder")
        since, periods = action.get("since"), action.get("periods")
        if since:
            parts.append(f"started in {since}")
        if isinstance(periods, int) and periods > 1:
            parts.append(f"firing for {periods} periods")
    if action.get("silenced_until"):
        parts.append(f"silenced until {action['silenced_until']}")
    return ", ".join(parts)
