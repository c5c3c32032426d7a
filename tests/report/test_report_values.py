"""Human and machine formatting of values (kpirules.report.values)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpirules.report.values import NBSP, format_value, raw_number


def human(text: str) -> str:
    """Spell no-break spaces as plain spaces, to keep expectations readable."""
    return text.replace(NBSP, " ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.31, "31%"),
        (0.025, "2.5%"),
        (0.0012, "0.12%"),
        (-0.2, "-20%"),
        (0, "0%"),
        (12.5, "1 250%"),
        (0.10, "10%"),
    ],
)
def test_percent_values_are_fractions_shown_times_100(value: float, expected: str) -> None:
    assert human(format_value(value, "percent")) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (10000, "EUR", "10 000 €"),
        (3570.08, "EUR", "3 570 €"),
        (12.5, "EUR", "12.50 €"),
        (12.0, "EUR", "12 €"),
        (1200, "CHF", "1 200 CHF"),
        (-1500.4, "USD", "-1 500 $"),
        (1234567, "GBP", "1 234 567 £"),
    ],
)
def test_currency_amounts_carry_their_symbol_after_the_number(
    value: float, unit: str, expected: str
) -> None:
    assert human(format_value(value, unit)) == expected


def test_thousands_are_grouped_with_no_break_spaces() -> None:
    # A no-break space keeps "10 000 €" on one line in HTML and wrapped text.
    assert format_value(10000, "EUR") == f"10{NBSP}000{NBSP}€"
    assert "," not in format_value(1234567, "count")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12345, "12 345"), (1234.0, "1 234"), (12.5, "12.5"), (0, "0"), (-0.01, "0")],
)
def test_counts_are_whole_unless_averaged(value: float, expected: str) -> None:
    assert human(format_value(value, "count")) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45, "45 s"),
        (2.5, "2.5 s"),
        (185, "3 min 05 s"),
        (7500, "2 h 05 min"),
        (90000, "1 d 1 h"),
        (-185, "-3 min 05 s"),
    ],
)
def test_seconds_read_as_durations(value: float, expected: str) -> None:
    assert human(format_value(value, "seconds")) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(1.25, "1.25"), (2, "2.00"), (1234.5, "1 234.50"), (0.3, "0.30")]
)
def test_ratios_keep_two_decimals(value: float, expected: str) -> None:
    assert human(format_value(value, "ratio")) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (42.36, "score", "42.4"),
        (42, "score", "42"),
        (3.14159, None, "3.14"),
        (1234.56, None, "1 235"),
        (12.5, "days", "12.5 days"),
        ("paid", None, "paid"),
        (True, None, "true"),
    ],
)
def test_other_units_show_three_significant_digits(
    value: object, unit: str | None, expected: str
) -> None:
    assert human(format_value(value, unit)) == expected


@pytest.mark.parametrize("value", [None, math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("unit", ["percent", "EUR", "count", "seconds", "ratio", None])
def test_missing_values_are_an_em_dash(value: float | None, unit: str | None) -> None:
    assert format_value(value, unit) == "—"


@pytest.mark.parametrize(
    ("value", "decimal", "expected"),
    [
        (0.1, ".", "0.1"),
        (1e-7, ".", "0.0000001"),
        (3.0, ".", "3"),
        (2.5, ",", "2,5"),
        (-1234.5, ",", "-1234,5"),
        (12, ".", "12"),
        (1e20, ".", "100000000000000000000"),
        (None, ".", ""),
        (math.nan, ".", ""),
        (math.inf, ",", ""),
    ],
)
def test_raw_numbers_have_no_grouping_and_no_exponent(
    value: float | None, decimal: str, expected: str
) -> None:
    assert raw_number(value, decimal) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_raw_numbers_round_trip_exactly(value: float) -> None:
    text = raw_number(value)
    assert "e" not in text.lower()
    assert float(text) == value
    assert float(raw_number(value, ",").replace(",", ".")) == value


UNITS = st.sampled_from(
    ["percent", "EUR", "USD", "count", "seconds", "ratio", "score", "days", None]
)


@given(st.one_of(st.none(), st.floats(), st.integers(min_value=-(10**18), max_value=10**18)), UNITS)
def test_format_value_never_fails_and_never_shows_nan_or_exponents(
    value: float | None, unit: str | None
) -> None:
    text = format_value(value, unit)
    assert text
    assert "nan" not in text.lower() and "inf" not in text.lower()
    assert "e+" not in text and "e-" not in text
    assert text != "-0"


def test_a_huge_percent_does_not_overflow_to_infinity() -> None:
    text = human(format_value(1.7e308, "percent"))
    assert text.startswith("17 000 000 ") and text.endswith(" 000%")
