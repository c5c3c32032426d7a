"""The raw table handed from a connector to the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import field, frozen

if TYPE_CHECKING:
    import polars as pl


PERIOD_CANDIDATES = ("period", "date", "month", "week", "day")
"""Columns taken as the period column, in this order, when none is named (interfaces §1)."""


@frozen
class RawTable:
    """Rows as a connector read them, before any rollup.

    ``frame`` holds the period column, dimension columns and metric columns;
    metric columns may still be text (CSV), the engine turns them into numbers
    and reports a bad cell at ``source:LINE:COLUMN``. ``first_line`` is the file
    line of the frame's first row (2 for a CSV file with a header) or ``None``
    when rows have no lines (errors then say ``row N``).

    ``period_column``: the column holding periods; ``None`` lets the engine
    pick the first of ``period, date, month, week, day``.

    A connector that pushed the rollup down (SQL) sets ``pre_aggregated``: for
    an ``avg`` metric ``m`` it then also supplies ``__count__m``, the number of
    input rows behind each value, so that averages across segments stay means
    of the input rows.
    """

    frame: pl.DataFrame
    source: str = "<data>"
    first_line: int | None = None
    period_column: str | None = None
    decimal: str = "."
    null_values: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()  # columns forced to be dimensions (--dimension)
    ignore: tuple[str, ...] = ()  # columns dropped (--ignore)
    rename: dict[str, str] = field(factory=dict)  # column -> metric
    pre_aggregated: bool = False
    extra: dict[str, Any] = field(factory=dict)
