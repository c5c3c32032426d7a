"""How a report says where a firing is in its lifecycle.

From an action entry of the document (interfaces §3): its ``event``, the
streak's ``since`` and ``periods`` (added by the engine), and, in a job run,
``silenced_until``: "started in 2026-01, firing for 3 periods, silenced until
2026-06", "reminder", "resolved".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kpirules.report.i18n import Translator


def lifecycle_text(action: Mapping[str, Any], tr: Callable[..., str] | None = None) -> str:
    """One short phrase for the lifecycle of ``action``; empty when nothing is known.

    In the words of ``tr`` (the report's :class:`Translator`; English without one).
    """
    tr = tr or Translator("en")
    parts = []
    event = action.get("event")
    if event == "resolve":
        parts.append(tr("lifecycle.resolved"))
    else:
        if event == "renotify":
            parts.append(tr("lifecycle.reminder"))
        since, periods = action.get("since"), action.get("periods")
        if since:
            parts.append(tr("lifecycle.since", period=since))
        if isinstance(periods, int) and periods > 1:
            parts.append(tr("lifecycle.periods", count=periods))
    if action.get("silenced_until"):
        parts.append(tr("lifecycle.silenced", period=action["silenced_until"]))
    return ", ".join(parts)
