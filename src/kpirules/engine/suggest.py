"""Targets from history (``kpirules suggest``): what is normal, and what is ambitious.

For a KPI, from its own values over the last ``periods`` periods up to the
as-of period:

* **Bands** (a threshold): the warning level is the 25th percentile of the
  values when higher is better (the 75th when lower is better), the critical
  level the 10th (the 90th): a quarter of the past periods would have been
  warnings, a tenth critical. Percentiles interpolate linearly between the
  sorted values (the spreadsheets' ``PERCENTILE.INC``), so the figures are
  reproducible by hand. One threshold per segment with at least
  ``min_values`` values of its own (a ``where`` on its dimension values),
  then one for every other row (the overall row, a new segment) from all
  values together.
* **A volume guard**: when the KPI is a ratio (``leads / visits``), rows
  whose denominator is below its 10th percentile (over the segments' rows
  of the window) are left out of the percentiles and out of the threshold's
  reach (``where visits >= 120``): a 0% conversion on three visits is noise,
  not news.
* **An objective**: the best *sustained* pace of the overall row, the best
  compound rate per period over any ``pace_window`` consecutive periods
  (six by default, so one good month is not a pace) — the slope of the
  least-squares line through the logarithms of the stretch's values, so
  that neither end alone decides — kept for ``horizon`` periods from the
  as-of period. Only for a KPI with a ``better`` direction
  whose values are positive.

Values are rounded to three significant digits (a tenth of a point for
percents) in the rule text, and the figures behind each proposal are kept.
Deterministic: the same data gives the same text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
from attrs import frozen

from kpirules.engine.compile import Compiler
from kpirules.engine.frame_columns import SEG, P
from kpirules.engine.result import Result
from kpirules.errors import OptionError
from kpirules.lang import ast
from kpirules.lang import periods as periods_mod

#: The percentiles behind the bands: (warning, critical) on the bad side.
BAD_LOW = (0.25, 0.10)
BAD_HIGH = (0.75, 0.90)
GUARD_PERCENTILE = 0.10


@frozen
class Band:
    """A proposed threshold for one segment (``{}``: every row no other band covers)."""

    segment: dict[str, Any]
    values: int
    median: float
    warning: float
    critical: float


@frozen
class Pace:
    """The best sustained pace of the overall row, and the objective it gives."""

    rate: float  # compound change per period
    start: str
    end: str
    amount: float  # the relative change over the horizon (0.268 for +26.8%)
    kind: str  # increase or decrease
    deadline: str


@frozen
class Suggestion:
    """Proposals for one KPI, with the figures behind them."""

    kpi: str
    unit: str | None
    better: str | None
    op: str  # the comparison of the bands: "<" when higher is better, ">" when lower is
    periods: tuple[str, str]
    bands: tuple[Band, ...]
    guard_text: str | None
    guard_value: float | None
    pace: Pace | None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi, "unit": self.unit, "better": self.better, "op": self.op,
            "from": self.periods[0], "to": self.periods[1],
            "guard": None if self.guard_text is None else {"expression": self.guard_text, "min": self.guard_value},
            "bands": [{"segment": b.segment, "values": b.values, "median": b.median, "warning": b.warning,
                       "critical": b.critical} for b in self.bands],
            "objective": None if self.pace is None else {
                "rate_per_period": self.pace.rate, "from": self.pace.start, "to": self.pace.end,
                "kind": self.pace.kind, "amount": self.pace.amount, "deadline": self.pace.deadline},
            "note": self.note,
        }


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (``PERCENTILE.INC``)."""
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def suggest(result: Result, kpis: Sequence[str] | None = None, *, periods: int = 12, min_values: int = 6,
            pace_window: int = 6, horizon: int = 12) -> list[Suggestion]:
    """Proposals for ``kpis`` (default: every KPI without a threshold) from ``result``'s history."""
    rs = result.ruleset
    full = result.full if result.full is not None else result.frame
    if kpis:
        unknown = [k for k in kpis if k not in rs.kpis and k not in rs.metrics]
        if unknown:
            raise OptionError("kpis", unknown[0], "no KPI or metric of that name in the ruleset")
        names = list(kpis)
    else:
        names = [k for k in rs.kpis if k not in rs.thresholds]
    for option, value, least in (("periods", periods, 2), ("min_values", min_values, 2),
                                 ("pace_window", pace_window, 2), ("horizon", horizon, 1)):
        if value < least:
            raise OptionError(option, str(value), f"must be at least {least}")
    start = max(result.first, result.as_of - periods + 1)
    window = full.filter(pl.col(P).is_between(start, result.as_of))
    span = (periods_mod.label(start, rs.grain), periods_mod.label(result.as_of, rs.grain))
    return [_one(result, window, name, span, min_values, pace_window, horizon) for name in names]


def _one(result: Result, window: pl.DataFrame, name: str, span: tuple[str, str], min_values: int,
         pace_window: int, horizon: int) -> Suggestion:
    rs = result.ruleset
    better = rs.kpis[name].better if name in rs.kpis else None
    unit = rs.unit_of(name)
    op = ">" if better == "lower" else "<"
    levels = BAD_HIGH if better == "lower" else BAD_LOW
    guard_expr = _denominator(rs, name)
    guard_text, guard_value = None, None
    frame = window.select(P, SEG, *result.dimensions, pl.col(name).cast(pl.Float64).alias("`v"))
    if guard_expr is not None:
        compiler = Compiler(rs, result.params, set(window.columns))
        volume = window.select(compiler.compile(guard_expr).cast(pl.Float64).alias("`volume"))["`volume"]
        frame = frame.with_columns(volume)
        pool = frame.filter(pl.col(SEG) != 0) if frame.filter(pl.col(SEG) != 0).height else frame
        volumes = sorted(v for v in pool["`volume"].to_list() if v is not None and v > 0)
        if volumes:
            guard_value = _round_down(percentile(volumes, GUARD_PERCENTILE))
            if guard_value > 0:
                from kpirules.engine.explain import source_text

                guard_text = source_text(rs, guard_expr)
                frame = frame.filter(pl.col("`volume") >= guard_value)
    frame = frame.filter(pl.col("`v").is_not_null())
    bands: list[Band] = []
    for _segment_id, rows in sorted(frame.filter(pl.col(SEG) != 0).group_by(SEG), key=lambda g: int(g[0][0])):
        values = sorted(rows["`v"].to_list())
        if len(values) >= min_values:
            segment = {d: rows[d][0] for d in result.dimensions}
            bands.append(_band(segment, values, levels, unit))
    everything = sorted(frame["`v"].to_list())
    note = None
    if len(everything) >= min_values:
        bands.append(_band({}, everything, levels, unit))
    elif not bands:
        note = f"fewer than {min_values} values in {span[0]} → {span[1]}: no band proposed"
    if better is None:
        note = (note + "; " if note else "") + f"{name} has no `better` direction: the bands assume higher is better"
    pace = _pace(result, name, better, pace_window, horizon)
    return Suggestion(name, unit, better, op, span, tuple(bands), guard_text, guard_value, pace, note)


def _band(segment: dict[str, Any], values: list[float], levels: tuple[float, float], unit: str | None) -> Band:
    warning, critical = (percentile(values, q) for q in levels)
    return Band(segment, len(values), _round(percentile(values, 0.5), unit), _round(warning, unit),
                _round(critical, unit))


def _denominator(rs: Any, name: str) -> ast.Expr | None:
    """The denominator of a ratio KPI (``leads / visits`` → ``visits``), if it is one."""
    if name not in rs.kpis:
        return None
    expr = rs.kpis[name].expr
    if isinstance(expr, ast.Binary) and expr.op == "/":
        names = [n for n in ast.walk(expr.right) if isinstance(n, ast.Name)]
        if names and all(n.name in rs.metrics or n.name in rs.kpis or n.name in rs.params for n in names) \
                and not any(isinstance(n, ast.Call) for n in ast.walk(expr.right)):
            return expr.right
    return None


def _pace(result: Result, name: str, better: str | None, width: int, horizon: int) -> Pace | None:
    """The best compound rate per period over ``width`` consecutive periods of the overall row."""
    if better is None:
        return None
    rs = result.ruleset
    full = result.full if result.full is not None else result.frame
    series = full.filter((pl.col(SEG) == 0) & (pl.col(P) <= result.as_of)).sort(P)
    values = series[name].cast(pl.Float64).to_list()
    indices = series[P].to_list()
    width = min(width, len(values))
    if width < 3:
        return None
    best: tuple[float, int] | None = None
    for i in range(len(values) - width + 1):
        stretch = values[i:i + width]
        if any(v is None or v <= 0 for v in stretch):
            continue
        rate = _compound_rate([float(v) for v in stretch if v is not None])
        # a later stretch must do better by more than rounding noise to replace an earlier one
        if best is None or (rate > best[0] + 1e-12 if better == "higher" else rate < best[0] - 1e-12):
            best = (rate, i)
    if best is None:
        return None
    rate, i = best
    if (rate <= 0 and better == "higher") or (rate >= 0 and better == "lower"):
        return None  # it never improved over such a stretch: no pace to keep
    total = (1 + rate) ** horizon - 1
    kind = "increase" if better == "higher" else "decrease"
    return Pace(rate, periods_mod.label(indices[i], rs.grain), periods_mod.label(indices[i + width - 1], rs.grain),
                round(abs(total), 3), kind, periods_mod.label(result.as_of + horizon, rs.grain))


def _compound_rate(values: list[float]) -> float:
    """The rate per period of the least-squares line through the logarithms of ``values``.

    A fit through every value of the stretch, not the ratio of its two ends,
    so that one lucky or unlucky period at either end does not make a pace.
    """
    n = len(values)
    logs = [math.log(v) for v in values]
    x_mean, y_mean = (n - 1) / 2, sum(logs) / n
    slope = sum((x - x_mean) * (y - y_mean) for x, y in enumerate(logs)) / \
        sum((x - x_mean) ** 2 for x in range(n))
    return math.exp(slope) - 1


def _round(value: float, unit: str | None) -> float:
    """Three significant digits; a tenth of a point for a percent (0.2134 → 0.213); halves away from zero."""
    if value == 0:
        return 0.0
    digits = 3 if unit == "percent" else 2 - math.floor(math.log10(abs(value)))
    exponent = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP))


def _round_down(value: float) -> float:
    """Two significant digits, rounded down: the guard leaves out no more than the tenth it was computed from."""
    if value <= 0:
        return 0.0
    scale = 10 ** (math.floor(math.log10(value)) - 1)
    return math.floor(value / scale) * scale
