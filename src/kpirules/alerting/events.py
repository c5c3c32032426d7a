"""Renotifications and resolutions of a run, read from the evaluated document.

The engine marks each action entry of the as-of period with its ``event``
(language §10); here the ``renotify`` and ``resolve`` entries become
:class:`~kpirules.alerting.outbox.LifecycleEvent` values for the outbox, each
with the streak it belongs to, as the result's frame says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kpirules.alerting.outbox import LifecycleEvent
from kpirules.engine.segment import Segment
from kpirules.plugin_api import Firing

if TYPE_CHECKING:
    from kpirules.engine.result import Result


def firing_of(doc: Mapping[str, Any], row: Mapping[str, Any], entry: Mapping[str, Any],
              since: str, event: str) -> Firing:
    """The :class:`Firing` an action sees for one action entry of the document."""
    definition = (doc.get("rule_defs") or {}).get(entry["rule"]) or {}
    return Firing(
        ruleset=str(doc.get("ruleset")), rule=str(entry["rule"]),
        title=definition.get("title"),
        severity=str(entry.get("severity") or definition.get("severity") or "warning"),
        period=str(doc["as_of"]), segment=dict(row.get("segment") or {}),
        args=dict(entry.get("args") or {}), action=str(entry["action"]), since=str(since),
        values=dict(row.get("values") or {}), status=dict(row.get("status") or {}),
        decisions=dict(row.get("decisions") or {}), event=event,
    )


def lifecycle_events(result: Result, doc: Mapping[str, Any]) -> list[LifecycleEvent]:
    """The ``renotify`` and ``resolve`` events at the document's as-of period.

    A renotification belongs to the streak that reaches the as-of period; a
    resolution to the streak that ended in the period before: both come from
    the result (:meth:`Result.firings`, :meth:`Result.ended_streaks`), each
    action call with its row as the document writes it.
    """
    as_of = str(doc["as_of"])
    rows = {Segment.of(row.get("segment")): row for row in doc.get("rows", []) if row["period"] == as_of}
    streaks = {"renotify": {(f.rule, f.segment): f.since for f in result.firings()},
               "resolve": {(f.rule, f.segment): f.since for f in result.ended_streaks()}}
    grouped: dict[tuple[str, str, Segment], list[Mapping[str, Any]]] = {}
    for entry in doc.get("actions", []):
        if entry.get("event") in ("renotify", "resolve"):
            key = (str(entry["event"]), str(entry["rule"]), Segment.of(entry.get("segment")))
            grouped.setdefault(key, []).append(entry)
    out = []
    for (event, rule, segment), entries in grouped.items():
        row = rows.get(segment)
        since = streaks[event].get((rule, segment))
        if row is None or since is None:
            continue
        calls = tuple(firing_of(doc, row, entry, since, event) for entry in entries)
        out.append(LifecycleEvent(event, rule, dict(row.get("segment") or {}), segment.key(), since, calls))
    return out
