"""The normalised frame is the same whatever the order, chunking and spelling of the input rows.

Normalising puts the segments' rows in order with one gather (or not at all
when they already are), reads a text period column by its distinct cells, and
tells from hashes whether rows need rolling up. These tests hold each of those
shortcuts to the plain answer: the same frame from rows in segment order, in
period order, shuffled, or read in many chunks; the same periods and error
rows from a column read cell by cell.
"""

from __future__ import annotations

import random
from unittest import mock

import polars as pl
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.data.table import RawTable
from kpirules.engine import normalise as normalise_module
from kpirules.engine.frame_columns import SEG, P
from kpirules.engine.normalise import normalise
from kpirules.engine.periods import PeriodColumnError, map_periods

RULES = """ruleset t
grain month
metric visits agg sum
metric leads agg sum missing 0
metric rate agg avg
metric last_price agg last
"""


def _rows(periods: int = 4, campaigns: int = 5) -> list[dict[str, object]]:
    out = []
    for c in range(campaigns):
        for m in range(periods):
            out.append({"month": f"2025-{m + 1:02d}", "channel": "ab"[c % 2], "campaign": f"c{c}",
                        "visits": float(10 * c + m), "leads": None if (c + m) % 3 == 0 else float(c),
                        "rate": 0.1 * (m + 1), "last_price": float(100 + c)})
    return out


def _frame(rows: list[dict[str, object]], chunks: int = 1) -> pl.DataFrame:
    frame = pl.DataFrame(rows)
    if chunks > 1:
        size = -(-frame.height // chunks)
        frame = pl.concat([frame.slice(i * size, size) for i in range(chunks)], rechunk=False)
    return frame


RULESET = kpirules.loads(RULES, "t.kpi")  # parsed once, before any test (and hypothesis) runs


def _normalised(frame: pl.DataFrame) -> pl.DataFrame:
    return normalise([RawTable(frame, source="t.csv")], RULESET).frame


def test_segment_order_period_order_shuffled_and_chunked_give_one_frame() -> None:
    rows = _rows()
    expected = _normalised(_frame(rows))
    by_period = sorted(rows, key=lambda r: (str(r["month"]), str(r["campaign"])))
    shuffled = list(rows)
    random.Random(7).shuffle(shuffled)
    for variant in (by_period, shuffled):
        assert _normalised(_frame(variant)).equals(expected)
    assert _normalised(_frame(shuffled, chunks=6)).equals(expected)
    # stored segment by segment, in time order: the overall level (0) first
    assert expected[SEG].to_list() == sorted(expected[SEG].to_list())
    first_segment = expected.filter(pl.col(SEG) == 1)
    assert first_segment[P].to_list() == sorted(first_segment[P].to_list())


def test_missing_values_filled_after_the_rows_are_ordered() -> None:
    frame = _normalised(_frame(list(reversed(_rows()))))
    segments = frame.filter(pl.col(SEG) > 0)
    assert segments["leads"].null_count() == 0  # missing 0
    # (c + m) % 3 == 0 had no leads: 0 there, the campaign's number elsewhere
    campaign_0 = segments.filter(pl.col("campaign") == "c0")["leads"].to_list()
    assert campaign_0 == [0.0, 0.0, 0.0, 0.0]
    campaign_1 = segments.filter(pl.col("campaign") == "c1")["leads"].to_list()
    assert campaign_1 == [1.0, 1.0, 0.0, 1.0]


def test_a_segment_lacking_a_period_gets_the_whole_calendar() -> None:
    rows = [r for r in _rows() if not (r["campaign"] == "c2" and r["month"] == "2025-02")]
    frame = _normalised(_frame(list(reversed(rows))))
    c2 = frame.filter(pl.col("campaign") == "c2")
    assert c2.height == 4
    assert c2["visits"].to_list() == [20.0, None, 22.0, 23.0]


def test_rows_sharing_a_period_and_segment_are_rolled_up() -> None:
    rows = _rows(periods=2, campaigns=2)
    doubled = rows + [dict(r, visits=1.0, last_price=7.0) for r in rows]
    frame = _normalised(_frame(doubled)).filter(pl.col(SEG) > 0)
    assert frame["visits"].to_list() == [1.0, 2.0, 11.0, 12.0]  # 10 * c + m, plus 1
    assert frame["last_price"].to_list() == [7.0, 7.0, 7.0, 7.0]  # last in file order


def test_text_periods_read_by_their_distinct_cells_match_cell_by_cell() -> None:
    cells = ["2026-03", " 2026-03 ", "2026-04", "2026-04 ", "2026-05", "2026-03"]
    column = pl.Series("month", cells)
    idx, key = map_periods(column, "month")
    singles = [map_periods(pl.Series("month", [c]), "month") for c in cells]
    assert idx.to_list() == [i[0] for i, _ in singles]
    assert key is not None and key.to_list() == [k[0] for _, k in singles]
    assert map_periods(column, "month", key=False)[1] is None


@pytest.mark.parametrize(("cells", "row"), [
    (["2026-03", "2026-04", " ", "2026-05", ""], 2),  # the first empty cell, spaces or not
    (["2026-03", "nope", "2026-03", "nope"], 1),
    (["2026-03", "2026-04", None, "2026-05"], 2),
])
def test_an_unreadable_period_is_reported_at_its_first_row(cells: list[str | None], row: int) -> None:
    with pytest.raises(PeriodColumnError) as caught:
        map_periods(pl.Series("month", cells, dtype=pl.String), "month")
    assert caught.value.row == row


def test_a_repeated_row_beside_a_missing_one_is_rolled_up_not_taken_for_a_full_grid() -> None:
    # as many rows as periods x segments, but c1's February twice and its March not at all
    rows = _rows(periods=3, campaigns=2)
    march = next(r for r in rows if r["campaign"] == "c1" and r["month"] == "2025-03")
    february = next(r for r in rows if r["campaign"] == "c1" and r["month"] == "2025-02")
    rows[rows.index(march)] = dict(february, visits=5.0)
    for variant in (rows, list(reversed(rows))):
        c1 = _normalised(_frame(variant)).filter(pl.col("campaign") == "c1")
        assert c1["visits"].to_list() == [10.0, 16.0, None]


def test_null_dimension_values_are_a_segment_of_their_own_numbered_last() -> None:
    rows = _rows(periods=2, campaigns=3)
    for r in rows:
        if r["campaign"] == "c0":
            r["campaign"] = None
    frame = _normalised(_frame(list(reversed(rows)))).filter(pl.col(SEG) > 0)
    order = frame.select("channel", "campaign").unique(maintain_order=True).rows()
    assert order == [("a", "c2"), ("a", None), ("b", "c1")]  # by each dimension in turn, nulls last
    assert frame.filter(pl.col("campaign").is_null())["visits"].to_list() == [0.0, 1.0]


def test_segments_sharing_a_hash_are_still_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = list(reversed(_rows()))
    expected = _normalised(_frame(rows))
    # every segment given the same hash: the collision the row-by-row comparison must catch
    monkeypatch.setattr(pl.Expr, "hash", lambda self, *args, **kwargs: pl.int_range(pl.len()).cast(pl.UInt64) * 0)
    assert _normalised(_frame(rows)).equals(expected)
    missing_one = [r for r in rows if not (r["campaign"] == "c3" and r["month"] == "2025-01")]
    collided = _normalised(_frame(missing_one)).filter(pl.col("campaign") == "c3")
    assert collided["visits"].to_list() == [None, 31.0, 32.0, 33.0]


grid_cell = st.one_of(st.none(), st.integers(min_value=-5, max_value=1_000).map(float))


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(data=st.data(), periods=st.integers(1, 5), campaigns=st.integers(1, 6), chunks=st.integers(1, 4))
def test_the_ordering_shortcut_agrees_with_the_general_path(data: st.DataObject, periods: int, campaigns: int,
                                                            chunks: int) -> None:
    rows = []
    for c in range(campaigns):
        channel = data.draw(st.sampled_from(["a", "b", None]))  # one per campaign: a full grid of segments
        for m in range(periods):
            rows.append({"month": f"2025-{m + 1:02d}", "channel": channel,
                         "campaign": f"c{c}", "visits": data.draw(grid_cell), "leads": data.draw(grid_cell),
                         "rate": data.draw(grid_cell), "last_price": data.draw(grid_cell)})
    # sometimes a row repeated or one left out: the shortcut must then step aside
    if data.draw(st.booleans()):
        rows.append(dict(data.draw(st.sampled_from(rows))))
    if len(rows) > 1 and data.draw(st.booleans()):
        rows.pop(data.draw(st.integers(0, len(rows) - 1)))
    rows = data.draw(st.permutations(rows))
    in_order = normalise_module._segments_in_order
    taken: list[pl.DataFrame | None] = []

    def recorded(*args: object) -> pl.DataFrame | None:
        taken.append(in_order(*args))  # type: ignore[arg-type]
        return taken[-1]

    with mock.patch.object(normalise_module, "_segments_in_order", recorded):
        shortcut = _normalised(_frame(rows, chunks))
    event(f"shortcut taken: {bool(taken) and taken[-1] is not None}")
    with mock.patch.object(normalise_module, "_segments_in_order", lambda *args: None):
        general = _normalised(_frame(rows, chunks))
    assert shortcut.equals(general)
