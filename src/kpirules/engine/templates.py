"""Action text templates: ``{name}`` and ``{period}`` filled, nothing else interpreted.

No attribute access, no format specs, no expressions: ``{a.b}`` or ``{x:>10}``
are left as written. Values are written plainly (language §10).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

#: How a dimension is written in texts where the level rolls it up (language §10).
ROLLED_UP_LABEL = "all"
#: How an empty dimension value is written: a segment of its own, never "all",
#: which would make an alert about one segment read as about every one.
EMPTY_VALUE_LABEL = "(empty)"

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def plain_number(value: float) -> str:
    """At most two decimals, no thousands separator: ``1234.5``."""
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def plain_value(value: object, unit: str | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if unit == "percent":
            return plain_number(float(value) * 100) + "%"
        text = plain_number(float(value))
        return f"{text} {unit}" if unit and _CURRENCY.match(unit) else text
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
