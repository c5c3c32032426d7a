"""Where things are, in the parser's terms and in the editor's.

The parser counts lines from 1 and columns from 1 in *code points*; the
Language Server Protocol counts both from 0 and columns in *UTF-16 code
units* (its default encoding, the only one every client speaks; a client may
offer UTF-8 or UTF-32 instead, and the server then uses what was agreed). The
two differ on every character outside the Basic Multilingual Plane (an emoji
in a label counts 1 here, 2 there) and, in UTF-8, on every accented letter, so
every position that crosses the boundary goes through this module, and
nothing else does the arithmetic.
"""

from __future__ import annotations

from attrs import frozen

from kpirules.lang.ast import Span


@frozen(order=True)
class Position:
    """An editor position: 0-based line, 0-based column in UTF-16 code units."""

    line: int
    character: int


@frozen
class Range:
    """An editor range, end exclusive."""

    start: Position
    end: Position


def utf16_length(text: str) -> int:
    """How many UTF-16 code units ``text`` takes (2 for a character outside the BMP)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _utf8_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


#: Position encodings (LSP ``PositionEncodingKind``) → length of a text in that encoding's units.
ENCODINGS = {"utf-16": utf16_length, "utf-8": _utf8_length, "utf-32": len}


class LineIndex:
    """The lines of one document, to turn parser positions into editor positions and back.

    Lines end at ``\\n`` (a ``\\r`` before it belongs to no column anyone
    points at), as the parser counts them.
    """

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self._length = ENCODINGS.get(encoding, utf16_length)
        self.lines = text.split("\n")
        self._starts: list[int] = []
        offset = 0
        for line in self.lines:
            self._starts.append(offset)
            offset += len(line) + 1

    def line_text(self, line: int) -> str:
        """The text of 0-based ``line`` (empty past the end)."""
        return self.lines[line].removesuffix("\r") if 0 <= line < len(self.lines) else ""

    def to_editor(self, line: int, column: int) -> Position:
        """The editor position of the parser's 1-based ``line`` and 1-based code-point ``column``."""
        text = self.line_text(line - 1)
        return Position(max(line - 1, 0), self._length(text[: max(column - 1, 0)]))

    def to_parser(self, position: Position) -> tuple[int, int]:
        """The parser's (1-based line, 1-based code-point column) of an editor position.

        A position in the middle of a character (a surrogate pair cut in two,
        a client bug) counts as that character; a position past the end of
        the line is the end.
        """
        text = self.line_text(position.line)
        units = 0
        for index, ch in enumerate(text):
            if units >= position.character:
                return position.line + 1, index + 1
            units += self._length(ch)
        return position.line + 1, len(text) + 1

    def offset(self, position: Position) -> int:
        """The index in the text (code points) of an editor position."""
        if position.line >= len(self.lines):
            return len(self.text)
        line, column = self.to_parser(position)
        return self._starts[line - 1] + column - 1

    def span_range(self, span: Span) -> Range:
        """The editor range of a parser span (an empty span covers nothing, at its start)."""
        start = self.to_editor(span.line, span.column)
        if span.end_line and (span.end_line, span.end_column) > (span.line, span.column):
            return Range(start, self.to_editor(span.end_line, span.end_column))
        return Range(start, start)

    def end(self) -> Position:
        """The position just after the last character."""
        last = len(self.lines) - 1
        return Position(last, self._length(self.lines[last]))
