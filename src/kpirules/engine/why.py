"""Why a KPI changed between two periods (interfaces §2, ``kpirules why``).

The change of a KPI in one row is split exactly among

* the metrics it reads (through other KPIs, down to metrics), and
* on the overall row, the segments (each switching all its metric values at once),

by Shapley values (:mod:`kpirules.engine.attribution`). For each split, the
``2^k`` "worlds" where some players have switched to their new values and
the others kept their old ones are rows of one Polars frame, and the KPI and
everything it reads are compiled once and computed over that frame, exactly
as an evaluation computes them (same compiler, same null rules).

A KPI that reads earlier periods (``previous``, ``growth``, rolling windows)
sees each metric's *window*: a switched metric brings its values from the
periods before the new period, an unswitched one from those before the old
one. The KPI's own values at the two periods always come from the evaluation
itself, so the shares add up to the change that the user sees.

On the overall row a segment's switch moves each overall metric by that
segment's own change. Where the overall value is not the sum of the
segments' (averages, distinct counts, ``min``/``max``), what remains of the
overall change is shared among the segments in proportion to the size of
their own change, so that all segments switched give the overall value.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import polars as pl
from attrs import field, frozen

from kpirules.engine.attribution import (
    COALITION,
    MAX_PLAYERS,
    coalitions,
    settle,
    shapley,
    switched,
)
from kpirules.engine.compile import Compiler
from kpirules.engine.evaluate import node_expr, node_generations, resolve_period
from kpirules.engine.frame_columns import OVERALL, SEG, YEAR, P
from kpirules.engine.lookback import lookback
from kpirules.engine.result import Result
from kpirules.engine.result_parts import json_number
from kpirules.engine.segment import Segment
from kpirules.errors import DataError, OptionError, OptionHint, UsageError, phrase
from kpirules.lang import periods as periods_mod
from kpirules.lang.model import Ruleset

#: More segments than this: the smallest are grouped as one "others" player.
MAX_SEGMENTS = 12
_T, _KIND = "`t", "`kind"  # offset from the compared period; 0 overall row, 1 segment row


@frozen
class InputShare:
    """One metric's part of the change: its values at both periods and its contribution."""

    name: str
    before: float | None
    after: float | None
    contribution: float


@frozen
class SegmentShare:
    """One segment's part of the change (``others`` > 0: that many small segments together)."""

    segment: dict[str, Any]
    contribution: float
    others: int = 0

    def label(self) -> dict[str, Any]:
        return {"others": self.others} if self.others else dict(self.segment)


@frozen
class Why:
    """A KPI's change between two periods in one row, split among inputs and segments."""

    kpi: str
    unit: str | None
    label: str | None
    better: str | None
    segment: dict[str, Any]
    period: str
    from_period: str
    value: float
    from_value: float
    change: float
    by_input: tuple[InputShare, ...]
    by_segment: tuple[SegmentShare, ...]
    dimensions: tuple[str, ...] = ()
    units: dict[str, str | None] = field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of interfaces §2 (``why``), plus ``unit``, ``label`` and ``better``."""
        return {
            "kpi": self.kpi,
            "segment": dict(self.segment),
            "period": self.period,
            "from": self.from_period,
            "value": json_number(self.value),
            "from_value": json_number(self.from_value),
            "change": json_number(self.change),
            "by_input": [{"name": s.name, "from": json_number(s.before), "to": json_number(s.after),
                          "contribution": json_number(s.contribution)} for s in self.by_input],
            "by_segment": [{"segment": s.label(), "contribution": json_number(s.contribution)}
                           for s in self.by_segment],
            "unit": self.unit,
            "label": self.label,
            "better": self.better,
        }

    def to_polars(self) -> pl.DataFrame:
        """One row per share: ``kind`` (input or segment), ``name``, ``from``, ``to``, ``contribution``."""
        rows: list[dict[str, Any]] = [
            {"kind": "input", "name": s.name, "from": s.before, "to": s.after,
             "contribution": s.contribution} for s in self.by_input]
        rows += [{"kind": "segment", "name": _segment_text(s.label()), "from": None, "to": None,
                  "contribution": s.contribution} for s in self.by_segment]
        schema = {"kind": pl.String, "name": pl.String, "from": pl.Float64, "to": pl.Float64,
                  "contribution": pl.Float64}
        return pl.DataFrame(rows, schema=schema)


def _segment_text(segment: dict[str, Any]) -> str:
    return Segment.of(segment).assignments(", ")


def explain_change(result: Result, kpi: str, period: str | None = None, from_period: str | None = None,
                   segment: dict[str, Any] | None = None) -> Why:
    """Split the change of ``kpi`` from ``from_period`` to ``period`` in one row (default: overall).

    ``period`` defaults to the as-of period, ``from_period`` to the period
    before ``period``. Raises :class:`UsageError` for an unknown name, period
    or segment, and :class:`DataError` when the KPI is null at either period.
    """
    rs = result.ruleset
    full = result.full if result.full is not None else result.frame
    if kpi not in rs.kpis and kpi not in rs.metrics:
        from kpirules.lang.diagnostics import did_you_mean

        hint = did_you_mean(kpi, [*rs.kpis, *rs.metrics])
        raise UsageError(f'no KPI or metric "{kpi}" in the ruleset' + (f" ({hint})" if hint else ""))
    first, last = result.first, int(full[P].max())  # type: ignore[arg-type]
    to_index = result.as_of if period is None else resolve_period(period, rs, first, last)
    if from_period is None:
        if to_index <= first:
            raise UsageError(phrase(f"{periods_mod.label(to_index, rs.grain)} is the first period of the data: "
                                    "there is no period before it to compare with",
                                    OptionHint("from_period", lead=" (give ", purpose=")")))
        from_index = to_index - 1
    else:
        try:
            from_index = resolve_period(from_period, rs, first, last)
        except OptionError as err:
            raise OptionError("from_period", err.value, err.reason) from None
    seg_id = _segment_id(result, full, segment or {})
    value = _cell(full, seg_id, to_index, kpi)
    from_value = _cell(full, seg_id, from_index, kpi)
    where = _segment_text(segment or {})
    for at, v in ((from_index, from_value), (to_index, value)):
        if v is None:
            raise DataError(f"{kpi} has no value ({where}, {periods_mod.label(at, rs.grain)}), "
                            "so its change cannot be explained; `kpirules explain` shows why it is null")
    assert value is not None and from_value is not None
    change = value - from_value
    inputs = _inputs(rs, kpi)
    if len(inputs) > MAX_PLAYERS:
        raise UsageError(f"{kpi} reads {len(inputs)} metrics ({', '.join(inputs)}): an exact split "
                         f"evaluates 2^{len(inputs)} combinations, and at most {MAX_PLAYERS} metrics are split; "
                         "ask why of the intermediate KPIs it reads")
    span = lookback(rs, kpi, result.params)
    back = max(to_index, from_index) - first if span is None else span
    context = _Context(result, full, kpi, to_index, from_index, back, value, from_value)
    by_input = _by_input(context, inputs, seg_id, change)
    by_segment: tuple[SegmentShare, ...] = ()
    if seg_id == 0 and result.dimensions and inputs:
        by_segment = _by_segment(context, inputs, change)
    return Why(kpi=kpi, unit=rs.unit_of(kpi), label=_label_of(rs, kpi), better=_better_of(rs, kpi),
               segment=dict(segment or {}), period=periods_mod.label(to_index, rs.grain),
               from_period=periods_mod.label(from_index, rs.grain), value=value, from_value=from_value,
               change=change, by_input=by_input, by_segment=by_segment,
               dimensions=tuple(result.dimensions),
               units={m: rs.unit_of(m) for m in inputs})


def _label_of(rs: Ruleset, name: str) -> str | None:
    return rs.kpis[name].label if name in rs.kpis else rs.metrics[name].label


def _better_of(rs: Ruleset, name: str) -> str | None:
    return rs.kpis[name].better if name in rs.kpis else None


def _segment_id(result: Result, full: pl.DataFrame, segment: dict[str, Any]) -> int:
    if not segment:
        return 0
    unknown = [d for d in segment if d not in result.dimensions]
    if unknown:
        raise OptionError("segment", "", f"no dimension {', '.join(unknown)} in the data "
                          f"(dimensions: {', '.join(result.dimensions) or 'none'})")
    rows = full.filter(pl.col(SEG) != 0)
    for d in result.dimensions:
        value = segment.get(d)
        rows = rows.filter(pl.col(d).is_null() if value is None else pl.col(d) == str(value))
    if rows.height == 0:
        raise OptionError("segment", "", f"no segment {_segment_text(segment)} in the data")
    return int(rows[SEG][0])


def _cell(full: pl.DataFrame, seg: int, period: int, name: str) -> float | None:
    hit = full.filter((pl.col(SEG) == seg) & (pl.col(P) == period))[name]
    if hit.len() == 0 or hit[0] is None:
        return None
    return float(hit[0])


def _inputs(rs: Ruleset, kpi: str) -> list[str]:
    """The metrics ``kpi`` reads, directly or through other values, in reading order."""
    if kpi in rs.metrics:
        return [kpi]
    ancestors = nx.ancestors(rs.graph, kpi)
    found: list[str] = []
    from kpirules.lang import ast

    def read(name: str, seen: set[str]) -> None:
        if name in seen:
            return
        seen.add(name)
        if name in rs.metrics:
            if name not in found:
                found.append(name)
            return
        exprs: list[ast.Expr] = []
        if name in rs.kpis:
            exprs = [rs.kpis[name].expr]
        elif name in rs.decisions:
            exprs = [b.condition for b in rs.decisions[name].branches if b.condition is not None]
        for expr in exprs:
            for node in ast.walk(expr):
                if isinstance(node, ast.Name):
                    read(node.name, seen)
                elif isinstance(node, ast.IsStatus) and isinstance(node.operand, ast.Name):
                    read(node.operand.name, seen)

    read(kpi, set())
    # anything the graph adds (threshold clauses behind an `is`) comes after, in file order
    found += [m for m in rs.metrics if m in ancestors and m not in found]
    return found


class _Context:
    """What both splits share: the evaluation, the KPI, the two periods and the window."""

    def __init__(self, result: Result, full: pl.DataFrame, kpi: str, to_index: int, from_index: int,
                 back: int, value: float, from_value: float) -> None:
        self.result = result
        self.ruleset = result.ruleset
        self.full = full
        self.kpi = kpi
        self.to_index = to_index
        self.from_index = from_index
        self.back = back
        self.value = value
        self.from_value = from_value
        self.offsets = pl.DataFrame({_T: pl.int_range(-back, 1, eager=True, dtype=pl.Int64)})

    def window(self, seg: int | None, at: int, names: list[str]) -> pl.DataFrame:
        """``_T, SEG, names…``: the values of ``names`` in the ``back`` periods up to ``at``.

        ``seg`` None: every segment row (not the overall one). Periods before
        the data are null.
        """
        rows = self.full.filter(pl.col(P).is_between(at - self.back, at))
        rows = rows.filter(pl.col(SEG) != 0) if seg is None else rows.filter(pl.col(SEG) == seg)
        rows = rows.select((pl.col(P) - at).alias(_T), pl.col(SEG), *[pl.col(n).cast(pl.Float64) for n in names])
        keys = pl.DataFrame({SEG: rows[SEG].unique().sort()}) if seg is None else \
            pl.DataFrame({SEG: [seg]}, schema={SEG: rows.schema[SEG]})
        grid = keys.join(self.offsets, how="cross")
        return grid.join(rows, on=[SEG, _T], how="left")

    def values_of_worlds(self, worlds: pl.DataFrame, players: int, kind: int) -> pl.Series:
        """The KPI in each coalition's world, in coalition order (the compared row's ``kind``).

        ``worlds`` holds ``COALITION, _T, _KIND`` and every column the KPI
        reads; synthetic periods and segments keep each world's window apart,
        so that ``previous``/``overall`` see only their own world.
        """
        rs = self.ruleset
        width = self.back + 1
        frame = worlds.with_columns(
            (pl.col(COALITION) * width + pl.col(_T) + self.back).alias(P),
            (pl.col(COALITION) * 2 + pl.col(_KIND)).cast(pl.Int32).alias(SEG),
            (pl.col(_KIND) == 0).alias(OVERALL),
        )
        if YEAR in self.full.columns:  # ytd: the new period's year boundaries
            years = {t: periods_mod.year_of(self.to_index + t, rs.grain) for t in range(-self.back, 1)}
            frame = frame.with_columns(pl.col(_T).replace_strict(years, return_dtype=pl.Int32).alias(YEAR))
        frame = frame.sort([SEG, P])
        needed = nx.ancestors(rs.graph, self.kpi) | {self.kpi}
        compiler = Compiler(rs, self.result.params, set(frame.columns) | set(rs.kpis) | set(rs.decisions),
                            rs.functions)
        lazy = frame.lazy()
        for generation in node_generations(rs):
            nodes = [n for n in generation if n in needed]
            if nodes:
                lazy = lazy.with_columns([node_expr(rs, compiler, n) for n in nodes])
        values = (lazy.filter((pl.col(_T) == 0) & (pl.col(_KIND) == kind))
                  .sort(COALITION).select(pl.col(self.kpi).cast(pl.Float64)).collect())[self.kpi]
        # the two ends are the evaluation's own values, whatever the windows' edges
        values = values.scatter([0, 2**players - 1], [self.from_value, self.value])
        if values.null_count():
            bad = int(values.is_null().arg_true()[0])
            raise DataError(f"{self.kpi} has no value when only some of its inputs change "
                            f"(world {bad:b}), so its change cannot be split exactly")
        return values


def _by_input(ctx: _Context, inputs: list[str], seg: int, change: float) -> tuple[InputShare, ...]:
    kinds = [0] if seg == 0 else [1, 0]  # a segment's KPI may read overall(x): both rows switch
    dims = list(ctx.result.dimensions)
    parts = []
    for kind in kinds:
        row_seg = seg if kind == 1 else 0
        new = ctx.window(row_seg, ctx.to_index, inputs)
        old = ctx.window(row_seg, ctx.from_index, inputs)
        both = new.join(old, on=[SEG, _T], suffix="`old").with_columns(pl.lit(kind).alias(_KIND))
        if kind == 1:
            labels = ctx.full.filter(pl.col(SEG) == seg).select(dims).head(1)
            both = both.join(labels, how="cross")
        else:
            both = both.with_columns([pl.lit(None, pl.String).alias(d) for d in dims])
        parts.append(both.drop(SEG))
    rows = pl.concat(parts, how="vertical_relaxed")
    worlds = coalitions(len(inputs)).join(rows, how="cross").with_columns(
        [pl.when(pl.col(switched(i))).then(pl.col(m)).otherwise(pl.col(m + "`old")).alias(m)
         for i, m in enumerate(inputs)])
    values = ctx.values_of_worlds(worlds, len(inputs), 1 if seg else 0)
    shares = shapley(values, len(inputs))
    before = [_cell(ctx.full, seg, ctx.from_index, m) for m in inputs]
    after = [_cell(ctx.full, seg, ctx.to_index, m) for m in inputs]
    order = sorted(range(len(inputs)), key=lambda i: (-abs(shares[i]), i))
    settled = settle([shares[i] for i in order], change)
    return tuple(InputShare(inputs[i], before[i], after[i], share) for i, share in zip(order, settled, strict=True))


def _by_segment(ctx: _Context, inputs: list[str], change: float) -> tuple[SegmentShare, ...]:
    """The change of the overall row split among segments (at most 12, then ``others``)."""
    dims = list(ctx.result.dimensions)
    new = ctx.window(None, ctx.to_index, inputs)
    old = ctx.window(None, ctx.from_index, inputs)
    if new.height == 0:
        return ()
    deltas = new.join(old, on=[SEG, _T], suffix="`old", how="full", coalesce=True).select(
        SEG, _T, *[(pl.col(m).fill_null(0.0) - pl.col(m + "`old").fill_null(0.0)).alias(m) for m in inputs])
    overall_new = ctx.window(0, ctx.to_index, inputs).drop(SEG)
    overall_old = ctx.window(0, ctx.from_index, inputs).drop(SEG)
    totals = overall_new.join(overall_old, on=_T, suffix="`old").select(
        _T, *[(pl.col(m) - pl.col(m + "`old")).alias(m + "`total") for m in inputs])
    sums = deltas.group_by(_T).agg(
        *[pl.col(m).sum().alias(m + "`sum") for m in inputs],
        *[pl.col(m).abs().sum().alias(m + "`abs") for m in inputs],
        pl.len().alias("`n"))
    deltas = deltas.join(totals, on=_T).join(sums, on=_T)
    shares = []
    for m in inputs:
        rest = pl.col(m + "`total") - pl.col(m + "`sum")
        spread = pl.when(pl.col(m + "`abs") > 0).then(rest * pl.col(m).abs() / pl.col(m + "`abs")) \
            .otherwise(rest / pl.col("`n"))
        shares.append((pl.col(m) + spread).alias(m))
    deltas = deltas.select(SEG, _T, *shares)
    players = _players(deltas, inputs)
    count = int(players["`player"].max()) + 1  # type: ignore[arg-type]
    grouped = deltas.join(players, on=SEG).group_by(["`player", _T]).agg(
        [pl.col(m).sum() for m in inputs])
    wide = grouped.pivot(on="`player", index=_T, values=inputs, separator="`p")
    base = overall_old.rename({m: m + "`base" for m in inputs})
    rows = ctx.offsets.join(base, on=_T, how="left").join(wide, on=_T, how="left").with_columns(
        pl.lit(0).alias(_KIND), *[pl.lit(None, pl.String).alias(d) for d in dims])
    worlds = coalitions(count).join(rows, how="cross")
    moved = []
    for m in inputs:
        terms = [pl.when(pl.col(switched(j))).then(pl.col(_pivot_name(m, j, inputs)).fill_null(0.0))
                 .otherwise(0.0) for j in range(count)]
        moved.append((pl.col(m + "`base") + pl.sum_horizontal(terms)).alias(m))
    worlds = worlds.with_columns(moved)
    values = ctx.values_of_worlds(worlds, count, 0)
    shares_of = shapley(values, count)
    segments = _player_segments(ctx, players, dims, count)
    order = sorted(range(count), key=lambda j: (-abs(shares_of[j]), j))
    settled = settle([shares_of[j] for j in order], change)
    return tuple(SegmentShare(segments[j][0], share, segments[j][1]) for j, share in zip(order, settled, strict=True))


def _pivot_name(metric: str, player: int, inputs: list[str]) -> str:
    """Polars names pivoted columns ``VALUE<sep>PLAYER`` when there are several values."""
    return f"{metric}`p{player}" if len(inputs) > 1 else str(player)


def _players(deltas: pl.DataFrame, inputs: list[str]) -> pl.DataFrame:
    """``SEG, `player``: each segment's player; beyond 12 segments, the smallest share one.

    A segment's size is its part of each metric's change (at the compared
    period), as a fraction of that metric's whole change in absolute terms,
    summed over the metrics: unit-free, so euros and visits weigh alike.
    """
    now = deltas.filter(pl.col(_T) == 0)
    score = pl.sum_horizontal([
        pl.when(pl.col(m).abs().sum() > 0).then(pl.col(m).abs() / pl.col(m).abs().sum()).otherwise(0.0)
        for m in inputs])
    ranked = now.select(SEG, score.alias("`score")).sort(["`score", SEG], descending=[True, False])
    segs = ranked[SEG].to_list()
    if len(segs) <= MAX_SEGMENTS:
        chosen = sorted(segs)
        player = {s: i for i, s in enumerate(chosen)}
    else:
        chosen = sorted(segs[:MAX_SEGMENTS])
        player = {s: i for i, s in enumerate(chosen)}
        player.update({s: MAX_SEGMENTS for s in segs[MAX_SEGMENTS:]})
    return pl.DataFrame({SEG: list(player), "`player": list(player.values())},
                        schema={SEG: deltas.schema[SEG], "`player": pl.Int64})


def _player_segments(ctx: _Context, players: pl.DataFrame, dims: list[str],
                     count: int) -> list[tuple[dict[str, Any], int]]:
    """Each player's segment (its dimension values), or ``({}, N)`` for the N grouped ones."""
    labels = ctx.full.filter(pl.col(SEG) != 0).select(SEG, *dims).unique(SEG)
    table = players.join(labels, on=SEG, how="left")
    out: list[tuple[dict[str, Any], int]] = []
    for j in range(count):
        members = table.filter(pl.col("`player") == j)
        if j == MAX_SEGMENTS and members.height > 0:
            out.append(({}, members.height))
        else:
            row = members.row(0, named=True)
            out.append(({d: row[d] for d in dims}, 0))
    return out
