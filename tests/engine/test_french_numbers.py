"""French numbers without Babel: the same text as Babel's CLDR formatting, on every kind of value.

kpirules wrote French numbers through Babel (``format_decimal`` with the ``fr_FR``
locale); it now writes them itself (:mod:`kpirules.engine.french_numbers`), so that
an install does not carry 36 MB of locale data. Babel stays a test dependency for
this comparison only.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import example, given
from hypothesis import strategies as st

from kpirules.engine.french_numbers import french_decimal
from kpirules.engine.templates import plain_number, rounded
from kpirules.report.values import format_currency, format_percent, format_points, group_thousands


def babel_text(value: float | Decimal, decimals: int, trim: bool) -> str:
    """What kpirules printed through Babel (report/values.py and engine/templates.py before)."""
    fraction = ("#" if trim else "0") * decimals
    pattern = "#,##0" + (f".{fraction}" if decimals else "")
    return format_decimal(value, format=pattern, locale="fr_FR").replace("\u2212", "-")


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e20, max_value=1e20)


@given(value=finite, decimals=st.integers(0, 3), trim=st.booleans())
@example(value=0.125, decimals=2, trim=True)  # halves go to the even digit, as in CLDR
@example(value=2.5, decimals=0, trim=False)
@example(value=-0.0, decimals=0, trim=False)
@example(value=-0.001, decimals=2, trim=True)
@example(value=1234567.891, decimals=1, trim=False)
@example(value=1e-7, decimals=2, trim=True)
@example(value=999.9999, decimals=2, trim=False)
def test_the_same_text_as_babel_for_floats(value: float, decimals: int, trim: bool) -> None:
    assert french_decimal(value, decimals, trim=trim) == babel_text(value, decimals, trim)


@given(value=st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**18, max_value=10**18,
                         places=4), decimals=st.integers(0, 3), trim=st.booleans())
def test_the_same_text_as_babel_for_decimals(value: Decimal, decimals: int, trim: bool) -> None:
    assert french_decimal(value, decimals, trim=trim) == babel_text(value, decimals, trim)


@given(value=finite)
def test_action_texts_and_reports_write_what_babel_wrote(value: float) -> None:
    """The two places French numbers are written, through the old Babel calls."""
    assert plain_number(value, "fr") == format_decimal(rounded(value), format="#,##0.##",
                                                       locale="fr_FR").replace("\u2212", "-")
    old = babel_text(value, 2, False)
    if old.lstrip("-").replace("\u202f", "").replace(",", "").strip("0") == "":
        old = old.lstrip("-")
    assert group_thousands(value, 2, locale="fr") == old


@pytest.mark.parametrize(("text", "expected"), [
    (group_thousands(1234.5, 1, locale="fr"), "1\u202f234,5"),
    (format_percent(0.02571, "fr"), "2,6\u00a0%"),
    (format_points(-0.0052, "fr"), "-0,52\u00a0pt"),
    (format_currency(10000, "EUR", "fr"), "10\u202f000\u00a0€"),
    (plain_number(-1234567.125, "fr"), "-1\u202f234\u202f567,13"),
])
def test_examples_a_french_reader_sees(text: str, expected: str) -> None:
    assert text == expected


def test_numbers_too_long_for_babel_are_written_whole() -> None:
    """Babel raised past 28 significant digits (a huge percentage, times 100)."""
    assert french_decimal(Decimal("1E+30"), 2) == "1" + "\u202f000" * 10 + ",00"
    assert format_percent(1e308, "fr").startswith("10\u202f000")
