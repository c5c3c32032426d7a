"""What-if scenarios (interfaces §2, ``kpirules whatif``): edit metrics, re-evaluate, compare.

A scenario starts from an evaluation (the *before*), edits metric values in
the selected segment rows (at the as-of period, or every period), recomputes
the overall rows from the edited segments, evaluates everything again (the
*after*: KPIs, statuses, decisions, rules, objectives, and every later
period that reads the edited ones through ``previous`` or a window), and
lists what changed.

Overall rows are recomputed from the segment rows the way the rollup builds
them (language §11): a ``sum`` (and ``first``/``last``, summed across
segments) moves by the sum of the segments' changes; ``min``/``max`` is
taken again over the segments; an ``avg`` moves by the mean of the
segments' changes (each segment weighs the same: the number of input rows
behind each segment's average is not kept after the rollup). Starting
from the overall value the evaluation computed, and moving it by what the
edit changed, keeps exact what the edit does not touch (distinct counts, a
table that has no segment column).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import polars as pl
from attrs import frozen

from kpirules.engine.evaluate import evaluate_normalised
from kpirules.engine.frame_columns import OVERALL, SEG, P, rule_col, status_col
from kpirules.engine.normalise import Normalised
from kpirules.engine.result import Result
from kpirules.engine.result_parts import json_number
from kpirules.engine.segment import Segment
from kpirules.errors import OptionError
from kpirules.lang import periods as periods_mod
from kpirules.lang.functions import FunctionRegistry
from kpirules.lang.model import Ruleset

Op = Literal["=", "+=", "-=", "*="]
ChangeKind = Literal["value", "status", "decision", "rule", "objective"]

_EDIT = re.compile(r"^\s*(?:`(?P<quoted>[^`]+)`|(?P<name>[A-Za-z_][A-Za-z0-9_]*))\s*"
                   r"(?P<op>\+=|-=|\*=|=)\s*(?P<amount>[^\s]+)\s*$")


@frozen
class Edit:
    """One metric edit: ``spend*=1.2``, ``visits+=1000``, ``leads=0``."""

    metric: str
    op: Op
    amount: float
    text: str
    where: tuple[tuple[str, str], ...] = ()  # this edit's own segments (``… where channel=display``)

    def apply(self, value: pl.Expr) -> pl.Expr:
        """The edited value (``null`` stays ``null`` except for ``=``)."""
        amount = pl.lit(self.amount, pl.Float64)
        if self.op == "=":
            return amount
        if self.op == "+=":
            return value + amount
        if self.op == "-=":
            return value - amount
        return value * amount

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "op": self.op, "amount": json_number(self.amount), "text": self.text,
                "where": dict(self.where)}


def parse_edit(text: str, ruleset: Ruleset) -> Edit:
    """``METRIC=VALUE``, ``METRIC+=N``, ``METRIC-=N`` or ``METRIC*=FACTOR``; a usage error otherwise.

    The amount is a number as in the language (``1_000``, ``2.5e3``, ``120%``
    is ``1.2``); a decimal comma is read as a point (``1,2``). An edit may
    name its own segments after ``where`` (``spend*=0.8 where channel=display``,
    several as ``channel=display,country=FR``), so that one scenario moves
    budget from one channel to another; they add to the scenario's ``where``.
    """
    parts = re.split(r"\s+where\s+", text.strip(), maxsplit=1)
    edit_text, where_text = parts[0], parts[1] if len(parts) > 1 else ""
    match = _EDIT.match(edit_text)
    if not match:
        raise OptionError("edits", text, "write METRIC=VALUE, METRIC+=N, METRIC-=N or METRIC*=FACTOR "
                          "(spend*=1.2, visits+=1000), optionally followed by where DIM=VALUE")
    name = match["quoted"] or match["name"]
    if name not in ruleset.metrics:
        if name in ruleset.kpis:
            raise OptionError("edits", text, f'"{name}" is a KPI, computed from other values; '
                              "edit the metrics it reads")
        from kpirules.lang.diagnostics import did_you_mean

        hint = did_you_mean(name, ruleset.metrics)
        raise OptionError("edits", text, f'the ruleset has no metric "{name}"' + (f" ({hint})" if hint else ""))
    raw = match["amount"].replace("_", "")
    percent = raw.endswith("%")
    number = raw[:-1] if percent else raw
    if number.count(",") == 1 and "." not in number:
        number = number.replace(",", ".")
    try:
        amount = float(number)
    except ValueError:
        raise OptionError("edits", text, f'"{match["amount"]}" is not a number') from None
    if amount != amount or amount in (float("inf"), float("-inf")):
        raise OptionError("edits", text, "the amount must be a finite number")
    where: list[tuple[str, str]] = []
    for item in (i for i in where_text.split(",") if i.strip()):
        dim, sep, value = item.partition("=")
        if not sep or not dim.strip():
            raise OptionError("edits", text, "write where DIM=VALUE (several: DIM=VALUE,DIM=VALUE)")
        where.append((dim.strip(), value.strip()))
    op: Op = match["op"]  # type: ignore[assignment]
    return Edit(name, op, amount / 100 if percent else amount, text.strip(), tuple(where))


@frozen
class Change:
    """One thing that moved in the scenario: before → after, in one row."""

    period: str
    segment: dict[str, Any]
    kind: ChangeKind
    name: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "segment": dict(self.segment), "kind": self.kind, "name": self.name,
                "before": json_number(self.before), "after": json_number(self.after)}


@frozen
class Scenario:
    """The evaluation before and after the edits, and what changed between them."""

    edits: tuple[Edit, ...]
    where: dict[str, Any]
    all_periods: bool
    before: Result
    after: Result
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()  # what the reader should know about how the scenario was computed

    def to_dict(self) -> dict[str, Any]:
        """The scenario's JSON document (interfaces §3) plus ``changes``, ``edits``, ``where`` and ``notes``."""
        doc = self.after.to_dict()
        doc["notes"] = list(self.notes)
        doc["changes"] = [c.to_dict() for c in self.changes]
        doc["edits"] = [e.to_dict() for e in self.edits]
        doc["where"] = dict(self.where)
        doc["all_periods"] = self.all_periods
        return doc

    def to_polars(self) -> pl.DataFrame:
        """One row per change: period, segment (as text), kind, name, before, after (as text)."""
        rows = [{"period": c.period, "segment": Segment.of(c.segment).assignments(", ", ""),
                 "kind": c.kind, "name": c.name,
                 "before": None if c.before is None else str(json_number(c.before)),
                 "after": None if c.after is None else str(json_number(c.after))} for c in self.changes]
        return pl.DataFrame(rows, schema={k: pl.String for k in
                                          ("period", "segment", "kind", "name", "before", "after")})


def run_scenario(before: Result, edits: Sequence[Edit], where: Mapping[str, Any] | None = None, *,
                 all_periods: bool = False, functions: FunctionRegistry | None = None) -> Scenario:
    """Apply ``edits`` to the segment rows ``where`` selects, re-evaluate, and compare with ``before``."""
    if not edits:
        raise OptionError("edits", "", "give at least one edit (METRIC=VALUE, METRIC*=FACTOR…)")
    rs = before.ruleset
    where = dict(where or {})
    full = before.full if before.full is not None else before.frame
    metrics = list(rs.metrics)
    frame = full.select(P, SEG, OVERALL, *before.dimensions, *metrics)
    has_segments = bool(before.dimensions) and bool(frame.filter(pl.col(SEG) != 0).height)
    rows = pl.col(SEG) != 0 if has_segments else pl.col(SEG) == 0
    if not all_periods:
        rows = rows & (pl.col(P) == before.as_of)
    edited = frame.with_columns(pl.lit(False).alias("`edited"))
    for edit in edits:
        selected = rows & _selection(frame, before.dimensions, {**where, **dict(edit.where)},
                                     ("where", "") if not edit.where else ("edits", edit.text))
        m = edit.metric
        edited = edited.with_columns(
            pl.when(selected).then(edit.apply(pl.col(m))).otherwise(pl.col(m)).alias(m),
            (pl.col("`edited") | selected).alias("`edited"))
    if has_segments:
        edited = _recompute_overall(edited, frame, rs, sorted({e.metric for e in edits}))
    norm = Normalised(frame=edited.drop("`edited").sort([SEG, P]), dimensions=list(before.dimensions),
                      first=before.first,
                      last=int(full[P].max()),  # type: ignore[arg-type]
                      warnings=list(before.warnings), bad_values=before.bad_values)
    after = evaluate_normalised(rs, norm, dict(before.params), before.as_of, history=before.history,
                                functions=functions)
    averaged = sorted({e.metric for e in edits if rs.metrics[e.metric].agg == "avg"}) if has_segments else []
    notes = tuple(f"{m} is an average (agg avg): its overall value moves by the mean of the segments' changes, "
                  "each segment weighing the same (the rows behind each segment's average are not counted "
                  "again), so it is exact only when the segments average as many rows" for m in averaged)
    return Scenario(tuple(edits), where, all_periods, before, after, tuple(_changes(before, after)), notes)


def _selection(frame: pl.DataFrame, dimensions: Sequence[str], where: Mapping[str, Any],
               given: tuple[str, str]) -> pl.Expr:
    """The rows of the segments ``where`` names; an unknown dimension or segment is an
    :class:`OptionError` of ``given`` (the option and its value)."""
    unknown = [d for d in where if d not in dimensions]
    if unknown:
        raise OptionError(*given, f"no dimension {', '.join(unknown)} in the data "
                          f"(dimensions: {', '.join(dimensions) or 'none'})")
    selected = pl.lit(True)
    for dim, value in where.items():
        selected = selected & (pl.col(dim) == str(value))
    if where and frame.filter(selected).height == 0:
        raise OptionError(*given, f"no segment {Segment.of(where).assignments(', ')} in the data")
    return selected


def _recompute_overall(edited: pl.DataFrame, original: pl.DataFrame, rs: Ruleset,
                       metrics: list[str]) -> pl.DataFrame:
    """Overall rows moved by what the edits changed in the segment rows of their period."""
    segs_new = edited.filter(pl.col(SEG) != 0)
    segs_old = original.filter(pl.col(SEG) != 0)
    moves = []
    for m in metrics:
        agg = rs.metrics[m].agg
        if agg in ("min", "max"):
            moves.append((pl.col(m).min() if agg == "min" else pl.col(m).max()).alias(m + "`new"))
        elif agg == "avg":
            moves.append(pl.col(m + "`delta").mean().alias(m + "`move"))
        else:
            moves.append(pl.col(m + "`delta").sum().alias(m + "`move"))
            moves.append(pl.col(m).is_not_null().any().alias(m + "`any"))
    deltas = segs_new.select(P, SEG, *metrics).join(
        segs_old.select(P, SEG, *metrics), on=[P, SEG], suffix="`old").with_columns(
        [(pl.col(m).fill_null(0.0) - pl.col(m + "`old").fill_null(0.0)).alias(m + "`delta") for m in metrics])
    per_period = deltas.group_by(P).agg(moves)
    touched = edited.filter(pl.col("`edited")).select(P).unique().with_columns(pl.lit(True).alias("`touched"))
    overall = edited.filter(pl.col(SEG) == 0).join(per_period, on=P, how="left").join(touched, on=P, how="left")
    updates = []
    for m in metrics:
        agg = rs.metrics[m].agg
        if agg in ("min", "max"):
            value = pl.col(m + "`new")
        elif agg == "avg":
            value = pl.col(m) + pl.col(m + "`move")
        else:
            value = pl.when(pl.col(m + "`any")).then(pl.col(m).fill_null(0.0) + pl.col(m + "`move"))
        updates.append(pl.when(pl.col("`touched").fill_null(False)).then(value).otherwise(pl.col(m)).alias(m))
    overall = overall.with_columns(updates).select(edited.columns)
    return pl.concat([overall, edited.filter(pl.col(SEG) != 0)], how="vertical")


def _changes(before: Result, after: Result) -> list[Change]:
    """Every value, status, decision, rule and objective that differs, row by row."""
    rs = before.ruleset
    out: list[Change] = []
    columns: list[tuple[ChangeKind, str, str]] = [("value", n, n) for n in [*rs.metrics, *rs.kpis]]
    columns += [("status", n, status_col(n)) for n in rs.thresholds]
    columns += [("decision", n, n) for n in rs.decisions]
    columns += [("rule", n, rule_col(n)) for n in rs.rules]
    old, new = before.frame, after.frame
    keys = [P, SEG]
    joined = old.select(*keys, *before.dimensions, *[c for _, _, c in columns]).join(
        new.select(*keys, *[c for _, _, c in columns]), on=keys, suffix="`after", how="left")
    differs = [_differs(pl.col(c), pl.col(c + "`after")).alias(c + "`differs") for _, _, c in columns]
    flagged = joined.with_columns(differs).filter(pl.any_horizontal([pl.col(c + "`differs")
                                                                     for _, _, c in columns]))
    for row in flagged.iter_rows(named=True):
        period = periods_mod.label(row[P], rs.grain)
        segment = before.segment_of(row)
        for kind, name, col in columns:
            if row[col + "`differs"]:
                out.append(Change(period, segment, kind, name, row[col], row[col + "`after"]))
    old_objectives = {(o.name, o.segment): o for o in before.objectives}
    for objective in after.objectives:
        previous = old_objectives.get((objective.name, objective.segment))
        if previous is not None and previous.status != objective.status:
            out.append(Change(objective.judged_at or after.as_of_label, dict(objective.segment),
                              "objective", objective.name, previous.status, objective.status))
    return out


def _differs(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Null-aware inequality: null and null are the same; null and a value differ."""
    return pl.when(a.is_null() & b.is_null()).then(False).when(a.is_null() | b.is_null()).then(True) \
        .otherwise(a != b)


def whatif(ruleset: Ruleset, data: Any, edits: Sequence[str | Edit], *, where: Mapping[str, Any] | None = None,
           all_periods: bool = False, **options: Any) -> Scenario:
    """Evaluate ``data`` (options as :func:`kpirules.engine.evaluate.evaluate`), apply ``edits`` and compare.

    ``edits`` are :class:`Edit` objects or their text (``"spend*=1.2"``);
    ``where`` selects segments (``{"channel": "display"}``); ``all_periods``
    edits every period rather than the as-of one (and reports them all).
    """
    from kpirules.engine.evaluate import evaluate

    parsed = [e if isinstance(e, Edit) else parse_edit(e, ruleset) for e in edits]
    if all_periods:
        options["history"] = True
    before = evaluate(ruleset, data, **options)
    return run_scenario(before, parsed, where, all_periods=all_periods, functions=options.get("functions"))
