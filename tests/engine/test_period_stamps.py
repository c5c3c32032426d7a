"""ISO timestamps and typed datetimes map to the same periods and time keys, whatever path reads them.

A column written in one ISO form throughout (the usual export) is read as it
is, and a naive datetime's day and second come from the timestamp itself;
these tests hold both to the calendar computed in Python, before and after
1970, with ``T`` or a space, and against a column mixing the forms.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from kpirules.engine.periods import map_periods

STAMPS = ["2026-03-17 10:42:05", "1969-12-31 23:59:59", "1970-01-01 00:00:00", "2024-02-29 00:00:01",
          "1900-03-01 12:00:00"]


def _expected(stamps: list[datetime], grain: str) -> tuple[list[int], list[float]]:
    keys = [s.toordinal() + (s.hour * 3600 + s.minute * 60 + s.second) / 86400 for s in stamps]
    if grain == "month":
        return [s.year * 12 + s.month - 1 for s in stamps], keys
    return [s.toordinal() for s in stamps], keys  # day


@pytest.mark.parametrize("grain", ["day", "month"])
@pytest.mark.parametrize("form", ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
def test_one_iso_form_throughout(form: str, grain: str) -> None:
    stamps = [datetime.strptime(datetime.fromisoformat(s).strftime(form), form) for s in STAMPS]
    idx, key = map_periods(pl.Series("date", [s.strftime(form) for s in stamps]), grain)
    assert (idx.to_list(), key.to_list()) == _expected(stamps, grain)


@pytest.mark.parametrize("unit", ["us", "ns", "ms"])
def test_naive_datetimes_before_and_after_1970(unit: str) -> None:
    stamps = [datetime.fromisoformat(s) for s in STAMPS]
    column = pl.Series("date", stamps, dtype=pl.Datetime("us")).cast(pl.Datetime(unit))
    idx, key = map_periods(column, "day")
    assert (idx.to_list(), key.to_list()) == _expected(stamps, "day")


def test_forms_mixed_in_one_column() -> None:
    written = ["2026-03-17T10:42", "2026-03-17 10:42:05", "1969-12-31", "2026-03-18 00:00"]
    stamps = [datetime.fromisoformat(s) for s in written]
    idx, key = map_periods(pl.Series("date", written), "day")
    assert (idx.to_list(), key.to_list()) == _expected(stamps, "day")
