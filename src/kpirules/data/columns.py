"""What each column of a data table is: the period, a metric, a dimension, or ignored (interfaces §1).

Small functions shared by the normaliser and the connectors, so that every
reader finds the same period column and every column is typed the same way:

- :func:`find_period_column`: names compared without case, accents and
  surrounding spaces, in the order of :data:`PERIOD_NAMES`;
- :func:`numbers`: the number-reading expression, in the file's number style
  (``4 800,00`` with a decimal comma); :func:`holds_numbers` uses the same
  reading, so a column the engine could read as numbers is never a dimension;
- :func:`is_identifier`: a text column with too many distinct values to split by;
- :func:`nearest_column`: the column a misspelt metric most likely meant.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence

import polars as pl

from kpirules.data.table import PERIOD_CANDIDATES as PERIOD_NAMES

IDENTIFIER_DISTINCT = 1000
"""An undeclared text column with more distinct values than this is an identifier, not a dimension."""


def plain(name: str) -> str:
    """``name`` without case, accents and surrounding spaces (``" Période "`` → ``"periode"``)."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def squeezed(name: str) -> str:
    """``name`` also without spaces and punctuation (``"Dépenses (€)"`` → ``"depenses"``)."""
    return re.sub(r"[\W_]+", "", plain(name))


def find_period_column(columns: Sequence[str]) -> str | None:
    """The first column named like a period, in the order of :data:`PERIOD_NAMES`, or ``None``."""
    by_plain: dict[str, str] = {}
    for column in columns:
        by_plain.setdefault(plain(column), column)
    for wanted in PERIOD_NAMES:
        found = by_plain.get(plain(wanted))
        if found is not None:
            return found
    return None


def numbers(text: pl.Expr, decimal: str) -> pl.Expr:
    """Text cells read as Float64 in the file's number style; null where a cell is not a number.

    With a decimal comma, spaces, non-breaking spaces and dots inside a number
    are thousands separators (``1 234,5``, ``1.234,5``); with a decimal point,
    only (non-breaking) spaces are.
    """
    if decimal == ",":
        cleaned = text.str.replace_all(r"[\s\u00a0\u202f.]", "").str.replace(",", ".", literal=True)
    else:
        cleaned = text.str.replace_all(r"[\u00a0\u202f]", "").str.replace_all(r"(\d) (\d)", "$1$2")
    return cleaned.cast(pl.Float64, strict=False)


def holds_numbers(series: pl.Series, decimal: str, null_values: Iterable[str] = ()) -> bool:
    """Whether every non-empty cell is a number in the file's number style (interfaces §1).

    Booleans are not numbers. The first thousand values are tried first: a
    text column shows it there, and then the rest is not read.
    """
    if series.dtype == pl.Boolean:
        return False
    if series.dtype.is_numeric():
        return True
    if series.dtype != pl.String:
        return False
    markers = list(null_values)

    def all_numbers(values: pl.Series) -> bool | None:
        frame = pl.DataFrame({"v": values}).select(pl.col("v").str.strip_chars())
        frame = frame.filter(pl.col("v").is_not_null() & (pl.col("v") != "") & ~pl.col("v").is_in(markers))
        if frame.height == 0:
            return None
        return frame.select(numbers(pl.col("v"), decimal).is_null().any()).item() is False

    head = all_numbers(series.head(1000))
    if head is False:
        return False
    return bool(all_numbers(series))


def is_identifier(series: pl.Series) -> bool:
    """More than :data:`IDENTIFIER_DISTINCT` distinct values: an invoice number, a product code…"""
    if series.len() <= IDENTIFIER_DISTINCT:
        return False
    return series.head(IDENTIFIER_DISTINCT * 20).n_unique() > IDENTIFIER_DISTINCT or \
        series.n_unique() > IDENTIFIER_DISTINCT


def nearest_column(name: str, columns: Iterable[str]) -> str | None:
    """The column ``name`` most likely meant: equal without case, accents, spaces and
    punctuation (``depenses`` → ``Dépenses (€)``), else the closest such spelling."""
    pool: dict[str, str] = {}
    for column in columns:
        if not column.startswith("__"):
            pool.setdefault(squeezed(column), column)
    wanted = squeezed(name)
    if wanted in pool:
        return pool[wanted]
    close = difflib.get_close_matches(wanted, list(pool), n=1, cutoff=0.75)
    return pool[close[0]] if close else None


def did_you_mean_column(name: str, columns: Iterable[str]) -> str:
    """`` did you mean the column "X"? (write `X` or rename the column)`` or ``""``."""
    column = nearest_column(name, columns)
    if column is None:
        return ""
    return f'; did you mean the column "{column}"? (write `{column}` or rename the column)'
