"""The whole-column path for ISO dates gives exactly the calendar's periods and times, value by value."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from kpirules.engine import periods
from kpirules.engine.periods import PeriodColumnError, map_periods
from kpirules.lang import periods as P


def _values() -> list[str]:
    rng = random.Random(1)
    out: list[str] = []
    for _ in range(2000):
        d = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randint(0, 20000))
        h, m, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        out.append(rng.choice([d.isoformat(), f"{d} {h:02d}:{m:02d}", f"{d} {h:02d}:{m:02d}:{s:02d}",
                               f"{d}T{h:02d}:{m:02d}:{s:02d}", f" {d} "]))
    return out


def _expected(value: str, grain: str) -> tuple[int, float]:
    stamp = dt.datetime.fromisoformat(value.strip())
    seconds = stamp.hour * 3600 + stamp.minute * 60 + stamp.second
    return P.index_of_date(stamp.date(), grain), stamp.date().toordinal() + seconds / 86400


@pytest.mark.slow
@pytest.mark.parametrize("grain", ["day", "week", "month", "quarter", "year"])
def test_iso_text_maps_to_the_calendars_periods(grain: str) -> None:
    values = _values()
    assert periods._iso_stamps(periods._as_text(pl.Series("d", values), "d")) is not None  # the fast path
    for value, index, key in zip(values, *map_periods(pl.Series("d", values), grain), strict=True):
        expected = _expected(value, grain)
        assert (index, key) == (expected[0], pytest.approx(expected[1], abs=1e-9)), value


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_the_fast_path_agrees_with_the_forms_path(grain: str) -> None:
    values = _values()[:300]
    fast = map_periods(pl.Series("d", values), grain)
    # the same dates written 2026/03/17 are not ISO: they take the path of the written forms
    slow = map_periods(pl.Series("d", [v.strip().replace("-", "/") for v in values]), grain)
    assert fast[0].to_list() == slow[0].to_list()
    assert fast[1].to_list() == pytest.approx(slow[1].to_list(), abs=1e-9)


def test_dates_and_datetimes_map_to_the_calendars_periods() -> None:
    dates = [dt.date(2026, 3, 5), dt.date(2021, 1, 3), dt.date(2020, 12, 31)]
    stamps = [dt.datetime(2026, 3, 5, 10, 30), dt.datetime(2021, 1, 3, 23, 59, 59)]
    for column in (pl.Series(dates), pl.Series(stamps)):
        for grain in ("day", "week", "month"):
            got = list(zip(*map_periods(column, grain), strict=True))
            assert got == [_expected(v.isoformat(), grain) for v in column.to_list()]


@pytest.mark.parametrize("values", [["2026-03"], ["17/03/2026"], ["2026-3-5"], ["2026-03-05", None]])
def test_anything_else_takes_the_forms_path(values: list[str | None]) -> None:
    assert periods._iso_stamps(periods._as_text(pl.Series("d", values), "d")) is None


def test_a_date_not_of_the_calendar_is_worded_by_the_forms_path() -> None:
    with pytest.raises(PeriodColumnError, match=r"2026-02-30.*not a date of the calendar") as err:
        map_periods(pl.Series("d", ["2026-02-28", "2026-02-30"]), "month")
    assert err.value.row == 1
