"""Human formatting of KPI values, by unit, for every human-facing format.

One convention everywhere (table, markdown, HTML, chart axes), readable by
French- and English-speaking teams alike (the SI / ISO 80000 style):

* thousands are grouped with a no-break space (``1 234 567``), never with a
  comma or a dot, which mean opposite things in French and English;
* the decimal sign is a point (``12.5``), as in the rule language;
* a unit follows the number after a no-break space (``10 000 €``,
  ``45 s``), except ``%`` which is glued to it (``31%``, as the language
  reference writes percentages);
* a missing value (``null``, NaN) is an em dash ``—``.

With ``locale="fr"`` (a ruleset's ``locale fr``), numbers are written the
French way, as CLDR says (:mod:`kpirules.engine.french_numbers`): a decimal comma, narrow no-break spaces
between thousands, a no-break space before ``%`` (``1 234,5``, ``12,5 %``).
A ``points`` unit (also ``pp``, ``pts``) is a difference of two percentages,
a fraction like ``percent``, shown in points (``+0.5 pp``, ``0,5 pt``).

The no-break spaces keep a value on one line in HTML and in wrapped tables.
Machine formats (json, csv) never go through this module's human functions:
they keep raw numbers (see :func:`raw_number`).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, TypeGuard

from kpirules.engine.french_numbers import french_decimal
from kpirules.lang.units import is_currency

NBSP = "\u00a0"
#: Units of a difference of percentages, shown in points (``pp`` / ``pts``).
POINT_UNITS = frozenset({"points", "pp", "pts"})
NULL_TEXT = "—"

#: Symbols for the currencies marketing teams use most; other ISO codes are
#: written as the code itself (``1 200 CHF``).
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}

#: Units that describe a kind of number rather than a thing counted: no suffix.
_BARE_UNITS = {"", "count", "score", "ratio", "number"}


def is_number(value: Any) -> TypeGuard[int | float]:
    """True for a finite int or float (bools are not numbers in a report)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)



def group_thousands(
    value: float | Decimal, decimals: int, *, trim: bool = False, locale: str = "en"
) -> str:
    """``value`` with ``decimals`` decimals and no-break-space thousand groups.

    ``trim`` drops trailing zeros of the decimals (``12.50`` → ``12.5``,
    ``3.00`` → ``3``), for units where the zeros carry no meaning. In French
    the CLDR pattern of ``fr_FR`` writes the digits (``1 234,5``).
    """
    if locale == "fr":
        text = french_decimal(value, decimals, trim=trim)
        if text.lstrip("-").replace("\u202f", "").replace(",", "").strip("0") == "":
            text = text.lstrip("-")
        return text
    text = f"{value:,.{decimals}f}".replace(",", NBSP)
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").replace(NBSP, "").replace(".", "").strip("0") == "":
        text = text.lstrip("-")  # never print "-0"
    return text


def _adaptive_decimals(magnitude: float) -> int:
    """Fewer decimals for bigger numbers: 3 significant digits stay visible."""
    if magnitude >= 100:
        return 0
    if magnitude >= 10:
        return 1
    return 2


def _hundredfold(fraction: float) -> tuple[float | Decimal, int]:
    """A fraction times 100 and the decimals it deserves (3 significant digits)."""
    pct: float | Decimal = fraction * 100
    if not math.isfinite(pct):  # a huge fraction overflows once times 100
        pct = Decimal(repr(fraction)) * 100
    magnitude = abs(float(pct))
    return pct, 0 if magnitude >= 10 else (1 if magnitude >= 1 else 2)


def format_percent(fraction: float, locale: str = "en") -> str:
    """``0.31`` → ``31%``; ``0.025`` → ``2.5%``; ``-0.2`` → ``-20%`` (``-20 %`` in French)."""
    pct, decimals = _hundredfold(fraction)
    sign = f"{NBSP}%" if locale == "fr" else "%"
    return group_thousands(pct, decimals, trim=True, locale=locale) + sign


def format_points(difference: float, locale: str = "en") -> str:
    """A difference of percentages in points: ``0.0052`` → ``+0.52 pp`` / ``+0,52 pt``."""
    pct, decimals = _hundredfold(difference)
    text = group_thousands(pct, decimals, trim=True, locale=locale)
    if float(pct) > 0 and text.strip("0,.") != "":
        text = "+" + text
    if locale == "fr":
        return f"{text}{NBSP}{'pt' if abs(float(pct)) < 2 else 'pts'}"
    return f"{text}{NBSP}pp"


def format_currency(amount: float, code: str, locale: str = "en") -> str:
    """``10000`` EUR → ``10 000 €``; cents only below 100 (``12.50 €``)."""
    decimals = 2 if abs(amount) < 100 and amount != int(amount) else 0
    symbol = CURRENCY_SYMBOLS.get(code, code)
    return f"{group_thousands(amount, decimals, locale=locale)}{NBSP}{symbol}"


def format_seconds(seconds: float, locale: str = "en") -> str:
    """A duration in the largest readable units: ``45 s``, ``3 min 05 s``, ``2 h 05 min``."""
    sign = "-" if seconds < 0 else ""
    total = abs(seconds)
    if total < 60:
        decimals = 1 if total < 10 and total != int(total) else 0
        return f"{sign}{group_thousands(total, decimals, trim=True, locale=locale)}{NBSP}s"
    whole = round(total)
    if whole < 3600:
        minutes, secs = divmod(whole, 60)
        return f"{sign}{minutes}{NBSP}min{NBSP}{secs:02d}{NBSP}s"
    if whole < 86400:
        hours, rest = divmod(whole, 3600)
        return f"{sign}{hours}{NBSP}h{NBSP}{rest // 60:02d}{NBSP}min"
    days, rest = divmod(whole, 86400)
    day = "j" if locale == "fr" else "d"
    return f"{sign}{group_thousands(days, 0, locale=locale)}{NBSP}{day}{NBSP}{rest // 3600}{NBSP}h"


def format_value(value: Any, unit: str | None = None, locale: str = "en") -> str:
    """Format one value for people, according to its unit.

    ``percent`` values are fractions; ``ratio`` keeps two decimals
    (``1.25``); ``count`` is whole when the value is (``12 345``) and keeps
    one decimal otherwise (averaged counts); ``seconds`` reads as a duration;
    a currency code shows its symbol after the amount; ``score``, no unit and
    unknown units show up to three significant digits, unknown units followed
    by their name (``12.5 days``). Strings are shown as they are.
    """
    if value is None:
        return NULL_TEXT
    if isinstance(value, bool):
        if locale == "fr":
            return "oui" if value else "non"
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if not isinstance(value, int | float):
        return str(value)
    if not math.isfinite(value):
        return NULL_TEXT
    unit = unit or ""
    if unit == "percent":
        return format_percent(value, locale)
    if unit in POINT_UNITS:
        return format_points(value, locale)
    if unit == "ratio":
        return group_thousands(value, 2, locale=locale)
    if unit == "seconds":
        return format_seconds(value, locale)
    if is_currency(unit):
        return format_currency(value, unit, locale)
    if unit == "count":
        return group_thousands(value, 0 if value == int(value) else 1, trim=True, locale=locale)
    if value == int(value) and abs(value) < 1e15:
        text = group_thousands(value, 0, locale=locale)
    else:
        text = group_thousands(value, _adaptive_decimals(abs(value)), trim=True, locale=locale)
    return text if unit in _BARE_UNITS else f"{text}{NBSP}{unit}"


def raw_number(value: Any, decimal: str = ".") -> str:
    """A number for machines: no grouping, no exponent, shortest exact digits.

    ``None``, NaN and infinities give an empty string (an empty CSV cell is
    what spreadsheets and Polars read as missing). ``decimal`` is the decimal
    sign (``,`` for French spreadsheets). Integral floats lose their ``.0``.
    """
    if value is None or isinstance(value, bool):
        return "" if value is None else ("true" if value else "false")
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, float):
        return str(value)
    if not math.isfinite(value):
        return ""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    return text.replace(".", decimal)
