"""How many rows a data source may hold: the ``max_rows`` option (``eval --max-rows``, a source's ``max_rows``).

A small file can hold a huge table: Parquet compresses repeated values so
well that 190 KB expand to 30 million rows (4.9 GB in memory). A limit on
the rows read stops such a file with a clear data error instead of
exhausting the machine. It is checked as early as the format allows:

- Parquet: from the row count in the file's metadata, before any row is
  read (:func:`precheck_file`);
- SQL: while fetching, in batches, so at most one batch past the limit is
  held (:func:`fetch_limited`);
- CSV (read lazily): from a count of the file's rows (blank lines
  included), before any cell is parsed (:func:`check_table`);
- JSON Lines, JSON and plugin connectors: on the table read
  (:func:`check_table`); their size on disk already bounds their rows.

The default is generous (:data:`DEFAULT_MAX_ROWS`): a legitimate export of
that size evaluates, and whoever needs more says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpirules.errors import DataError, OptionHint, phrase

if TYPE_CHECKING:
    from kpirules.data.table import RawTable

DEFAULT_MAX_ROWS = 10_000_000
_PARQUET_SUFFIXES = (".parquet", ".pq")
_FETCH_BATCH = 10_000


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def too_many_rows(count: int | None, limit: int, where: str) -> DataError:
    """The error for a source holding more than ``limit`` rows (``count`` when known)."""
    held = f"holds {_count(count)} rows" if count is not None else \
        f"holds more than {_count(limit)} rows"
    return DataError(phrase(f"{held}, more than the limit of {_count(limit)}; if the data is meant to be "
                            "this large, raise the limit",
                            OptionHint("max_rows", placeholder="N", lead=" (", purpose=")", place=where)),
                     where=where)


def precheck_file(path: str | Path, kind: str | None, limit: int, where: str) -> None:
    """Refuse a Parquet file whose metadata counts more than ``limit`` rows, before reading it.

    Other kinds are checked once read (:func:`check_table`). A file whose
    metadata cannot be read is left to the reader, which says why.
    """
    if kind != "parquet" and not (kind is None and Path(path).suffix.lower() in _PARQUET_SUFFIXES):
        return
    import polars as pl

    try:
        rows = int(pl.scan_parquet(path).select(pl.len()).collect().item())
    except Exception:  # not a Parquet file, unreadable: the reader reports it
        return
    if rows > limit:
        raise too_many_rows(rows, limit, where)


def check_table(table: RawTable, limit: int, where: str | None = None) -> RawTable:
    """``table``, unless it has more than ``limit`` rows."""
    rows = table.height  # from the metadata for a scanned Parquet file, a count of a CSV file's rows
    if rows > limit:
        raise too_many_rows(rows, limit, where or table.source)
    return table


def fetch_limited(result: Any, limit: int, where: str) -> Sequence[Sequence[Any]]:
    """Every row of a database ``result``, fetched in batches; an error past ``limit``."""
    rows: list[Sequence[Any]] = []
    while True:
        batch = result.fetchmany(_FETCH_BATCH)
        if not batch:
            return rows
        rows.extend(batch)
        if len(rows) > limit:
            raise too_many_rows(None, limit, where)


__all__ = ["DEFAULT_MAX_ROWS", "check_table", "fetch_limited", "precheck_file", "too_many_rows"]
