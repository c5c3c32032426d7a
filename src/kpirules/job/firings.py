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
from kpirules.alerting.events import firing_of, lifecycle_events, streak_start
from kpirules.display import MAX_LINE, message_lines
from kpirules.errors import KpirulesError
from kpirules.job.model import ResolvedAction, RulesetRun, RunReport
from kpirules.job.plan import resolve_action
from kpirules.state import CurrentFiring, Delivery, StateStore, segment_key

if TYPE_CHECKING:
    from kpirules.job.runner import Job


def record_firings(job: Job, state: StateStore, run_id: str, part: RulesetRun) -> None:
    """Record which rules fire at the as-of period, and which are resolved."""
    assert part.document is not None and part.as_of is not None
    doc = part.document
    current = current_firings(doc)
    part.firing = len(current)
    changes = state.record_firings(run_id, part.name, part.as_of, current, lifecycle_events(doc))
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
            except Exception as exc:
                detail = str(exc) or type(exc).__name__
                error = message_lines(job.redact(detail), MAX_LINE // 2)  # stored, then printed
        if error is None:
            job.faults.crashpoint("before_mark")
            state.mark_sent(run_id, delivery.id)
            report.sent += 1
            job.faults.crashpoint("after_mark")
        else:
            state.mark_failed(run_id, delivery.id, error)
            report.failed += 1
            job.say(f"error: {label} failed (attempt {delivery.attempts + 1}, "
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


def current_firings(doc: Mapping[str, Any]) -> list[CurrentFiring]:
    """The rules firing at the as-of period, per segment, with their action calls.

    ``since`` is the first period of the streak that reaches the as-of period,
    found in the history rows of the document.
    """
    as_of = doc["as_of"]
    rows = doc.get("rows", [])
    periods: list[str] = list(doc.get("periods") or dict.fromkeys(r["period"] for r in rows))
    by_segment: dict[str, dict[str, Mapping[str, Any]]] = {}
    for row in rows:
        by_segment.setdefault(segment_key(row.get("segment") or {}), {})[row["period"]] = row
    calls: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in doc.get("actions", []):
        calls.setdefault((entry["rule"], segment_key(entry.get("segment") or {})), []
                         ).append(entry)
    position = periods.index(as_of) if as_of in periods else len(periods) - 1
    out = []
    for row in rows:
        if row["period"] != as_of:
            continue
        seg = row.get("segment") or {}
        seg_key = segment_key(seg)
        for rule, fires in (row.get("rules") or {}).items():
            if fires is not True:
                continue
            since = streak_start(by_segment.get(seg_key, {}), periods, position, rule)
            firings = tuple(firing_of(doc, row, entry, since, "fire")
                            for entry in calls.get((rule, seg_key), [])
                            if entry.get("event") != "resolve")
            out.append(CurrentFiring(rule, dict(seg), str(since), firings))
    return out


def segment_text(segment: Mapping[str, Any]) -> str:
    """A segment as the job's messages show it: ``channel=paid``, or ``overall``."""
    return ",".join(f"{k}={v}" for k, v in segment.items()) or "overall"
