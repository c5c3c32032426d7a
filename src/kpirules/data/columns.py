"""What each column of a data table is: the period, a metric, a dimension, or ignored (interfaces §1).

Small functions shared by the normaliser and the connectors, so that every
reader finds the same period column and every column is typed the same way:

- :func:`find_period_column`: names compared without case, accents and
  surrounding spaces, in the order of :data:`PERIOD_NAMES`;
- :func:`numbers`: the number-reading expression, in the file's number style
  (``4 800,00`` with a decimal comma); :func:`numeric_columns` uses the same
  reading, so a column the engine could read as numbers is never a dimension;
- :func:`identifier_columns`: text columns with too many distinct values to split by;
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
    """Whether every non-empty cell is a number in the file's number style (interfaces §1)."""
    return series.name in numeric_columns(series.to_frame(), [series.name], decimal, null_values)


def numeric_columns(frame: pl.DataFrame, columns: Sequence[str], decimal: str,
                    null_values: Iterable[str] = ()) -> set[str]:
    """Those of ``columns`` that hold numbers: numeric types, and text whose every non-empty
    cell is a number in the file's number style; booleans are not numbers.

    All text columns are tested in one Polars query (thousands of columns stay
    a single pass), first on the first thousand rows: a text column usually
    shows it there, and then only the others are read in full.
    """
    schema = frame.schema
    found = {c for c in columns if schema[c].is_numeric()}
    text = [c for c in columns if schema[c] == pl.String]
    markers = list(null_values)

    def not_numbers(part: pl.DataFrame, cols: list[str]) -> set[str]:
        """The columns with a non-empty cell that is not a number: one pass over all their cells."""
        if not cols:
            return set()
        cells = part.select(cols).unpivot(variable_name="col", value_name="v").with_columns(
            pl.col("v").str.strip_chars())
        cells = cells.filter(pl.col("v").is_not_null() & (pl.col("v") != "") & ~pl.col("v").is_in(markers))
        bad = cells.filter(numbers(pl.col("v"), decimal).is_null())["col"].unique()
        return set(bad.to_list())

    def all_empty(cols: list[str]) -> set[str]:
        if not cols:
            return set()
        cells = frame.select(cols).unpivot(variable_name="col", value_name="v").with_columns(
            pl.col("v").str.strip_chars())
        filled = cells.filter(pl.col("v").is_not_null() & (pl.col("v") != "") & ~pl.col("v").is_in(markers))
        return set(cols) - set(filled["col"].unique().to_list())

    refused = not_numbers(frame.head(1000), text)
    text = [c for c in text if c not in refused]
    if frame.height > 1000:
        refused = not_numbers(frame, text)
        text = [c for c in text if c not in refused]
    return found | (set(text) - all_empty(text))


def identifier_columns(frame: pl.DataFrame, columns: Sequence[str]) -> set[str]:
    """Those text ``columns`` with more than :data:`IDENTIFIER_DISTINCT` distinct values (an
    invoice number, a product code…): one query for all of them."""
    schema = frame.schema
    text = [c for c in columns if schema[c] == pl.String]
    if not text or frame.height <= IDENTIFIER_DISTINCT:
        return set()
    counts = frame.select(pl.col(text).n_unique()).row(0, named=True)
    return {c for c, n in counts.items() if n > IDENTIFIER_DISTINCT}


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
