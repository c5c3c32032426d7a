"""Answers in words an analyst reads: the text of ``why``, ``whatif`` and ``suggest``.

Numbers follow the ruleset's ``locale`` (language §2): in French a decimal
comma, a narrow no-break space between thousands and a no-break space before
``%`` (``1 240 €``, ``12,5 %``); in English the reports' style
(:mod:`kpirules.report.values`). A change of a percent KPI is written in
points (``-5 pts``): "conversion fell by 5%" would be ambiguous.
"""

from __future__ import annotations

import re
from typing import Any

from kpirules.engine.segment import Segment
from kpirules.report.values import NULL_TEXT, format_value, group_thousands

NBSP, NNBSP = "\u00a0", "\u202f"

WORDS = {
    "en": {
        "why": "Why did {kpi} change?", "overall": "overall", "by_input": "by input",
        "by_segment": "by {dims}", "from": "from", "to": "to", "contribution": "contribution",
        "in_short": "In short", "others": "others ({n} segments)", "points": "pts",
        "scenario": "Scenario", "where": "where", "at": "at", "every_period": "in every period",
        "changes": "{n} change(s)", "no_change": "nothing changes", "status": "status",
        "decision": "decision", "rule": "rule", "objective": "objective", "fires": "fires",
        "quiet": "does not fire", "objectives": "objectives",
    },
    "fr": {
        "why": "Pourquoi {kpi} a-t-il changé ?", "overall": "ensemble", "by_input": "par donnée",
        "by_segment": "par {dims}", "from": "avant", "to": "après", "contribution": "contribution",
        "in_short": "En bref", "others": "autres ({n} segments)", "points": "pts",
        "scenario": "Scénario", "where": "où", "at": "en", "every_period": "sur toutes les périodes",
        "changes": "{n} changement(s)", "no_change": "rien ne change", "status": "statut",
        "decision": "décision", "rule": "règle", "objective": "objectif", "fires": "se déclenche",
        "quiet": "ne se déclenche pas", "objectives": "objectifs",
    },
}


def locale_of(ruleset: Any) -> str:
    """The ruleset's locale (``en`` when it has none, or an unknown one)."""
    locale = getattr(ruleset, "locale", None) or "en"
    return locale if locale in WORDS else "en"


def words(locale: str) -> dict[str, str]:
    return WORDS.get(locale, WORDS["en"])


def localise(text: str, locale: str) -> str:
    """An English-style formatted number rewritten the French way (``fr``), else unchanged."""
    if locale != "fr":
        return text
    text = re.sub(r"(?<=\d)\u00a0(?=\d)", NNBSP, text)
    text = re.sub(r"(?<=\d)\.(?=\d)", ",", text)
    return re.sub(r"(?<=\d)%", NBSP + "%", text)


def amount(value: Any, unit: str | None, locale: str) -> str:
    """One value for people: its unit, the locale's number style."""
    return localise(format_value(value, unit), locale)


def signed(delta: float | None, unit: str | None, locale: str) -> str:
    """A change, always with its sign: ``+1 240 €``, ``-5 pts`` (percent KPIs move in points)."""
    if delta is None:
        return NULL_TEXT
    if unit == "percent":
        points = delta * 100
        magnitude = abs(points)
        decimals = 0 if magnitude >= 100 else (1 if magnitude >= 10 else 2)
        text = group_thousands(points, decimals, trim=True) + NBSP + words(locale)["points"]
        text = localise(text, locale)
    else:
        text = amount(delta, unit, locale)
    if text.startswith("-") or not re.search(r"[1-9]", text):
        return text  # negative, or so small it shows as zero: no sign to add
    return "+" + text


def segment_text(segment: dict[str, Any], locale: str, dims: int = 0) -> str:
    """``a`` for one dimension, ``paid / FR`` for several, the locale's word for overall."""
    if "others" in segment and len(segment) == 1:
        return words(locale)["others"].format(n=segment["others"])
    if not segment:
        return words(locale)["overall"]
    return Segment.of(segment).label() if dims else Segment.of(segment).assignments(", ")


def table(rows: list[list[str]], right: set[int]) -> list[str]:
    """Rows as aligned columns (columns in ``right`` aligned to the right), two spaces apart."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(r)]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def why_text(doc: dict[str, Any], locale: str) -> str:
    """The table output of ``kpirules why`` (from its JSON document)."""
    w = words(locale)
    unit = doc.get("unit")
    kpi = doc["kpi"]
    title = kpi + (f" ({doc['label']})" if doc.get("label") else "")
    where = segment_text(doc["segment"], locale)
    lines = [f"{w['why'].format(kpi=title)} {where}, {doc['from']} → {doc['period']}",
             f"  {kpi}: {amount(doc['from_value'], unit, locale)} → {amount(doc['value'], unit, locale)}"
             f" ({signed(doc['change'], unit, locale)})", ""]
    units = doc.get("input_units", {})
    rows = [[w["by_input"], w["from"], w["to"], w["contribution"]]]
    for share in doc["by_input"]:
        u = units.get(share["name"])
        rows.append([share["name"], amount(share["from"], u, locale), amount(share["to"], u, locale),
                     signed(share["contribution"], unit, locale)])
    lines += table(rows, {1, 2, 3})
    dims = doc.get("dimensions") or []
    if doc["by_segment"]:
        lines.append("")
        rows = [[w["by_segment"].format(dims=", ".join(dims)), w["contribution"]]]
        rows += [[segment_text(s["segment"], locale, len(dims)), signed(s["contribution"], unit, locale)]
                 for s in doc["by_segment"]]
        lines += table(rows, {1})
    lines += ["", short_answer(doc, locale)]
    return "\n".join(lines)


def short_answer(doc: dict[str, Any], locale: str) -> str:
    """One sentence: ``CAC +1 240 €: spend +1 900 €, customers -660 €; by channel: …``."""
    w = words(locale)
    unit = doc.get("unit")
    colon = " : " if locale == "fr" else ": "
    semicolon = " ; " if locale == "fr" else "; "
    inputs = ", ".join(f"{s['name']} {signed(s['contribution'], unit, locale)}" for s in doc["by_input"])
    text = f"{w['in_short']}{colon}{doc['kpi']} {signed(doc['change'], unit, locale)}{colon}{inputs}"
    dims = doc.get("dimensions") or []
    if doc["by_segment"]:
        segments = ", ".join(f"{segment_text(s['segment'], locale, len(dims))} "
                             f"{signed(s['contribution'], unit, locale)}" for s in doc["by_segment"])
        text += f"{semicolon}{w['by_segment'].format(dims=', '.join(dims))}{colon}{segments}"
    return text + "."


def whatif_text(doc: dict[str, Any], units: dict[str, str | None], locale: str) -> str:
    """The table output of ``kpirules whatif`` (from its JSON document)."""
    w = words(locale)
    edits = ", ".join(e["text"] for e in doc["edits"])
    where = Segment.of(doc["where"]).assignments(" ", overall="")
    scope = w["every_period"] if doc.get("all_periods") else f"{w['at']} {doc['as_of']}"
    head = f"{w['scenario']}: {edits}" + (f" ({w['where']} {where})" if where else "") + f" {scope}"
    changes = doc["changes"]
    if not changes:
        return f"{head}\n  {w['no_change']}"
    lines = [head, "  " + w["changes"].format(n=len(changes))]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for change in changes:
        key = (change["period"], segment_text(change["segment"], locale))
        groups.setdefault(key, []).append(change)
    for (period, segment), items in groups.items():
        lines += ["", f"  {period}  {segment}"]
        rows = []
        for c in items:
            name = c["name"] if c["kind"] == "value" else f"{c['name']} ({w[c['kind']]})"
            rows.append([name, _shown(c, units, locale, w), "→", _shown(c, units, locale, w, after=True)])
        lines += ["  " + line for line in table(rows, {1})]
    return "\n".join(lines)


def _shown(change: dict[str, Any], units: dict[str, str | None], locale: str, w: dict[str, str],
           after: bool = False) -> str:
    value = change["after" if after else "before"]
    if change["kind"] == "value":
        return amount(value, units.get(change["name"]), locale)
    if change["kind"] == "rule":
        return w["fires"] if value else w["quiet"]
    return NULL_TEXT if value is None else str(value)


FORECAST = {
    "en": ("at this pace: {projected} by {deadline}, goal {goal} — {verdict}", "would be met", "would be missed"),
    "fr": ("à ce rythme : {projected} en {deadline}, objectif {goal} — {verdict}", "serait atteint",
           "serait manqué"),
}


def forecast_text(objective: dict[str, Any], unit: str | None, locale: str = "en") -> str | None:
    """An objective's forecast in words, for reports; ``None`` when it has none.

    ``objective`` is one entry of the JSON document's ``objectives``
    (``projected``, ``projected_status``, ``goal``, ``deadline``).
    """
    if objective.get("projected") is None or objective.get("goal") is None:
        return None
    template, met, missed = FORECAST.get(locale, FORECAST["en"])
    return template.format(projected=amount(objective["projected"], unit, locale),
                           deadline=objective.get("deadline"), goal=amount(objective["goal"], unit, locale),
                           verdict=met if objective.get("projected_status") == "achieved" else missed)
