"""Mapping the period column of a table to period indices of the ruleset's grain.

Only the distinct values of the column are parsed (in Python, there are few of
them); the mapping is then applied to all rows by Polars.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import polars as pl

from kpirules.engine.iso_periods import map_iso_periods
from kpirules.lang import periods as P

_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?.*)?$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")  # 31/03/2026, the French way
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")  # 202603 and 20260317, as some exports write them


def parse_period_value(value: object, grain: str) -> tuple[int, float] | str:
    """(index at ``grain``, fine time key) for one period value, or an error message."""
    if isinstance(value, datetime):
        d = value.date()
        return P.index_of_date(d, grain), d.toordinal() + (value.hour * 3600 + value.minute * 60
                                                         + value.second) / 86400
    if isinstance(value, date):
        return P.index_of_date(value, grain), float(value.toordinal())
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            value = str(int(value))
        else:
            return f'"{value}" is not a period'
    text = str(value).strip()
    compact = _COMPACT.match(text)
    if compact:
        text = f"{compact[1]}-{compact[2]}" + (f"-{compact[3]}" if compact[3] else "")
    m = _DATETIME.match(text)
    if m:
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return f'"{text}" is not a date of the calendar'
        seconds = 0.0
        if m[4] is not None:
            seconds = int(m[4]) * 3600 + int(m[5]) * 60 + int(m[6] or 0)
        return P.index_of_date(d, grain), d.toordinal() + seconds / 86400
    m = _SLASHED.match(text)
    if m:
        try:
            d = date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            return f'"{text}" is not a date of the calendar'
        return P.index_of_date(d, grain), float(d.toordinal())
    try:
        lit_grain, start, _end = P.parse_literal(text)
    except P.PeriodError as err:
        return str(err)
    if P.RANK[lit_grain] > P.RANK[grain]:
        return (f'"{text}" is a {lit_grain}, coarser than the ruleset\'s grain ({grain}): '
                f"data cannot be split into {grain}s")
    if lit_grain == "week" and grain != "week":
        if grain == "day":
            return f'"{text}" is a week, coarser than the ruleset\'s grain (day)'
        week = P.week_index(start)
        return P.coarse_index(week, "week", grain), float(start.toordinal())
    return P.index_of_date(start, grain), float(start.toordinal())


def map_periods(column: pl.Series, grain: str) -> tuple[pl.Series, pl.Series, dict[object, str]]:
    """(period index, time key, errors by distinct value) for a period column."""
    fast = map_iso_periods(column, grain)  # dates and ISO text: on the whole column at once
    if fast is not None:
        return fast[0], fast[1], {}
    distinct = column.drop_nulls().unique().to_list()
    index: dict[object, int] = {}
    time: dict[object, float] = {}
    errors: dict[object, str] = {}
    for value in distinct:
        parsed = parse_period_value(value, grain)
        if isinstance(parsed, str):
            errors[value] = parsed
        else:
            index[value], time[value] = parsed
    idx = column.replace_strict(index, default=None, return_dtype=pl.Int64)
    key = column.replace_strict(time, default=None, return_dtype=pl.Float64)
    return idx, key, errors
