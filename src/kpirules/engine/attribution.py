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
rounding remainder onto the largest share, so that the shares, summed in the
order they are listed, give the change to the last digit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

#: The column holding the coalition number (bit i = player i has switched).
COALITION = "`coalition"
#: The most players an exact split evaluates: 2^20 coalitions, a million rows.
MAX_PLAYERS = 20


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
    floating-point remainder moved onto the first one.

    Summed in that order, the result equals ``change`` exactly; the first
    share moves by a few units in the last place at most.
    """
    out = list(shares)
    for _ in range(8):
        if not out:
            break
        total = 0.0
        for share in out:
            total += share
        if total == change:
            break
        out[0] += change - total
    return out
