"""Proposals of ``kpirules suggest`` as rule text ready to paste, with the figures behind them."""

from __future__ import annotations

import re
from typing import Any

from kpirules.engine.segment import Segment
from kpirules.engine.suggest import BAD_HIGH, BAD_LOW, Suggestion
from kpirules.lang.model import Ruleset

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def number(value: float, unit: str | None) -> str:
    """A number as the rule language writes it: ``21.3%`` for a percent KPI, ``1250`` otherwise."""
    if unit == "percent":
        return f"{round(value * 100, 10):g}%"
    text = f"{value:.12g}"
    return text if "e" not in text else f"{value:f}".rstrip("0").rstrip(".")


def name(text: str) -> str:
    return text if _IDENTIFIER.match(text) else f"`{text}`"


def string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def suggestions_text(suggestions: list[Suggestion], ruleset: Ruleset) -> str:
    """Every proposal: comments with the figures, then thresholds and objectives to paste."""
    out: list[str] = []
    used_dims = {d for s in suggestions for b in s.bands for d in b.segment}
    undeclared = sorted(d for d in used_dims if d not in ruleset.dimensions)
    if undeclared:
        out.append("# the thresholds below name these dimensions, so the rule file must declare them:")
        out += [f"dimension {name(d)}" for d in undeclared]
        out.append("")
    taken = set(ruleset.objectives) | set(ruleset.kpis) | set(ruleset.metrics) | set(ruleset.rules)
    for s in suggestions:
        out += _one(s, taken)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _one(s: Suggestion, taken: set[str]) -> list[str]:
    unit = s.unit
    bad = "below" if s.op == "<" else "above"
    warn_q, crit_q = (BAD_HIGH if s.op == ">" else BAD_LOW)
    lines = [f"# {s.kpi}: {s.periods[0]} → {s.periods[1]}, better {s.better or 'not given'}"]
    if s.note:
        lines.append(f"#   note: {s.note}")
    if s.guard_text is not None and s.guard_value is not None:
        lines.append(f"#   volume guard: {s.guard_text} >= {number(s.guard_value, None)} "
                     "(10th percentile of the denominator per segment and period, rounded down)")
    for band in s.bands:
        who = Segment.of(band.segment).assignments(", ", "every other row")
        lines.append(f"#   {who}: {band.values} values, median {number(band.median, unit)}; "
                     f"warning {bad} {number(band.warning, unit)} ({_nth(warn_q)} percentile), "
                     f"critical {bad} {number(band.critical, unit)} ({_nth(crit_q)})")
    for band in s.bands:
        if any(v is None for v in band.segment.values()):
            continue  # an empty dimension value cannot be named in a condition: the last band covers it
        conditions = [f"{name(k)} == {string(str(v))}" for k, v in band.segment.items()]
        if s.guard_text is not None and s.guard_value is not None:
            conditions.append(f"{s.guard_text} >= {number(s.guard_value, None)}")
        where = f" where {' and '.join(conditions)}" if conditions else ""
        lines += [f"threshold {name(s.kpi)}{where}",
                  f"  critical {s.op} {number(band.critical, unit)}",
                  f"  warning  {s.op} {number(band.warning, unit)}"]
    if s.pace is not None:
        pace = s.pace
        objective = f"{s.kpi}_pace" if _IDENTIFIER.match(s.kpi) else "pace"
        base, n = objective, 2
        while objective in taken:
            objective, n = f"{base}_{n}", n + 1
        taken.add(objective)
        lines += [f"#   best sustained pace: {pace.rate * 100:+.2f}% a period from {pace.start} to {pace.end}; "
                  f"kept until {pace.deadline}: {number(pace.amount, 'percent')} "
                  f"{'more' if pace.kind == 'increase' else 'less'}",
                  f"objective {objective} {string(f'{s.kpi} at its best sustained pace')}",
                  f"  {name(s.kpi)} {pace.kind} {number(pace.amount, 'percent')} "
                  f"from {s.periods[1]} to {pace.deadline}"]
    return lines


def _nth(q: float) -> str:
    return f"{round(q * 100)}th"


def suggestions_doc(suggestions: list[Suggestion], text: str) -> dict[str, Any]:
    return {"suggestions": [s.to_dict() for s in suggestions], "text": text}
