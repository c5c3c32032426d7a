"""What ``kpirules alerts`` shows: the open alerts and the silences of a state store."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kpirules.alerting import silences
from kpirules.engine.segment import Segment


def listing(db: sqlite3.Connection) -> dict[str, Any]:
    """``{"firing": [...], "silences": [...]}`` (the JSON of ``kpirules alerts``).

    Each firing: ruleset, rule, segment, ``since`` (first period of the
    streak), ``period`` (the last as-of period run), ``last_delivery`` (the
    latest outbox row of the alert: event, action, status, sent_at, or null)
    and ``silenced_until`` (the latest end of a silence covering it, or null).
    A silence is ``active`` while its ruleset's last as-of period is not after
    its ``until``.
    """
    as_of = {r["ruleset"]: r["as_of"] for r in db.execute("SELECT * FROM ruleset_state")}
    every = silences.every(db)
    firing = []
    for row in db.execute("SELECT * FROM rule_state WHERE status = 'firing' "
                          "ORDER BY ruleset, rule, segment"):
        segment = json.loads(row["segment"])
        last = db.execute(
            "SELECT event, action, status, sent_at, event_period FROM deliveries "
            "WHERE ruleset = ? AND rule = ? AND segment = ? ORDER BY id DESC LIMIT 1",
            (row["ruleset"], row["rule"], row["segment"])).fetchone()
        period = as_of.get(row["ruleset"], row["period"])
        until = silences.silenced_until([s for s in every if s.until >= period],
                                        row["ruleset"], row["rule"], segment)
        firing.append({
            "ruleset": row["ruleset"], "rule": row["rule"], "segment": segment,
            "since": row["since"], "period": row["period"],
            "last_delivery": dict(last) if last is not None else None,
            "silenced_until": until,
        })
    listed = []
    for silence in every:
        current = as_of.get(silence.ruleset or "")
        listed.append({**silence.to_dict(),
                       "active": current is None or silence.until >= current})
    return {"firing": firing, "silences": listed}


def table_lines(doc: dict[str, Any]) -> list[str]:
    """The listing as plain text: one line per alert, then one per silence."""
    lines = []
    if not doc["firing"]:
        lines.append("nothing fires")
    for item in doc["firing"]:
        where = Segment.of(item["segment"]).assignments(", ")
        last = item["last_delivery"]
        delivery = ("no delivery" if last is None else
                    f"last {last['event']} via {last['action']}: {last['status']}"
                    + (f" at {last['sent_at']}" if last["sent_at"] else ""))
        silenced = f"; silenced until {item['silenced_until']}" if item["silenced_until"] else ""
        lines.append(f"{item['ruleset']}/{item['rule']} ({where}): firing since {item['since']} "
                     f"(as of {item['period']}); {delivery}{silenced}")
    if doc["silences"]:
        lines.append("")
        lines.append("silences:")
    for s in doc["silences"]:
        where = Segment.of(s["segment"]).assignments(", ", "every segment")
        state = "active" if s["active"] else "expired"
        reason = f": {s['reason']}" if s["reason"] else ""
        lines.append(f"  #{s['id']} {s['ruleset'] or '*'}/{s['rule']} ({where}) until {s['until']} "
                     f"[{state}]{reason}")
    return lines
