"""Numbers written the French way (a ruleset's ``locale fr``): ``1 234,5``.

What CLDR's ``fr`` locale says for a decimal number, and all kpirules uses of
it: groups of three digits separated by a narrow no-break space (U+202F), a
decimal comma, a hyphen-minus before a negative number, halves rounded to
even (CLDR's rule) to the number of decimals asked for. A few lines here
instead of Babel and its 36 MB of locale data for every language;
``tests/engine/test_french_numbers.py`` holds the output identical to Babel's
``format_decimal(value, format="#,##0.00", locale="fr_FR")`` (and the ``.##``
patterns) on every kind of value.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal

#: between groups of thousands (CLDR ``fr``: a narrow no-break space)
GROUP_SEPARATOR = "\u202f"
DECIMAL_SIGN = ","


def french_decimal(value: float | Decimal, decimals: int, *, trim: bool = False) -> str:
    """``value`` with ``decimals`` decimals, the French way (CLDR ``#,##0.00`` pattern).

    ``trim`` drops the trailing zeros of the decimals (CLDR's ``#,##0.##``), and the
    comma with them when none is left. A negative value keeps its sign even where it
    rounds to zero (``-0``), as CLDR formatting does: the callers decide about it.
    """
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    sign = "-" if number.is_signed() else ""
    number = abs(number)
    if number.is_infinite():
        return sign + "∞"
    # precise enough for any number of digits (Babel raises past 28 significant digits)
    context = Context(prec=max(28, number.adjusted() + decimals + 2), rounding=ROUND_HALF_EVEN)
    rounded = number.quantize(Decimal(1).scaleb(-decimals), context=context)
    whole, _, fraction = f"{rounded:f}".partition(".")
    if trim:
        fraction = fraction.rstrip("0")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = GROUP_SEPARATOR.join(groups)
    return sign + (f"{text}{DECIMAL_SIGN}{fraction}" if fraction else text)
