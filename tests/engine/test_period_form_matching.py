"""A few distinct period values are matched in Python, exactly as Polars matches many.

:func:`kpirules.engine.period_forms.match_forms` reads a small column with
Python's ``re`` (start-up: no Polars expression to compile for 25 months) and
a large one with Polars; the two must give the same frame on every value,
including those that are almost a form, non-ASCII ones (which go to Polars)
and random text.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from kpirules.engine import period_forms
from kpirules.engine.period_forms import FORMS, SMALL, match_forms, match_forms_in_python

VALUES = [
    *(form.example for form in FORMS),
    "2026-3", "2026/03/17", "2026.3.7", "2026-03-17T08:26", "2026-03-17 8:26:00.123 pm", "2026-03-17 08:26Z",
    "2026-03-17T08:26:00+02:00", "17.03.26", "3/17/2026 10:00 AM", "mars. 2026", "Mar-2026", "sept 2026",
    "2026 - q4", "T3 2026", "q1-2026", "2026w5", "2026-W53", "20261", "2026-", "-2026", "2026-13",
    "2026-03-17 25:99", "2026-03-17  08:26", "2026\t03", "2026-03\n", " 2026-03", "2026-03 ", "", "x", "12",
    "2026-03-17T", "2026--03", "Q12026", "QQ1 2026", "2026-Q", "2026_03", "2026\x1cQ1", "2026\x0bQ1",
    "janvier 2026", "2026-03-17 08:26 a.m.", None,
]
NON_ASCII = ["février 2026", "٢٠٢٦-٠٣", "２０２６-03", "2026\u00a0Q1", "2026\u2003Q1", "juillet\u00a02026"]


def _both(values: list[str | None]) -> tuple[pl.DataFrame, pl.DataFrame]:
    series = pl.Series("text", values, dtype=pl.String)
    return match_forms_in_python(values), period_forms._match_forms_in_polars(series)


@pytest.mark.parametrize("value", VALUES)
def test_each_value_reads_the_same_in_python_and_in_polars(value: str | None) -> None:
    in_python, in_polars = _both([value])
    assert_frame_equal(in_python, in_polars)


def test_a_whole_column_reads_the_same() -> None:
    in_python, in_polars = _both(VALUES)
    assert_frame_equal(in_python, in_polars)
    assert in_python["form"].null_count() < len(VALUES) // 2  # most of them are forms


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="0123456789-/.: TtQqWwZzAPMmarsjnv\t\n\x0b\x1c+,",
                                              max_size=24)), max_size=8))
def test_random_ascii_text_reads_the_same(values: list[str | None]) -> None:
    in_python, in_polars = _both(values)
    assert_frame_equal(in_python, in_polars)


def test_small_ascii_columns_take_the_python_path_and_others_polars(monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[str] = []
    monkeypatch.setattr(period_forms, "match_forms_in_python",
                        lambda values: taken.append("python") or match_forms_in_python(values))
    original = period_forms._match_forms_in_polars
    monkeypatch.setattr(period_forms, "_match_forms_in_polars",
                        lambda text: taken.append("polars") or original(text))
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    match_forms(pl.Series(months))
    match_forms(pl.Series([*months, "février 2026"]))
    match_forms(pl.Series([f"{y}-{m:02d}" for y in range(2000, 2010) for m in range(1, 13)]))
    assert len(months) <= SMALL < 120
    assert taken == ["python", "polars", "polars"]


@pytest.mark.parametrize("value", NON_ASCII)
def test_non_ascii_values_are_left_to_polars(value: str) -> None:
    """Unicode digits and spaces are where the two engines differ: Polars decides, as before."""
    series = pl.Series("text", ["2026-03", value])
    assert_frame_equal(match_forms(series), period_forms._match_forms_in_polars(series))
