"""One segment of a breakdown, and every way it is written, in one place.

A segment is the dimensions of its level and their values (``{"channel":
"paid"}``); the overall level is the empty segment. Rows of the JSON document,
firings in the state store, silences and reports all name segments: they take
a :class:`Segment` (or build one with :meth:`Segment.of`) instead of keying
and writing the dict each in its own way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

#: How an empty dimension value is written: a segment of its own, never "all" (the
#: word for a rolled-up dimension), which would make an alert about one segment
#: read as about every one.
EMPTY_VALUE_LABEL = "(empty)"
#: The overall level, as reports name it.
OVERALL_LABEL = "(overall)"


class Segment(Mapping[str, Any]):
    """The values of a segment's dimensions, in breakdown order; equal whatever that order.

    A read-only mapping (``segment["channel"]``, ``dict(segment)``), hashable,
    so it keys dictionaries and sets as it is.
    """

    __slots__ = ("_items", "_sorted")

    def __init__(self, items: Iterable[tuple[str, Any]] = ()) -> None:
        self._items = tuple(items)
        self._sorted = tuple(sorted(self._items, key=lambda item: item[0]))

    @classmethod
    def of(cls, segment: Mapping[str, Any] | None) -> Segment:
        """``segment`` as a :class:`Segment` (None and ``{}``: the overall level)."""
        if isinstance(segment, Segment):
            return segment
        return cls((segment or {}).items())

    # ── the mapping ──
    def __getitem__(self, key: str) -> Any:
        for name, value in self._items:
            if name == key:
                return value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _value in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Segment):
            return self._sorted == other._sorted
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._sorted)

    def __repr__(self) -> str:
        return f"Segment({dict(self._items)!r})"

    @property
    def overall(self) -> bool:
        return not self._items

    # ── the ways it is written ──
    def key(self) -> str:
        """The canonical text the state store keys firings by: JSON with sorted keys."""
        return json.dumps(dict(self._items), sort_keys=True, ensure_ascii=False, default=str)

    def assignments(self, separator: str = ",", overall: str = "overall") -> str:
        """``channel=paid,country=FR`` (messages), or ``overall`` for the overall level."""
        return separator.join(f"{name}={value}" for name, value in self._items) or overall

    def label(self, dimensions: Iterable[str] = (), overall: str = OVERALL_LABEL,
              empty: str = EMPTY_VALUE_LABEL) -> str:
        """How a segment is named for people: its values joined by `` / ``.

        ``dimensions`` orders the values (the breakdown's order first); a
        ``None`` value is an empty value in the data, written ``empty``; the
        overall level is ``overall``.
        """
        if not self._items:
            return overall
        order = list(dimensions)
        ranked = [name for name in order if name in self] + [name for name in self if name not in order]
        return " / ".join(empty if self[name] is None else str(self[name]) for name in ranked)
