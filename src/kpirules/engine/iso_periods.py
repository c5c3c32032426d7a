"""A vectorised path for the commonest period columns: dates, datetimes and ISO date text.

:func:`kpirules.engine.periods.map_periods` parses each distinct value in
Python, which is cheap for monthly tables and slow for raw rows: an order
export has one distinct timestamp per order (a million orders, a million
values to parse). When the column is a Polars date or datetime, or text in
which every value is ``YYYY-MM-DD`` optionally followed by `` HH:MM[:SS]`` (or
``T``), the period index and the time key are computed by Polars on the whole
column, with exactly the values the Python path gives
(:func:`kpirules.lang.periods.index_of_date`, ordinal day plus the fraction of
the day). Anything else returns ``None`` and takes the Python path, which also
words every error.
"""

from __future__ import annotations

import polars as pl

ISO = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$"
ORDINAL_OF_EPOCH = 719_163  # date(1970, 1, 1).toordinal()


def map_iso_periods(column: pl.Series, grain: str) -> tuple[pl.Series, pl.Series] | None:
    """(period index, time key) for every row, or ``None`` when the column is not of this kind."""
    if column.dtype == pl.Date:
        stamp = column.cast(pl.Datetime("us"))
    elif isinstance(column.dtype, pl.Datetime):
        stamp = column if column.dtype.time_zone is None else column.dt.replace_time_zone(None)
    elif column.dtype == pl.String:
        text = column.str.strip_chars()
        if not text.drop_nulls().str.contains(ISO).all():
            return None
        spaced = pl.lit(text.str.replace("T", " ", literal=True))
        full = (pl.when(spaced.str.len_chars() == 10).then(spaced + " 00:00:00")
                .when(spaced.str.len_chars() == 16).then(spaced + ":00").otherwise(spaced))
        stamp = pl.select(full.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")).to_series()
        if stamp.null_count() != column.null_count():  # 2026-02-30: let the Python path say so
            return None
    else:
        return None
    t = pl.col("t")
    ordinal = t.dt.date().cast(pl.Int64) + ORDINAL_OF_EPOCH
    index = {
        "day": ordinal,
        "week": (ordinal - (t.dt.weekday().cast(pl.Int64) - 1) - 1) // 7,
        "month": t.dt.year().cast(pl.Int64) * 12 + t.dt.month().cast(pl.Int64) - 1,
        "quarter": t.dt.year().cast(pl.Int64) * 4 + (t.dt.month().cast(pl.Int64) - 1) // 3,
        "year": t.dt.year().cast(pl.Int64),
    }[grain]
    seconds = (t - t.dt.truncate("1d")).dt.total_seconds().cast(pl.Float64)
    out = pl.LazyFrame({"t": stamp}).select(
        index.alias("idx"), (ordinal.cast(pl.Float64) + seconds / 86400).alias("key")).collect()
    return out["idx"].alias(column.name), out["key"].alias(column.name)
