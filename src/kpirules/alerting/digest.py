"""Digests: one delivery per run for an action configured with ``digest = true``.

The outbox keeps one row per firing, as for any action, so the guarantee is
the same: the rows a run claims for a digest action are delivered in one call
and marked sent together, in one transaction; if the call fails they are all
marked failed and go into the next run's digest; a run killed between the
call and the record sends them again next time (at least once, never again
after the record).

The action's templates see ``{count}`` (how many firings) and ``{firings}``
(one line per firing). They are the ``subject`` and ``text`` of the
``[actions.NAME]`` table, or else a rule's ``subject``/``text`` argument that
names one of them, or else a default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from kpirules.alerting.outbox import segment_key
from kpirules.engine.templates import fill
from kpirules.errors import ConfigError
from kpirules.plugin_api import Digest, Firing
from kpirules.plugin_calls import action_type_label, delivery_failure

if TYPE_CHECKING:
    from kpirules.job import Job, RunReport
    from kpirules.state import Delivery, StateStore

DIGEST_KEYS = ("digest", "subject", "text")
DEFAULT_SUBJECT = "[kpirules] {count} alert(s)"
DEFAULT_TEXT = "{count} alert(s) in this run:\n{firings}"
EVENT_PREFIX = {"renotify": "still firing: ", "resolve": "resolved: "}


def split_settings(settings: Mapping[str, Any], where: str) -> tuple[dict[str, Any], dict[str, str] | None]:
    """An action's settings without the job's own digest keys, and its digest templates.

    Returns ``(plugin settings, None)`` when ``digest`` is absent or false.
    ``subject`` and ``text`` belong to the digest only when ``digest = true``.
    """
    digest = settings.get("digest", False)
    if not isinstance(digest, bool):
        raise ConfigError(f"{where}: digest must be true or false")
    if not digest:
        return {k: v for k, v in settings.items() if k != "digest"}, None
    templates: dict[str, str] = {}
    for key in ("subject", "text"):
        value = settings.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{where}: {key} must be a text (it may use {{count}} and {{firings}})")
        if value:
            templates[key] = value
    return {k: v for k, v in settings.items() if k not in DIGEST_KEYS}, templates


def _mentions_digest(value: Any) -> bool:
    return isinstance(value, str) and ("{count}" in value or "{firings}" in value)


def line_of(firing: Firing) -> str:
    """One firing as one line of a digest: its text, what happened, where and when."""
    text = firing.args.get("text")
    if not isinstance(text, str) or not text or _mentions_digest(text):
        text = _default_text(firing)
    return EVENT_PREFIX.get(firing.event, "") + " ".join(str(text).split())


def _default_text(firing: Firing) -> str:
    """The line a firing without its own ``text`` gets (see :attr:`Firing.text`)."""
    return attrs.evolve(firing, args={k: v for k, v in firing.args.items() if k != "text"}).text


def build(action: str, firings: Sequence[Firing], templates: Mapping[str, str],
          reports: Sequence[str] = ()) -> Digest:
    """The digest of ``firings`` for ``action``, its templates filled."""
    lines = tuple(line_of(f) for f in firings)
    values = {"count": str(len(firings)), "firings": "\n".join(f"- {line}" for line in lines)}

    def template(key: str, default: str) -> str:
        if key in templates:
            return templates[key]
        for firing in firings:
            if _mentions_digest(firing.args.get(key)):
                return str(firing.args[key])
        return default

    def filled(text: str) -> str:
        return fill(text, values.get)

    return Digest(action, tuple(firings), lines, filled(template("subject", DEFAULT_SUBJECT)),
                  filled(template("text", DEFAULT_TEXT)), tuple(reports))


def deliver_digests(state: StateStore, run_id: str, groups: Mapping[str, list[Delivery]],
                    send: Callable[[str, Digest], str | None],
                    templates: Mapping[str, Mapping[str, str]],
                    reports: Sequence[str] = (),
                    crashpoint: Callable[[str], None] = lambda _name: None) -> tuple[int, int]:
    """Deliver each digest group in one call; returns ``(sent, failed)`` row counts.

    ``send(action, digest)`` delivers and returns None, or the (redacted)
    error. ``crashpoint`` is the job's fault-injection point (tests only).
    """

    sent = failed = 0
    for action, deliveries in groups.items():
        digest = build(action, [d.firing for d in deliveries], templates.get(action, {}), reports)
        error = send(action, digest)
        ids = [d.id for d in deliveries]
        if error is None:
            crashpoint("digest_before_mark")
            state.mark_sent_many(run_id, ids)
            sent += len(ids)
        else:
            state.mark_failed_many(run_id, ids, error)
            failed += len(ids)
    return sent, failed


def deliver_run_digests(job: Job, state: StateStore, run_id: str, report: RunReport,
                        groups: dict[str, list[Delivery]]) -> None:
    """One call per digest action of ``job`` for every row it claimed in this run.

    Firings come in the order of the documents' actions (interfaces §4);
    retries of earlier runs, which no document of this run lists, come first.
    """
    if not groups:
        return

    order: dict[tuple[str, str, str, str], int] = {}
    for part in report.rulesets:
        for entry in (part.document or {}).get("actions", []):
            key = (part.name, entry["rule"], segment_key(entry.get("segment") or {}),
                   str(entry.get("event") or "fire"))
            order.setdefault(key, len(order))
    for deliveries in groups.values():
        deliveries.sort(key=lambda d: order.get((d.firing.ruleset, d.firing.rule,
                                                 segment_key(d.firing.segment), d.firing.event), -1))

    def send(action: str, digest: Digest) -> str | None:
        resolved = job.actions[action]
        job.faults.pause("deliver")
        try:
            resolved.plugin.deliver_digest(digest, resolved.settings)
        except Exception as exc:
            error = job.redact(delivery_failure(exc))
            kind = action_type_label(job.registry, resolved.plugin)
            job.say(f"error: digest of {digest.count} firing(s) → {action} failed "
                    f"({kind}; retried next run): {error}")
            return error
        return None

    templates = {name: job.actions[name].digest or {} for name in groups}
    sent, failed = deliver_digests(state, run_id, groups, send, templates,
                                   job.expected_reports(report), job.faults.crashpoint)
    report.sent += sent
    report.failed += failed
