"""KPI history charts for the HTML report: hand-made inline SVG, no plotting library.

One line chart per KPI over the periods of the document. What a reader needs
and nothing more:

* a handful of lines: the overall level in bold, the segments that matter
  (chosen by the caller), each in its own colour; every other segment drawn
  as a thin grey context line that lights up under the pointer;
* the y scale fitted to the values, not to the thresholds: a threshold band
  is drawn where it meets the plotted range and clipped there, and a
  threshold far outside the data is named at the edge instead of squashing
  the lines into a corner;
* tooltips (period, segment, value, status) as SVG ``<title>`` elements,
  which every browser shows without a script, so the file stays
  self-contained and works offline;
* text as text in the browser's fonts; ids are not needed at all.

Values are formatted by the caller (a ``format`` function of the report's
locale), so the axes speak the report's language.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

import attrs

from kpirules.report.values import is_number

#: Line colours of segments: the colour-blind-safe qualitative palettes of
#: Okabe & Ito and Paul Tol, darkened where a colour is too pale on white.
PALETTE = (
    "#0072b2",  # blue
    "#e69f00",  # orange
    "#009e73",  # bluish green
    "#cc79a7",  # reddish purple
    "#d55e00",  # vermillion
    "#56b4e9",  # sky blue
    "#882255",  # wine
    "#999933",  # olive
    "#332288",  # indigo
    "#44aa99",  # teal
)
OVERALL_COLOR = "#111827"
CONTEXT_COLOR = "#9ca3af"
BAND_COLORS = {"critical": "#fde2e1", "warning": "#fdf1cf"}
BAND_EDGES = {"critical": "#dc2626", "warning": "#d97706"}

#: Above this many periods, lines are drawn without point markers.
MARKER_MAX_PERIODS = 24
#: A threshold at most this far outside the data's range (in ranges) is
#: brought into view; farther, it is named at the edge.
BAND_REACH = 0.35

WIDTH, HEIGHT = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 70, 14, 12, 26

_LOW_SIDE = {"<", "<="}
_HIGH_SIDE = {">", ">="}


def segment_colors(names: Sequence[str]) -> dict[str, str]:
    """A colour per segment name, derived from the name, distinct within ``names``.

    Each name has a preferred slot of the palette (a CRC of the name, the
    same in every report and every run); names are served in sorted order and
    a taken slot moves on to the next free one, so that two segments of one
    report never share a colour while there are colours left. The same set
    of segments always gets the same colours, whatever the drawing order.
    """
    taken: set[int] = set()
    colors: dict[str, str] = {}
    for name in sorted(set(names)):
        slot = zlib.crc32(name.encode("utf-8")) % len(PALETTE)
        if len(taken) < len(PALETTE):
            while slot in taken:
                slot = (slot + 1) % len(PALETTE)
        taken.add(slot)
        colors[name] = PALETTE[slot]
    return colors


@attrs.frozen
class Series:
    """One line of a chart: a label, a colour, a value and a status per period.

    ``role`` is ``overall`` (bold), ``focus`` (coloured) or ``context`` (thin
    grey, shown on hover).
    """

    label: str
    color: str
    values: tuple[float | None, ...]
    role: str = "focus"
    statuses: tuple[str | None, ...] = ()

    @property
    def overall(self) -> bool:
        return self.role == "overall"


@attrs.frozen
class Band:
    """A shaded threshold region: values beyond ``value`` on ``side`` are ``level``."""

    level: str
    value: float
    side: str  # "low" or "high"


def threshold_bands(entries: Sequence[Mapping[str, Any]] | None, better: str | None) -> list[Band]:
    """The constant bands of a KPI's threshold, from ``doc["thresholds"][kpi]``.

    The threshold that applies everywhere (no ``where``) is preferred, else the
    first one. A clause's comparison tells which side is bad (``< 10%``: below
    10%); a clause without a usable comparison falls back on ``better`` (bad is
    below for ``better higher``, above for ``better lower``). Clauses whose
    value is not constant (``previous(x) * 0.8``) or that compare for
    equality cannot be drawn as a band and are left out.
    """
    if not entries:
        return []
    entry = next((e for e in entries if not e.get("where")), entries[0])
    bands = []
    for clause in entry.get("clauses") or []:
        value, op, level = clause.get("value"), clause.get("op"), clause.get("level")
        if not is_number(value) or level not in BAND_COLORS:
            continue
        if op in _LOW_SIDE:
            side = "low"
        elif op in _HIGH_SIDE:
            side = "high"
        elif op is None and better in ("higher", "lower"):
            side = "low" if better == "higher" else "high"
        else:
            continue
        bands.append(Band(level=level, value=float(value), side=side))
    # Warnings first, so that critical bands are painted over them.
    return sorted(bands, key=lambda b: b.level == "critical")


def nice_step(span: float, count: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10ⁿ) giving about ``count`` ticks over ``span``."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def fitted_range(values: Sequence[float], bands: Sequence[Band]) -> tuple[float, float, float]:
    """``(low, high, step)`` of the y axis: the data's range in round ticks.

    A threshold within ``BAND_REACH`` ranges of the data is included, so the
    band edge shows; a farther one is not (the band is clipped, the value
    named at the edge).
    """
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    spread = (high - low) or (abs(high) or 1.0)
    for band in bands:
        if low - BAND_REACH * spread <= band.value <= high + BAND_REACH * spread:
            low, high = min(low, band.value), max(high, band.value)
    if low == high:
        low, high = low - spread / 2, high + spread / 2
    if values and min(values) >= 0 and low < 0:
        low = 0.0
    if values and min(values) >= 0 and low > 0 and low < (high - low) * 0.5:
        low = 0.0  # a nearby zero anchors the scale
    step = nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


class ChartRenderer:
    """Draws every chart of one report as SVG text over the document's periods."""

    def __init__(self, periods: Sequence[str], format_value: Callable[[float], str],
                 tr: Callable[..., str] | None = None) -> None:
        self.periods = list(periods)
        self.format_value = format_value
        self.tr = tr or (lambda key, **values: key)
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM

    def x(self, index: int) -> float:
        count = max(len(self.periods) - 1, 1)
        return LEFT + 8 + (self.plot_w - 16) * index / count

    def render(self, series: Sequence[Series], bands: Sequence[Band],
               value_text: Callable[[float], str] | None = None) -> str:
        """One chart as an ``<svg>`` element, ready to inline in HTML."""
        fmt = value_text or self.format_value
        numbers = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
        low, high, step = fitted_range(numbers, bands)

        def y(value: float) -> float:
            clipped = min(max(value, low), high)
            return TOP + self.plot_h * (high - clipped) / ((high - low) or 1.0)

        out = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="kchart">']
        out += self._bands(bands, low, high, y, fmt)
        out += self._axes(low, high, step, y, fmt)
        marker = len(self.periods) <= MARKER_MAX_PERIODS
        order = {"context": 0, "focus": 1, "overall": 2}
        for s in sorted(series, key=lambda s: order.get(s.role, 1)):
            out += self._line(s, y, fmt, marker)
        out.append("</svg>")
        return "".join(out)

    def _bands(self, bands: Sequence[Band], low: float, high: float,
               y: Callable[[float], float], fmt: Callable[[float], str]) -> list[str]:
        out = []
        for band in bands:
            edge = BAND_EDGES[band.level]
            inside = low <= band.value <= high
            if band.side == "low":
                top, bottom = y(band.value), y(low)
            else:
                top, bottom = y(high), y(band.value)
            if bottom - top > 0.5:
                out.append(f'<rect x="{LEFT}" y="{top:.1f}" width="{self.plot_w}" '
                           f'height="{bottom - top:.1f}" fill="{BAND_COLORS[band.level]}"/>')
            level = escape(self.tr(f"level.{band.level}"))
            if inside:
                yy = y(band.value)
                out.append(f'<line x1="{LEFT}" x2="{LEFT + self.plot_w}" y1="{yy:.1f}" '
                           f'y2="{yy:.1f}" stroke="{edge}" stroke-width="1" '
                           f'stroke-dasharray="4 3"/>')
            else:
                # far outside the data: named at the edge, not drawn to scale
                arrow = "↓" if band.value < low else "↑"
                yy = y(band.value) + (11 if band.value > high else -4)
                out.append(f'<text x="{LEFT + self.plot_w - 4}" y="{yy:.1f}" text-anchor="end" '
                           f'font-size="11" fill="{edge}">{level} {arrow} '
                           f'{escape(fmt(band.value))}</text>')
        return out

    def _axes(self, low: float, high: float, step: float,
              y: Callable[[float], float], fmt: Callable[[float], str]) -> list[str]:
        out = []
        count = round((high - low) / step) if step else 0
        for i in range(count + 1):
            value = low + i * step
            yy = y(value)
            out.append(f'<line x1="{LEFT}" x2="{LEFT + self.plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" '
                       f'stroke="#e5e7eb" stroke-width="0.8"/>')
            label = escape(fmt(0.0 if abs(value) < step * 1e-9 else value))
            out.append(f'<text x="{LEFT - 6}" y="{yy + 3.5:.1f}" text-anchor="end" '
                       f'font-size="11" fill="#4b5563">{label}</text>')
        baseline = TOP + self.plot_h
        out.append(f'<line x1="{LEFT}" x2="{LEFT + self.plot_w}" y1="{baseline}" y2="{baseline}" '
                   f'stroke="#9ca3af" stroke-width="0.8"/>')
        every = max(1, math.ceil(len(self.periods) / 8))
        last = len(self.periods) - 1
        for index in range(last, -1, -every):  # always label the last (as-of) period
            out.append(f'<text x="{self.x(index):.1f}" y="{baseline + 16}" text-anchor="middle" '
                       f'font-size="11" fill="#4b5563">{escape(self.periods[index])}</text>')
        return out

    def _line(self, s: Series, y: Callable[[float], float], fmt: Callable[[float], str],
              marker: bool) -> list[str]:
        paths: list[list[str]] = [[]]
        for index, value in enumerate(s.values):
            if value is None or not math.isfinite(value):
                if paths[-1]:
                    paths.append([])
                continue
            paths[-1].append(f"{self.x(index):.1f},{y(value):.1f}")
        width = {"overall": 2.6, "focus": 1.6, "context": 1.0}.get(s.role, 1.6)
        color = CONTEXT_COLOR if s.role == "context" else s.color
        label = escape(s.label)
        out = [f'<g class="series {s.role}"><title>{label}</title>']
        for points in paths:
            if len(points) > 1:
                out.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                           f'stroke-width="{width}" stroke-linejoin="round" stroke-linecap="round"/>')
        if s.role != "context":
            radius = 3.2 if s.overall else 2.6
            for index, value in enumerate(s.values):
                if value is None or not math.isfinite(value):
                    continue
                status = s.statuses[index] if index < len(s.statuses) else None
                tip = f"{self.periods[index]} · {s.label} : {fmt(value)}"
                if status:
                    tip += f" ({self.tr(f'status.{status}')})"
                visible = marker or index == len(s.values) - 1
                out.append(f'<circle cx="{self.x(index):.1f}" cy="{y(value):.1f}" '
                           f'r="{radius if visible else 6}" fill="{color if visible else "transparent"}">'
                           f'<title>{escape(tip)}</title></circle>')
        out.append("</g>")
        return out
