"""The vectorised period path gives exactly what the Python path gives, value by value."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from kpirules.engine.iso_periods import map_iso_periods
from kpirules.engine.periods import parse_period_value


def _values() -> list[str | None]:
    rng = random.Random(1)
    out: list[str | None] = []
    for _ in range(2000):
        d = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randint(0, 20000))
        h, m, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        out.append(rng.choice([d.isoformat(), f"{d} {h:02d}:{m:02d}", f"{d} {h:02d}:{m:02d}:{s:02d}",
                               f"{d}T{h:02d}:{m:02d}:{s:02d}", f" {d} "]))
    return [*out, None]


@pytest.mark.parametrize("grain", ["day", "week", "month", "quarter", "year"])
def test_iso_text_maps_as_the_python_path_does(grain: str) -> None:
    values = _values()
    fast = map_iso_periods(pl.Series("d", values), grain)
    assert fast is not None
    for value, index, key in zip(values, *fast, strict=True):
        if value is None:
            assert index is None and key is None
            continue
        expected = parse_period_value(value, grain)
        assert isinstance(expected, tuple)
        assert (index, key) == (expected[0], pytest.approx(expected[1], abs=1e-9)), value


def test_dates_and_datetimes_map_as_the_python_path_does() -> None:
    dates = [dt.date(2026, 3, 5), dt.date(2021, 1, 3), dt.date(2020, 12, 31)]
    stamps = [dt.datetime(2026, 3, 5, 10, 30), dt.datetime(2021, 1, 3, 23, 59, 59)]
    for column in (pl.Series(dates), pl.Series(stamps)):
        for grain in ("day", "week", "month"):
            fast = map_iso_periods(column, grain)
            assert fast is not None
            assert list(zip(*fast, strict=True)) == [parse_period_value(v, grain) for v in column.to_list()]


@pytest.mark.parametrize("values", [["2026-02-30"], ["2026-03"], ["17/03/2026"], ["2026-3-5"], ["2026-03-05", "x"]])
def test_anything_else_takes_the_python_path(values: list[str]) -> None:
    assert map_iso_periods(pl.Series(values), "month") is None
