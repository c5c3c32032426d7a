"""The written forms of dates and periods a data column may use (interfaces §1).

Each form is one regular expression with named groups, matched by Polars on
the whole column at once: ``y`` (year), ``m`` (month), ``d`` (day), ``a``/``b``
(the two first numbers of a date whose day-or-month order the column decides),
``q`` (quarter), ``w`` (ISO week), ``name`` (a month name) and the time of day
(``H``, ``M``, ``S``, ``ampm``). The order of :data:`FORMS` is the order in which
a value is tried; a value takes the first form that matches it.

A column of a few distinct values (a small file's months) is matched by
Python's ``re`` instead: Polars would compile every form's expression for a
handful of values (about 10 ms of a 100-row ``eval``, against well under one).
Both give the same frame: the values must all be ASCII, where the two regular
expression engines agree (digits, spaces and word characters read as ASCII, the
end of a pattern as the very end); anything else goes to Polars.
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl
from attrs import frozen

# a time after a date: 08:26, 8:26:00, 08:26:00.123, 8:26 PM, 08:26:00+02:00, 08:26Z
_TIME = (r"(?:(?:T|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
         r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?")


@frozen
class Form:
    """One written form: its name (for messages), the grain of what it names, its pattern."""

    name: str
    grain: str  # "day" (a date, maybe with a time), "week", "month", "quarter", "year"
    pattern: str
    example: str


FORMS: tuple[Form, ...] = (
    Form("iso-date", "day", rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}$", "2026-03-17"),
    Form("compact-date", "day", r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$", "20260317"),
    Form("numeric-date", "day", rf"^(?P<a>\d{{1,2}})[-/.](?P<b>\d{{1,2}})[-/.](?P<y>\d{{4}}|\d{{2}}){_TIME}$",
         "17/03/2026"),
    Form("iso-month", "month", r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$", "2026-03"),
    Form("compact-month", "month", r"^(?P<y>\d{4})(?P<m>\d{2})$", "202603"),
    Form("month-year", "month", r"^(?P<m>\d{1,2})[-/.](?P<y>\d{4})$", "03/2026"),
    Form("month-name", "month", r"^(?P<name>[^\W\d_]+)\.?[\s-]*(?P<y>\d{4})$", "mars 2026"),
    Form("iso-quarter", "quarter", r"^(?P<y>\d{4})\s*-?\s*[QqTt](?P<q>\d)$", "2026-Q1"),
    Form("quarter-year", "quarter", r"^[QqTt](?P<q>\d)[\s-]*(?P<y>\d{4})$", "Q1 2026"),
    Form("iso-week", "week", r"^(?P<y>\d{4})-?[Ww](?P<w>\d{1,2})$", "2026-W05"),
    Form("year", "year", r"^(?P<y>\d{4})$", "2026"),
)

GROUPS = ("y", "m", "d", "a", "b", "q", "w", "name", "H", "M", "S", "ampm")

MONTH_NAMES: dict[str, int] = {
    # English, full and abbreviated
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
    # French (compared without accents), full and abbreviated
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "aou": 8, "septembre": 9,
    "octobre": 10, "novembre": 11, "decembre": 12,
}

_ACCENTED = ["é", "è", "ê", "ë", "û", "ù", "ü", "ô", "à", "â", "î", "ï", "ç"]
_PLAIN = ["e", "e", "e", "e", "u", "u", "u", "o", "a", "a", "i", "i", "c"]


def month_number(name: pl.Expr) -> pl.Expr:
    """A month name (English or French, full or abbreviated, any case, accents or not) → 1..12, else null."""
    key = name.str.to_lowercase().str.replace_many(_ACCENTED, _PLAIN)
    return key.replace_strict(MONTH_NAMES, default=None, return_dtype=pl.Int32)


# Up to this many distinct values, and all ASCII, a column is matched in Python.
SMALL = 64


def match_forms(text: pl.Series) -> pl.DataFrame:
    """Each value's form (index into :data:`FORMS`, null when none) and its named parts as text.

    One regular-expression pass per form over the values; the parts of the
    first matching form are kept.
    """
    if text.len() <= SMALL:
        values = text.to_list()
        if all(value is None or (isinstance(value, str) and value.isascii()) for value in values):
            return match_forms_in_python(values)
    return _match_forms_in_polars(text)


def match_forms_in_python(values: list[str | None]) -> pl.DataFrame:
    """:func:`match_forms` of a few ASCII values, one value at a time with Python's ``re``."""
    forms: list[int | None] = []
    parts: dict[str, list[str | None]] = {g: [] for g in GROUPS}
    for value in values:
        found = None
        if value is not None:
            for number in range(len(FORMS)):
                found = _python_pattern(number).match(value)
                if found is not None:
                    forms.append(number)
                    break
        if found is None:
            forms.append(None)
            for column in parts.values():
                column.append(None)
            continue
        named = found.groupdict()
        for group, column in parts.items():
            column.append(named.get(group))
    return pl.DataFrame({"form": pl.Series(forms, dtype=pl.Int32),
                         **{g: pl.Series(column, dtype=pl.String) for g, column in parts.items()}})


@lru_cache(maxsize=len(FORMS))
def _python_pattern(number: int) -> re.Pattern[str]:
    """A form's pattern for Python, reading as Polars does on ASCII text (``$``: the very end only)."""
    pattern = FORMS[number].pattern
    return re.compile(pattern.removesuffix("$") + r"\Z", re.ASCII)


def _match_forms_in_polars(text: pl.Series) -> pl.DataFrame:
    """:func:`match_forms` on the whole column at once, by Polars."""
    frame = pl.DataFrame({"text": text})
    form = pl.lit(None, pl.Int32)
    parts: dict[str, pl.Expr] = {g: pl.lit(None, pl.String) for g in GROUPS}
    for number in reversed(range(len(FORMS))):  # the first form wins: it is applied last
        pattern = FORMS[number].pattern
        matches = pl.col("text").str.contains(pattern)
        form = pl.when(matches).then(pl.lit(number, pl.Int32)).otherwise(form)
        groups = [g for g in GROUPS if f"(?P<{g}>" in pattern]
        for group in groups:
            parts[group] = pl.when(matches).then(
                pl.col("text").str.extract(pattern, _group_index(pattern, group))).otherwise(parts[group])
    return frame.select(form.alias("form"), *[expr.alias(g) for g, expr in parts.items()])


def _group_index(pattern: str, group: str) -> int:
    """The number of a named group, counting capture groups from the left (for ``str.extract``)."""
    return int(re.compile(pattern).groupindex[group])
