"""Firings and delivery: which rules fire, the outbox, and each action's outcome.

A run records in the state store which rules start firing at the as-of
period (their action calls go to the outbox) and which are resolved; then it
delivers every outbox row it can claim (new firings, and failed deliveries of
earlier runs) and records each outcome, so that an action runs once per
firing (at least once, never twice once it succeeded).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kpirules.alerting import silences
from kpirules.alerting.digest import deliver_run_digests
from kpirules.alerting.events import action_calls, firing_of, lifecycle_events
from kpirules.display import MAX_LINE, message_lines
from kpirules.engine.segment import Segment
from kpirules.errors import KpirulesError
from kpirules.job.model import ResolvedAction, RulesetRun, RunReport
from kpirules.job.plan import resolve_action
from kpirules.plugin_calls import action_type_label, delivery_failure
from kpirules.state import CurrentFiring, Delivery, StateStore, segment_key

if TYPE_CHECKING:
    from kpirules.engine.result import Result
    from kpirules.job.runner import Job


def record_firings(job: Job, state: StateStore, run_id: str, part: RulesetRun) -> None:
    """Record which rules fire at the as-of period, and which are resolved."""
    assert part.result is not None and part.as_of is not None
    calls = action_calls(part.result)
    current = current_firings(part.result, calls)
    part.firing = len(current)
    changes = state.record_firings(run_id, part.name, part.as_of, current, lifecycle_events(part.result, calls))
    part.new, part.resolved = len(changes.new), len(changes.resolved)
    if changes.past_period:
        job.say(f"{part.name}: {part.as_of} is older than the last period run; "
                f"no action is run again for it")
    for rule, segment in changes.resolved:
        job.say(f"{part.name}/{rule} {segment_text(segment)}: resolved at {part.as_of}")


def deliver(job: Job, state: StateStore, run_id: str, report: RunReport) -> None:
    """Deliver every outbox row this run can claim; record each outcome."""
    claimed = state.claim(run_id)
    job.faults.crashpoint("after_claim")
    digests: dict[str, list[Delivery]] = {}
    for delivery in claimed:
        resolved = job.actions.get(delivery.action)
        if resolved is not None and resolved.digest is not None:
            digests.setdefault(delivery.action, []).append(delivery)
    deliver_run_digests(job, state, run_id, report, digests)
    for delivery in claimed:
        if delivery.action in digests:
            continue
        firing = delivery.firing
        label = (f"{firing.ruleset}/{firing.rule} {segment_text(firing.segment)} "
                 f"→ {delivery.action}")
        resolved = job.actions.get(delivery.action)
        if resolved is None:
            resolved = _late_action(job, delivery.action)
        error: str | None = None
        if resolved is None:
            error = f"action {delivery.action!r} is no longer configured"
        else:
            job.faults.pause("deliver")
            try:
                resolved.plugin.deliver(firing, resolved.settings)
            except Exception as exc:  # redacted whole, then cut; stored, then printed
                error = message_lines(job.redact(delivery_failure(exc)), MAX_LINE // 2)
        if error is None:
            job.faults.crashpoint("before_mark")
            state.mark_sent(run_id, delivery.id)
            report.sent += 1
            job.faults.crashpoint("after_mark")
        else:
            state.mark_failed(run_id, delivery.id, error)
            report.failed += 1
            kind = f"{action_type_label(job.registry, resolved.plugin)}; " if resolved else ""
            job.say(f"error: {label} failed ({kind}attempt {delivery.attempts + 1}, "
                    f"retried next run): {error}")


def _late_action(job: Job, name: str) -> ResolvedAction | None:
    """An action of an older firing whose rule no longer calls it."""
    assert job.plan is not None
    try:
        return resolve_action(job.plan, name, job.voice)
    except KpirulesError:
        return None


def mark_outcomes(state: StateStore, run_id: str, part: RulesetRun) -> None:
    """Mark each action of the as-of period ``sent``, ``already_sent``, ``failed``…"""
    if part.document is None:
        return
    outcomes = state.outcomes(part.name, run_id, part.as_of)
    index: dict[tuple[str, str, str], int] = {}
    for entry in part.document.get("actions", []):
        event = str(entry.get("event") or "fire")
        key = (entry["rule"], segment_key(entry.get("segment") or {}), event)
        i = index.get(key, 0)
        index[key] = i + 1
        entry["outcome"] = outcomes.get((*key, i), outcomes.get(
            (*key[:2], "fire", i), "skipped") if event == "renotify" else "skipped")
        if entry["outcome"] == "silenced":
            entry["silenced_until"] = silences.silenced_until(
                silences.active(state.db, part.name, str(part.as_of)), part.name,
                entry["rule"], entry.get("segment") or {})


def current_firings(result: Result,
                    calls: Mapping[tuple[str, str, Segment], list[dict[str, Any]]] | None = None,
                    ) -> list[CurrentFiring]:
    """The rules firing at the as-of period, per segment, with their action calls.

    Which rules fire, and since when, is the result's (:meth:`Result.firings`,
    computed on its frame); each action call carries the values of its row
    as the document writes them (:meth:`Result.as_of_rows`), since actions
    receive those. ``calls``: :func:`~kpirules.alerting.events.action_calls`
    of the result, when already grouped.
    """
    calls = action_calls(result) if calls is None else calls
    fired: dict[tuple[str, Segment], list[dict[str, Any]]] = {}
    for (event, rule, segment), entries in calls.items():
        if event != "resolve":
            fired.setdefault((rule, segment), []).extend(entries)
    firings = result.firings()
    rows = result.as_of_rows({firing.segment for firing in firings})
    out = []
    for firing in firings:
        row = rows[firing.segment]
        payloads = tuple(firing_of(result, row, call, firing.since, "fire")
                         for call in fired.get((firing.rule, firing.segment), []))
        out.append(CurrentFiring(firing.rule, dict(firing.segment), firing.since, payloads))
    return out


def segment_text(segment: Mapping[str, Any]) -> str:
    """A segment as the job's messages show it: ``channel=paid``, or ``overall``."""
    return Segment.of(segment).assignments()
