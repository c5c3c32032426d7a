"""Shapley values over a table of coalitions: the exact, fair split of one change.

A change of a KPI between two periods is split among *players* (the metrics
it reads, or the segments of the overall row). Player ``i``'s share is the
average, over every order of switching the players one by one from their old
to their new values, of the change the KPI makes when ``i`` switches. With
``k`` players that is the classic weighted sum over the ``2^k`` coalitions
``S`` that leave ``i`` out::

    phi_i = sum_S  |S|! (k - |S| - 1)! / k!  *  (v(S + i) - v(S))

The caller evaluates the KPI for every coalition *at once*, as rows of one
Polars frame (row ``c`` is the coalition whose bit ``i`` says whether player
``i`` has switched), and this module turns that column of values into the
players' shares, again as one Polars query, never a loop over coalitions.

Shapley values add up to ``v(all) - v(none)`` exactly in arithmetic; in
floating point the last digit may differ, so :func:`settle` moves that
rounding remainder onto the last share, so that the shares, summed in the
order they are listed, give the change to the last digit (exactly, unless
binary rounding makes that impossible: then within one unit in the last
place, see :func:`settle`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

#: The column holding the coalition number (bit i = player i has switched).
COALITION = "`coalition"
#: The most players an exact split evaluates: 2^16 coalitions (65,536 rows per period of window).
MAX_PLAYERS = 16


def coalitions(players: int) -> pl.DataFrame:
    """Every coalition of ``players`` players: its number and one switch column per player.

    Column ``switched_i`` (see :func:`switched`) is true when player ``i`` is in
    the coalition.
    """
    if players > MAX_PLAYERS:
        raise ValueError(f"{players} players: at most {MAX_PLAYERS} can be split exactly")
    number = pl.int_range(0, 2**players, dtype=pl.Int64, eager=True).alias(COALITION)
    frame = pl.DataFrame(number)
    return frame.with_columns([((pl.col(COALITION) // 2**i) % 2 == 1).alias(switched(i))
                               for i in range(players)])


def switched(player: int) -> str:
    """The name of the column saying whether ``player`` has switched in a coalition."""
    return f"`switched{player}"


def shapley(values: pl.Series, players: int) -> list[float]:
    """The Shapley value of each player, from the value of every coalition.

    ``values[c]`` is the value of coalition ``c`` (``2^players`` of them, in
    coalition order).
    """
    if values.len() != 2**players:
        raise ValueError(f"{values.len()} values for {players} players: expected {2**players}")
    if players == 0:
        return []
    weight_of_size = {s: 1.0 / (players * math.comb(players - 1, s)) for s in range(players)}
    c = pl.col(COALITION)
    size = pl.sum_horizontal([((c // 2**i) % 2) for i in range(players)])
    frame = pl.DataFrame({"v": values.cast(pl.Float64)}).with_columns(
        pl.int_range(0, pl.len(), dtype=pl.Int64).alias(COALITION))
    frame = frame.with_columns(size.alias("size"))
    frame = frame.with_columns(
        pl.col("size").replace_strict(weight_of_size, default=0.0, return_dtype=pl.Float64).alias("w"))
    shares = []
    for i in range(players):
        out = (c // 2**i) % 2 == 0
        partner = pl.when(out).then(c + 2**i).otherwise(c - 2**i)
        marginal = pl.col("v").gather(partner) - pl.col("v")
        shares.append(pl.when(out).then(pl.col("w") * marginal).sum().alias(str(i)))
    row = frame.select(shares).row(0)
    return [float(x) for x in row]


def settle(shares: Sequence[float], change: float) -> list[float]:
    """``shares`` (in the order they are listed, largest first) with the
    floating-point remainder moved onto the last share that is not zero.

    Summed in that order, the result equals ``change``: the last non-zero
    share is the one whose sum with everything before it *is* the total, so
    it can be solved for. When the binary rounding of that sum cannot land
    on ``change`` exactly (a sum of two doubles of different binades lies on
    the coarser one's grid), the first share moves by a unit in its last
    place and the last is solved again; when no such nudge lands either, the
    sum is within one unit in the last place of the largest share (its 16th
    or 17th significant digit), the closest any split into doubles can come.
    A share of exactly zero (an input that did not move) stays zero.
    """
    out = [float(x) for x in shares]
    moving = [i for i, x in enumerate(out) if x != 0.0]
    if not moving:
        return out
    last, first = moving[-1], moving[0]
    plain: list[float] | None = None
    for step in (0, 1, -1, 2, -2) if first != last else (0,):
        trial = list(out)
        trial[first] = _units_away(out[first], step)
        prefix = 0.0
        for share in trial[:last]:
            prefix += share
        trial[last] = change - prefix
        for _ in range(4):
            total = prefix + trial[last]
            if total == change:
                return trial
            trial[last] = math.nextafter(trial[last], math.inf if total < change else -math.inf)
        if plain is None:
            plain = list(out)
            plain[last] = change - prefix
    assert plain is not None
    return plain


def _units_away(value: float, units: int) -> float:
    """``value`` moved by ``units`` units in the last place (negative: down)."""
    for _ in range(abs(units)):
        value = math.nextafter(value, math.inf if units > 0 else -math.inf)
    return value
