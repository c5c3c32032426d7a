"""Parser positions (1-based, code points) ↔ editor positions (0-based, UTF-16 units by default)."""

from __future__ import annotations

import pytest

from kpirules.lang.ast import Span
from kpirules.lsp.positions import LineIndex, Position, Range, utf16_length

TEXT = 'metric `Dépenses 🚀` unit EUR\nkpi k = `Dépenses 🚀` / 2  label "😀é"\r\nkpi z = k\n'


def test_utf16_length_counts_two_units_outside_the_bmp() -> None:
    assert utf16_length("é") == 1
    assert utf16_length("🚀") == 2
    assert utf16_length("a🚀é😀") == 6


def test_an_accented_letter_is_one_unit_and_an_emoji_two() -> None:
    lines = LineIndex(TEXT)
    # "unit" follows `Dépenses 🚀`: code point column 21, UTF-16 character 21 (20 code points + 1 for 🚀)
    column = TEXT.splitlines()[0].index("unit") + 1
    assert lines.to_editor(1, column) == Position(0, column - 1 + 1)
    assert lines.to_parser(Position(0, column)) == (1, column)


@pytest.mark.parametrize("encoding, expected", [("utf-16", 21), ("utf-8", 24), ("utf-32", 20)])
def test_other_agreed_encodings(encoding: str, expected: int) -> None:
    lines = LineIndex(TEXT, encoding)
    column = TEXT.splitlines()[0].index("unit") + 1
    assert lines.to_editor(1, column).character == expected
    assert lines.to_parser(Position(0, expected)) == (1, column)


def test_round_trip_at_every_character_of_every_line() -> None:
    lines = LineIndex(TEXT)
    for number, line in enumerate(TEXT.split("\n"), start=1):
        for column in range(1, len(line.removesuffix("\r")) + 2):
            assert lines.to_parser(lines.to_editor(number, column)) == (number, column)


def test_a_position_inside_a_surrogate_pair_or_past_the_end() -> None:
    lines = LineIndex(TEXT)
    rocket = TEXT.index("🚀")  # on line 1
    assert lines.to_parser(Position(0, rocket + 1)) == (1, rocket + 2)  # cut pair: the character after
    assert lines.to_parser(Position(0, 500)) == (1, len(TEXT.splitlines()[0]) + 1)
    assert lines.offset(Position(9, 0)) == len(TEXT)


def test_carriage_return_is_not_a_column() -> None:
    lines = LineIndex(TEXT)
    assert lines.line_text(1).endswith('"😀é"')
    assert lines.end() == Position(3, 0)


def test_span_to_range_and_offsets() -> None:
    lines = LineIndex(TEXT)
    start = TEXT.splitlines()[1].index("`") + 1
    span = Span("f", 2, start, 2, start + len("`Dépenses 🚀`"))
    assert lines.span_range(span) == Range(Position(1, 8), Position(1, 8 + 13))
    assert TEXT[lines.offset(Position(1, 8)):].startswith("`Dépenses")
    assert lines.span_range(Span("f", 2, 3)) == Range(Position(1, 2), Position(1, 2))
