"""KPI history charts for the HTML report: matplotlib drawn to inline SVG.

One line chart per KPI over the periods of the document, a line per segment
(the overall level in bold, then the biggest segments), with the KPI's
constant threshold values shaded as bands (critical red, warning amber) on
the side the comparison judges bad (``critical < 10%`` shades below 10%).

Charts are SVG so that the report stays one small, sharp, self-contained
file: text stays text (``svg.fonttype = none``, the browser's fonts), the XML
prologue, metadata and namespace URLs are removed (no ``http://`` in the
report at all), and each chart gets its own id salt so that the ids of
several inline SVGs never collide in one HTML document.

matplotlib is imported here only, on first use: ``import kpirules.report``
stays fast. One figure is reused for every chart, and closed at the end.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from kpirules.report.values import format_value, is_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Line colours of segments, in rank order; the overall line is OVERALL_COLOR.
#: Chosen to stay apart from the band colours and from each other.
PALETTE = (
    "#2563eb",
    "#0d9488",
    "#9333ea",
    "#ea580c",
    "#db2777",
    "#65a30d",
    "#0891b2",
    "#a16207",
    "#4f46e5",
    "#be123c",
)
OVERALL_COLOR = "#111827"
BAND_COLORS = {"critical": "#fde2e1", "warning": "#fdf1cf"}
BAND_EDGES = {"critical": "#dc2626", "warning": "#d97706"}

#: Above this many periods, lines are drawn without point markers.
MARKER_MAX_PERIODS = 12

_LOW_SIDE = {"<", "<="}
_HIGH_SIDE = {">", ">="}


@attrs.frozen
class Series:
    """One line of a chart: a label (for the legend), a colour and a value per period."""

    label: str
    color: str
    values: tuple[float | None, ...]
    overall: bool = False


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


class ChartRenderer:
    """Draws every chart of one report on a single reused figure.

    What all charts share (size, x axis of periods, styling) is set up once;
    each chart only swaps its lines and bands. ``Axes.clear()`` per chart
    would rebuild every tick and dominate the time of a 50-KPI report.
    """

    def __init__(self, periods: Sequence[str], width: float = 6.4, height: float = 2.7) -> None:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        self.periods = list(periods)
        self.count = 0
        self.unit: str | None = None
        with matplotlib.rc_context(_RC):
            # A bare Figure (not pyplot) is headless whatever the configured
            # backend (it draws through the SVG canvas), is not tracked by
            # pyplot's global state, and so never leaks between reports.
            self.figure: Figure = Figure(figsize=(width, height))
            self.figure.subplots_adjust(left=0.15, right=0.955, top=0.95, bottom=0.13)
            ax: Axes = self.figure.add_subplot()
        self.axes = ax
        xs = list(range(len(self.periods)))
        step = max(1, math.ceil(len(xs) / 8))
        ticks = xs[::-1][::step][::-1]  # always label the last (as-of) period
        ax.set_xticks(ticks, [self.periods[i] for i in ticks])
        ax.set_xlim(-0.3, max(len(xs) - 1, 0) + 0.3)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: format_value(value, self.unit)))
        ax.grid(axis="y", color="#e5e7eb", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color("#9ca3af")
        ax.tick_params(colors="#4b5563", length=3, labelsize=8)
        ax.set_autoscale_on(False)

    def close(self) -> None:
        """Release the figure's memory."""
        self.figure.clear()

    def render(self, series: Sequence[Series], unit: str | None, bands: Sequence[Band]) -> str:
        """One chart as an SVG element (text), ready to inline in HTML."""
        import matplotlib

        self.count += 1
        rc: Any = {**_RC, "svg.hashsalt": f"kpirules-chart-{self.count}"}
        with matplotlib.rc_context(rc):
            self._draw(series, unit, bands)
            buffer = io.StringIO()
            self.figure.savefig(
                buffer,
                format="svg",
                metadata={"Creator": None, "Date": None, "Format": None, "Type": None},
            )
        return _inline_svg(buffer.getvalue(), prefix=f"c{self.count}-")

    def _draw(self, series: Sequence[Series], unit: str | None, bands: Sequence[Band]) -> None:
        ax = self.axes
        for artist in [*ax.lines, *ax.patches]:
            artist.remove()
        self.unit = unit
        xs = list(range(len(self.periods)))
        numbers = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
        numbers += [b.value for b in bands]
        low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
        pad = (high - low) * 0.08 or (abs(high) * 0.1 or 1.0)
        low, high = low - pad, high + pad
        for band in bands:
            lo, hi = (low, band.value) if band.side == "low" else (band.value, high)
            ax.axhspan(lo, hi, color=BAND_COLORS[band.level], zorder=0, linewidth=0)
            ax.axhline(
                band.value,
                color=BAND_EDGES[band.level],
                linewidth=0.8,
                linestyle=(0, (4, 3)),
                zorder=1,
            )
        # Point markers help read a short history; on a long one they only
        # clutter the lines (and cost most of the drawing time).
        marker = "o" if len(xs) <= MARKER_MAX_PERIODS else None
        for s in series:
            ys = [math.nan if v is None else v for v in s.values]
            ax.plot(
                xs,
                ys,
                color=s.color,
                zorder=4 if s.overall else 3,
                linewidth=2.4 if s.overall else 1.4,
                marker=marker,
                markersize=2.8 if s.overall else 2.0,
            )
        ax.set_ylim(low, high)


#: matplotlib settings of every chart: text stays text (browser fonts), "$"
#: in a currency label is not LaTeX.
_RC: Any = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.size": 8,
    "font.family": "sans-serif",
}


_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
_NAMESPACES = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_SIZE = re.compile(r'\s(width|height)="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r"#([A-Za-z_][\w.:-]*)")


def _inline_svg(svg: str, prefix: str = "") -> str:
    """matplotlib's SVG document made into an element fit for inline HTML.

    The HTML parser puts ``<svg>`` and ``xlink:href`` in their namespaces by
    itself, so the declarations (URLs) are dropped, as are the XML prologue,
    DOCTYPE and metadata; width and height go too, so that CSS sizes the
    chart from its ``viewBox``. Every id (and every ``#id`` reference) gets
    ``prefix``: matplotlib numbers its groups ``figure_1``, ``axes_1``… in
    each file, and ids must be unique in the one HTML document.
    """
    svg = _PROLOGUE.sub("", svg, count=1)
    head, _, rest = svg.partition(">")
    head = _SIZE.sub("", _NAMESPACES.sub("", head))
    svg = head + ">" + rest
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    if prefix:
        ids = set(_ID.findall(svg))
        svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
        svg = _REFERENCE.sub(
            lambda m: f"#{prefix}{m.group(1)}" if m.group(1) in ids else m.group(0), svg
        )
    return svg.strip()
