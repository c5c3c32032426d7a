"""JSON documents and row dicts → a frame, in time linear in the cells, with located errors.

Two things a hostile or careless JSON file did before:

- nest thousands of levels deep, which ended in ``internal error:
  RecursionError`` (Python's parser recurses per level): it is now a data
  error naming the file, line and column where the nesting goes too deep;
- hold 300,000 keys, which never finished: every column used to be looked up
  in every row (rows × columns) and built as a Series of its own (fifty
  microseconds each). Cells are now collected in one pass over the rows, and
  a table much wider than long is built transposed, a Series per row. A table
  whose rows × columns would be absurd (each row with keys of its own) is
  refused with its figures rather than filling the memory.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

import polars as pl

from kpirules.errors import DataError

MAX_CELLS = 50_000_000  # rows × columns of a table built from rows; beyond: a data error
MAX_NESTING = 100  # levels of [ and { a data file may nest (rows of plain values need 2)
_WIDE = 1_000  # columns beyond which a table with fewer rows than columns is built transposed
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object; a key given twice is an error (``json`` would keep the last silently)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return obj


def loads(text: str, where: str, line: int | None = None) -> Any:
    """``json.loads`` with duplicate keys refused; too deep a nesting is a located :class:`DataError`.

    ``where`` names the file; ``line``, when the text is one line of it (JSON
    Lines), is that line's number. Other JSON errors propagate for the caller
    to word.
    """
    try:
        doc = json.loads(text, object_pairs_hook=object_without_duplicates)
    except RecursionError:  # deeper than Python's recursion limit
        doc = None
    else:
        if not _nests_too_deep(doc):  # the same limit whatever the recursion limit is
            return doc
    at_line, column = _too_deep_at(text)
    place = f"{where}:{(line or 1) + at_line - 1}:{column}"
    raise DataError(f"the JSON nests more than {MAX_NESTING} levels of lists and objects; "
                    "a data file holds rows of plain values (text, numbers, null)", where=place) from None


def _nests_too_deep(doc: Any) -> bool:
    """Whether ``doc`` nests more than ``MAX_NESTING`` levels (walked without recursion)."""
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, list | dict))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, list | dict))
    return False


def _too_deep_at(text: str) -> tuple[int, int]:
    """Line and column of the bracket that opens level ``MAX_NESTING + 1`` (strings skipped)."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_NESTING:
                start = match.start()
                return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
        elif token in "]}":
            depth -= 1
    return 1, 1


def frame_from_rows(rows: Sequence[dict[Any, object]], name: str = "<rows>") -> pl.DataFrame:
    """A frame from row dicts; every column as text unless all its values are numbers."""
    cells: dict[str, list[object]] = {}  # column → its values so far, padded with None lazily
    for index, row in enumerate(rows):
        for key, value in row.items():
            column = cells.get(str(key))
            if column is None:
                column = cells[str(key)] = []
                _check_size(len(rows), len(cells), name)
            if len(column) < index:
                column.extend([None] * (index - len(column)))
            column.append(value)
    height = len(rows)
    for column in cells.values():
        if len(column) < height:
            column.extend([None] * (height - len(column)))
    numeric = {c: _is_numeric(values) for c, values in cells.items()}
    if len(cells) > _WIDE and height < len(cells):
        return _transposed(cells, numeric, height)
    return pl.DataFrame([_series(c, values, numeric[c]) for c, values in cells.items()])


def _check_size(height: int, width: int, name: str) -> None:
    if height * width > MAX_CELLS:
        raise DataError(f"{height:,} rows with {width:,} different keys already make a table of more "
                        f"than {MAX_CELLS:,} cells; the rows of a data file share their keys",
                        where=name)


def _is_numeric(values: list[object]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present)


def _series(column: str, values: list[object], numeric: bool) -> pl.Series:
    if numeric:
        return pl.Series(column, [None if v is None else _float(v) for v in values], pl.Float64)
    return pl.Series(column, [None if v is None else str(v) for v in values], pl.String)


def _transposed(cells: dict[str, list[object]], numeric: dict[str, bool], height: int) -> pl.DataFrame:
    """A wide table built a row at a time (one Series per row, not per column), numbers and
    text apart, then put back in the columns' order."""
    parts = []
    for is_numeric in (True, False):
        names = [c for c in cells if numeric[c] is is_numeric]
        if not names:
            continue
        rows = [_series(f"r{i}", [cells[c][i] for c in names], is_numeric) for i in range(height)]
        dtype = pl.Float64 if is_numeric else pl.String
        if rows:
            parts.append(pl.DataFrame(rows).transpose(column_names=names))
        else:
            parts.append(pl.DataFrame(schema={c: dtype for c in names}))
    frame = pl.concat(parts, how="horizontal") if len(parts) > 1 else parts[0]
    return frame[list(cells)]


def _float(value: object) -> float:
    """A JSON number as a float; an integer too large for one is infinite (then reported as such)."""
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        return math.inf if value > 0 else -math.inf  # type: ignore[operator]
