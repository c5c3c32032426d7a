"""Action text templates: ``{name}`` and ``{period}`` filled, nothing else interpreted.

No attribute access, no format specs, no expressions: ``{a.b}`` or ``{x:>10}``
are left as written. Values are written plainly (language §10), in the
ruleset's locale: ``1234.5``, ``12.5%``, ``10000 EUR`` in English;
``1 234,5``, ``12,5 %``, ``10 000 €`` in French, where the digits, the
decimal sign and the thousands groups follow CLDR (:mod:`.french_numbers`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from kpirules.engine.french_numbers import french_decimal
from kpirules.lang.units import is_currency

#: How a dimension is written in texts where the level rolls it up (language §10).
ROLLED_UP_LABEL = "all"

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


NBSP = "\u00a0"
#: Currencies written with their symbol in French texts; others keep the code.
_FRENCH_SYMBOLS = {"EUR": "€"}


def rounded(value: float, decimals: int = 2) -> Decimal:
    """``value`` rounded half away from zero (``0.125`` → ``0.13``), exactly.

    Through the shortest decimal that reads back as ``value`` (its ``repr``),
    so ``1.005`` rounds as the 1.005 people see, not as the binary float below it.
    """
    exact = Decimal(repr(float(value)))
    result = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return result if result else Decimal(0)  # never "-0"


def plain_number(value: float, locale: str = "en") -> str:
    """At most two decimals, no thousands separator in English: ``1234.5``.

    In French (``locale="fr"``): decimal comma and narrow no-break spaces
    between thousands, as CLDR says (``1 234,5``).
    """
    number = rounded(value)
    if locale == "fr":
        return french_decimal(number, 2, trim=True)
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def plain_value(value: object, unit: str | None, locale: str = "en") -> str:
    """One value as an action text writes it (language §10), in ``locale``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        french = locale == "fr"
        if unit == "percent":
            return plain_number(float(value) * 100, locale) + (f"{NBSP}%" if french else "%")
        text = plain_number(float(value), locale)
        if is_currency(unit):
            return f"{text}{NBSP}{_FRENCH_SYMBOLS.get(unit, unit)}" if french else f"{text} {unit}"
        return text
    return str(value)


def fill(template: str, lookup: Callable[[str], str | None]) -> str:
    """Replace ``{name}`` by ``lookup(name)``; unknown names stay as written."""

    def replace(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        found = lookup(m.group(1))
        return token if found is None else found

    return _PLACEHOLDER.sub(replace, template)
