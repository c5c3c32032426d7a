"""Periods and grains: pure calendar arithmetic, shared by the checker and the engine.

A period is an integer *index* at a grain, so that "n periods earlier" is a
subtraction and calendars are ranges:

=========  ==========================================  ==============
grain      index                                       label
=========  ==========================================  ==============
day        ``date.toordinal()``                        ``2026-03-31``
week       ``(monday.toordinal() - 1) // 7`` (ISO)     ``2026-W05``
month      ``year * 12 + month - 1``                   ``2026-03``
quarter    ``year * 4 + quarter - 1``                  ``2026-Q1``
year       ``year``                                    ``2026``
=========  ==========================================  ==============

An ISO week belongs to the month, quarter and year that hold its Thursday.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from kpirules.display import shown

GRAINS = ("day", "week", "month", "quarter", "year")
RANK = {g: i for i, g in enumerate(GRAINS)}

_LITERAL = re.compile(
    r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>\d+)|W(?P<week>\d+)|(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?))?$"
)


class PeriodError(ValueError):
    """A period literal that does not exist or does not fit the grain."""


_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")  # 202603, 20260317
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")  # 31/03/2026


def as_literal(value: object) -> str:
    """A period given on the command line or in a test file, written as the language writes it.

    Data files may write ``202603``, ``20260317`` or ``31/03/2026``; ``--period``
    and a test's ``period`` take the same forms, so that a period copied from
    the data works. Anything else is returned as text, for :func:`parse_literal`
    to accept or explain.
    """
    text = str(value).strip()
    compact = _COMPACT.match(text)
    if compact:
        return f"{compact[1]}-{compact[2]}" + (f"-{compact[3]}" if compact[3] else "")
    slashed = _SLASHED.match(text)
    if slashed:
        return f"{slashed[3]}-{int(slashed[2]):02d}-{int(slashed[1]):02d}"
    return text


def parse_literal(text: str) -> tuple[str, date, date]:
    """``"2026-03"`` → ``("month", 2026-03-01, 2026-03-31)``; raises PeriodError."""
    m = _LITERAL.match(text.strip())
    if not m:
        raise PeriodError(f"{shown(text)} is not a period (write 2026, 2026-Q3, 2026-03, 2026-W05 or 2026-03-31)")
    year = int(m["year"])
    try:
        if m["quarter"] is not None:
            q = int(m["quarter"])
            if not 1 <= q <= 4:
                raise PeriodError(f'"{text}": a quarter is Q1 to Q4')
            start = date(year, 3 * q - 2, 1)
            return "quarter", start, _month_end(year, 3 * q)
        if m["week"] is not None:
            w = int(m["week"])
            weeks = date(year, 12, 28).isocalendar()[1]
            if not 1 <= w <= weeks:
                raise PeriodError(f'"{text}": {year} has ISO weeks W01 to W{weeks:02d}')
            monday = date.fromisocalendar(year, w, 1)
            return "week", monday, monday + timedelta(days=6)
        if m["month"] is not None:
            month = int(m["month"])
            if not 1 <= month <= 12:
                raise PeriodError(f'"{text}": a month is 01 to 12')
            if m["day"] is not None:
                try:
                    d = date(year, month, int(m["day"]))
                except ValueError:
                    raise PeriodError(f'"{text}" is not a date of the calendar') from None
                return "day", d, d
            return "month", date(year, month, 1), _month_end(year, month)
        return "year", date(year, 1, 1), date(year, 12, 31)
    except ValueError as err:
        if isinstance(err, PeriodError):
            raise
        raise PeriodError(f'"{text}" is not a period: {err}') from None


def _month_end(year: int, month: int) -> date:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return nxt - timedelta(days=1)


def week_index(d: date) -> int:
    return (d.toordinal() - d.weekday() - 1) // 7


def index_of_date(d: date, grain: str) -> int:
    """The index of the period of ``grain`` holding ``d``."""
    if grain == "day":
        return d.toordinal()
    if grain == "week":
        return week_index(d)
    if grain == "month":
        return d.year * 12 + d.month - 1
    if grain == "quarter":
        return d.year * 4 + (d.month - 1) // 3
    return d.year


def start_date(index: int, grain: str) -> date:
    """The first day of a period."""
    if grain == "day":
        return date.fromordinal(index)
    if grain == "week":
        return date.fromordinal(index * 7 + 1)
    if grain == "month":
        return date(index // 12, index % 12 + 1, 1)
    if grain == "quarter":
        return date(index // 4, (index % 4) * 3 + 1, 1)
    return date(index, 1, 1)


def label(index: int, grain: str) -> str:
    """The canonical text of a period (``2026-03``, ``2026-W05``…)."""
    if grain == "day":
        return date.fromordinal(index).isoformat()
    if grain == "week":
        iso = date.fromordinal(index * 7 + 1).isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"
    if grain == "month":
        return f"{index // 12}-{index % 12 + 1:02d}"
    if grain == "quarter":
        return f"{index // 4}-Q{index % 4 + 1}"
    return str(index)


def year_of(index: int, grain: str) -> int:
    """The year a period belongs to (the ISO year for weeks)."""
    if grain == "week":
        return date.fromordinal(index * 7 + 1).isocalendar()[0]
    return start_date(index, grain).year


def coarse_index(index: int, from_grain: str, to_grain: str) -> int:
    """Map a period to the coarser grain holding it (a week by its Thursday)."""
    d = start_date(index, from_grain)
    if from_grain == "week":
        d += timedelta(days=3)
    return index_of_date(d, to_grain)


def first_index(text: str, grain: str) -> int:
    """After ``from``: the first period of ``grain`` inside the literal."""
    lit_grain, start, _ = _fitting(text, grain)
    if grain == "week" and lit_grain != "week":
        return week_index(start + timedelta(days=3))
    return index_of_date(start, grain)


def last_index(text: str, grain: str) -> int:
    """After ``to``/``by``: the last period of ``grain`` inside the literal."""
    lit_grain, _, end = _fitting(text, grain)
    if grain == "week" and lit_grain != "week":
        return week_index(end - timedelta(days=3))
    return index_of_date(end, grain)


def _fitting(text: str, grain: str) -> tuple[str, date, date]:
    lit_grain, start, end = parse_literal(text)
    if RANK[lit_grain] < RANK[grain] or (lit_grain == "week" and grain != "week" and grain != "day"):
        raise PeriodError(f'"{text}" is a {lit_grain}, finer than the ruleset\'s grain ({grain})')
    return lit_grain, start, end
