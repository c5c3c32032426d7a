"""What actions receive, built from the typed result: firings, renotifications, resolutions.

The engine marks each action call of the as-of period with its ``event``
(language §10, :meth:`Result.actions`); here each call becomes the
:class:`~kpirules.plugin_api.Firing` its action receives (the payload of
interfaces §4), with the values of its row as the JSON document writes them
(:meth:`Result.as_of_rows`), and the ``renotify`` and ``resolve`` calls
become :class:`~kpirules.alerting.outbox.LifecycleEvent` values for the
outbox, each with the streak it belongs to. Nothing here reads the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kpirules.alerting.outbox import LifecycleEvent
from kpirules.engine.segment import Segment
from kpirules.plugin_api import Firing

if TYPE_CHECKING:
    from kpirules.engine.result import Result


def firing_of(result: Result, row: Mapping[str, Any], call: Mapping[str, Any], since: str,
              event: str) -> Firing:
    """The :class:`Firing` an action sees for one action call (an entry of :meth:`Result.actions`)
    in its row (of :meth:`Result.as_of_rows`)."""
    rule = result.ruleset.rules[call["rule"]]
    return Firing(
        ruleset=result.ruleset.name, rule=rule.name, title=rule.title, severity=rule.severity,
        period=result.as_of_label, segment=dict(row["segment"]), args=dict(call["args"]),
        action=str(call["action"]), since=str(since), values=dict(row["values"]),
        status=dict(row["status"]), decisions=dict(row["decisions"]), event=event,
    )


def action_calls(result: Result) -> dict[tuple[str, str, Segment], list[dict[str, Any]]]:
    """The action calls of the as-of period by event, rule and segment, in the result's order."""
    grouped: dict[tuple[str, str, Segment], list[dict[str, Any]]] = {}
    for call in result.actions():
        key = (str(call["event"]), str(call["rule"]), Segment.of(call["segment"]))
        grouped.setdefault(key, []).append(call)
    return grouped


def lifecycle_events(result: Result,
                     calls: Mapping[tuple[str, str, Segment], list[dict[str, Any]]] | None = None,
                     ) -> list[LifecycleEvent]:
    """The ``renotify`` and ``resolve`` events at the result's as-of period.

    A renotification belongs to the streak that reaches the as-of period; a
    resolution to the streak that ended in the period before: both come from
    the result (:meth:`Result.firings`, :meth:`Result.ended_streaks`).
    ``calls``: :func:`action_calls` of the result, when already grouped.
    """
    calls = action_calls(result) if calls is None else calls
    events = {key: entries for key, entries in calls.items() if key[0] in ("renotify", "resolve")}
    if not events:
        return []
    streaks = {"renotify": {(f.rule, f.segment): f.since for f in result.firings()},
               "resolve": {(f.rule, f.segment): f.since for f in result.ended_streaks()}}
    rows = result.as_of_rows({segment for _event, _rule, segment in events})
    out = []
    for (event, rule, segment), entries in events.items():
        row = rows.get(segment)
        since = streaks[event].get((rule, segment))
        if row is None or since is None:
            continue
        payloads = tuple(firing_of(result, row, call, since, event) for call in entries)
        out.append(LifecycleEvent(event, rule, dict(row["segment"]), segment.key(), since, payloads))
    return out
