"""Renotifications and resolutions of a run, read from the evaluated document.

The engine marks each action entry of the as-of period with its ``event``
(language §10); here the ``renotify`` and ``resolve`` entries become
:class:`~kpirules.alerting.outbox.LifecycleEvent` values for the outbox, each
with the streak it belongs to, found in the document's history rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kpirules.alerting.outbox import LifecycleEvent, segment_key
from kpirules.plugin_api import Firing


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


def streak_start(history: Mapping[str, Mapping[str, Any]], periods: list[str], position: int,
                 rule: str) -> str:
    """The first period of the streak of ``rule`` that reaches ``periods[position]``.

    ``history`` maps a period to one segment's row of the document.
    """
    since = periods[position]
    for i in range(position - 1, -1, -1):
        earlier = history.get(periods[i])
        if earlier is None or (earlier.get("rules") or {}).get(rule) is not True:
            break
        since = periods[i]
    return since


def lifecycle_events(doc: Mapping[str, Any]) -> list[LifecycleEvent]:
    """The ``renotify`` and ``resolve`` events at the document's as-of period.

    A renotification belongs to the streak that reaches the as-of period; a
    resolution to the streak that ended in the period before.
    """

    as_of = str(doc["as_of"])
    rows = doc.get("rows", [])
    periods: list[str] = list(doc.get("periods") or dict.fromkeys(r["period"] for r in rows))
    if as_of not in periods:
        return []
    position = periods.index(as_of)
    history: dict[str, dict[str, Mapping[str, Any]]] = {}
    for row in rows:
        history.setdefault(segment_key(row.get("segment") or {}), {})[row["period"]] = row
    grouped: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for entry in doc.get("actions", []):
        if entry.get("event") in ("renotify", "resolve"):
            key = (str(entry["event"]), str(entry["rule"]), segment_key(entry.get("segment") or {}))
            grouped.setdefault(key, []).append(entry)
    out = []
    for (event, rule, seg_key), entries in grouped.items():
        segment_rows = history.get(seg_key, {})
        row = segment_rows.get(as_of)
        if row is None:
            continue
        if event == "renotify":
            since = streak_start(segment_rows, periods, position, rule)
        elif position == 0:
            continue
        else:
            since = streak_start(segment_rows, periods, position - 1, rule)
        calls = tuple(firing_of(doc, row, entry, since, event) for entry in entries)
        out.append(LifecycleEvent(event, rule, dict(row.get("segment") or {}), seg_key, since, calls))
    return out
