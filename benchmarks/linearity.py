"""Is the cost of ``kpirules eval`` linear in rows, KPIs and segments? Figures and plots.

Three series, each command in a fresh process (wall time, CPU time, peak
memory; median of ``--repeat`` runs), on the generated marketing table
(``generate.py``) in Parquet:

* rows: 1M, 2M, 4M, 8M input rows (10k to 80k campaigns x 100 months), 17 KPIs;
* KPIs: 17 against 70 (``marketing_70.kpi``) at 1M and 2M rows;
* segments: 1k, 10k and 100k campaigns over the same 12 months (12k to 1.2M
  rows: the generator's growth trends cannot run a century of months, so the
  rows grow with the segments; the per-segment cost is what to read).

It prints a Markdown table per series and draws one PNG per series into
``docs/img/`` (``--plots DIR``), with Pillow, so that docs/performance.md
shows them: a straight line through the origin is linear cost. The plots
draw CPU time, steadier than wall time on a shared machine.

Usage::

    .venv/bin/python benchmarks/linearity.py [--repeat 1] [--max-rows 8M] [--plots docs/img]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
from run import CHILD_ENV, OUT, PYTHON, ROOT, Run, _once, table  # noqa: E402
from three_way import commit, finish, load_average  # noqa: E402

RULESETS = {17: BENCH / "marketing.kpi", 70: BENCH / "marketing_70.kpi"}
ROWS = {"1M": 10_000, "2M": 20_000, "4M": 40_000, "8M": 80_000}
SEGMENTS = {1_000: 12, 10_000: 12, 100_000: 12}  # campaigns -> months: one year of each segment
#: The plots draw CPU time (every thread of the process): on a shared machine, wall time measures the
#: others' load as much as kpirules.
YLABEL = "CPU time, s"


def evaluate(data: Path, kpis: int, repeat: int) -> Run:
    """The median run of ``kpirules eval`` on ``data`` with the 17- or 70-KPI ruleset."""
    out = OUT / "linearity.json"
    cmd = [Path(PYTHON).parent / "kpirules", "eval", RULESETS[kpis], "--data", data, "--format", "json",
           "-o", out, "--fail-on", "never"]
    runs = []
    for _ in range(repeat):
        run = _once(cmd)
        if not run.ok:
            raise SystemExit(f"kpirules failed on {data.name}: {run.stderr[-800:]}")
        runs.append(run)
        print(f"  … {data.name}, {kpis} KPIs: {run.wall:.2f} s, {run.rss_mb:,.0f} MB", file=sys.stderr, flush=True)
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.rss_mb for r in runs), 0,
               "", statistics.median(r.cpu for r in runs))


def plot(path: Path, title: str, xlabel: str, series: dict[str, list[tuple[float, float]]],
         ylabel: str = "wall time, s", proportional: bool = True) -> None:
    """A line chart as a PNG (Pillow): one line per series, points marked, axes from zero;
    ``proportional``: also the pale line that cost proportional to x would follow."""
    from PIL import Image, ImageDraw

    width, height, left, right, top, bottom = 720, 420, 70, 30, 40, 60
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    xs = [x for points in series.values() for x, _ in points]
    ys = [y for points in series.values() for _, y in points]
    xmax, ymax = max(xs) * 1.05, max(ys) * 1.15

    def at(x: float, y: float) -> tuple[float, float]:
        return (left + x / xmax * (width - left - right), height - bottom - y / ymax * (height - top - bottom))

    draw.line([at(0, 0), at(xmax, 0)], fill="black")
    draw.line([at(0, 0), at(0, ymax)], fill="black")
    for i in range(1, 5):
        y = ymax * i / 5
        draw.line([at(0, y), at(xmax, y)], fill=(225, 225, 225))
        draw.text((5, at(0, y)[1] - 6), f"{y:.3g}", fill="black")
    for x in sorted(set(xs)):
        draw.text((at(x, 0)[0] - 12, height - bottom + 6), f"{x:,.0f}", fill="black")
    colours = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189)]
    for n, (name, points) in enumerate(series.items()):
        colour = colours[n % len(colours)]
        pts = [at(x, y) for x, y in sorted(points)]
        if len(pts) > 1:
            draw.line(pts, fill=colour, width=2)
        for px, py in pts:
            draw.ellipse([px - 3, py - 3, px + 3, py + 3], fill=colour)
        note = ""
        if proportional:  # the line linear cost would follow from the first point
            first_x, first_y = sorted(points)[0]
            draw.line([at(0, 0), at(xmax, first_y / first_x * xmax)], fill=tuple(c // 2 + 127 for c in colour))
            note = " (pale: proportional to the first point)"
        draw.text((left + 10, top + 16 * n), name + note, fill=colour)
    draw.text((left, 10), title, fill="black")
    draw.text((width // 2 - 60, height - 22), xlabel, fill="black")
    draw.text((5, 22), ylabel, fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--max-rows", default="8M", choices=list(ROWS))
    parser.add_argument("--plots", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--only", choices=("rows", "kpis", "segments", "windows"), action="append")
    parser.add_argument("--save", type=Path)
    args = parser.parse_args(argv)
    if (ROOT / "src" / "kpirules").is_dir():
        CHILD_ENV["PYTHONPATH"] = str(ROOT / "src")
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = set(args.only or ("rows", "kpis", "segments"))
    saved: dict[str, Any] = {"commit": commit()}
    print(f"commit {saved['commit']}; load average at start {load_average()}; median of {args.repeat}\n")
    sizes = list(ROWS)[: list(ROWS).index(args.max_rows) + 1]
    if "rows" in wanted:
        rows, points = [], []
        for size in sizes:
            path = generate.ensure(ROWS[size], 100)["parquet"]
            run = evaluate(path, 17, args.repeat)
            n = ROWS[size] * 100
            rows.append([f"{n:,}", run.wall, run.cpu, run.rss_mb, run.wall / n * 1e6, run.cpu / n * 1e6])
            points.append((n / 1e6, run.cpu))
        print(table(["input rows", "wall s", "CPU s", "peak MB", "µs per row (wall)", "µs per row (CPU)"], rows)
              + "\n")
        saved["rows"] = rows
        plot(args.plots / "linearity_rows.png", f"kpirules eval, 17 KPIs, Parquet ({saved['commit']})",
             "input rows, millions", {"17 KPIs": points}, ylabel=YLABEL)
    if "kpis" in wanted:
        rows, series = [], {}
        for kpis in (17, 70):
            series[f"{kpis} KPIs"] = []
            for size in sizes[:2]:
                path = generate.ensure(ROWS[size], 100)["parquet"]
                run = evaluate(path, kpis, args.repeat)
                rows.append([kpis, f"{ROWS[size] * 100:,}", run.wall, run.cpu, run.rss_mb])
                series[f"{kpis} KPIs"].append((ROWS[size] * 100 / 1e6, run.cpu))
        print(table(["KPIs", "input rows", "wall s", "CPU s", "peak MB"], rows) + "\n")
        saved["kpis"] = rows
        plot(args.plots / "linearity_kpis.png", f"17 and 70 KPIs ({saved['commit']})", "input rows, millions",
             series, ylabel=YLABEL)
    if "segments" in wanted:
        rows, points = [], []
        for campaigns, months in SEGMENTS.items():
            path = generate.ensure(campaigns, months)["parquet"]
            run = evaluate(path, 17, args.repeat)
            rows.append([f"{campaigns:,}", months, f"{campaigns * months:,}", run.wall, run.cpu, run.rss_mb,
                         run.cpu / campaigns * 1e6])
            points.append((campaigns / 1000, run.cpu))
        print(table(["segments", "months", "input rows", "wall s", "CPU s", "peak MB", "µs per segment (CPU)"],
                    rows) + "\n")
        saved["segments"] = rows
        plot(args.plots / "linearity_segments.png", f"segments over 12 months ({saved['commit']})",
             "segments (campaigns), thousands", {"17 KPIs": points}, ylabel=YLABEL)
    if "windows" in wanted:
        saved["windows"] = windows(sizes)
    return finish(saved, args.save)


def windows(sizes: list[str]) -> list[list[Any]]:
    """The 4M -> 8M step: a shift within a segment as a window over the segment, and without it.

    ``x.shift(1).over(segment)`` groups the rows by segment first; its cost
    grows faster than the rows when the segments grow with them (10,000 to
    80,000 here). ``segment_shift`` (engine/compile.py) shifts the whole
    column and keeps the rows whose row before is of the same segment.
    """
    import time

    import numpy as np
    import polars as pl

    from kpirules.engine.compile import segment_shift
    from kpirules.engine.frame_columns import SEG

    rows = []
    for size in sizes:
        campaigns = ROWS[size]
        frame = pl.DataFrame({SEG: np.repeat(np.arange(campaigns), 100),
                              "x": np.random.default_rng(0).random(campaigns * 100)})
        for label, expr in (("shift over the segment", pl.col("x").shift(1).over(SEG)),
                            ("segment_shift", segment_shift(pl.col("x"), 1))):
            cpu = []
            for _ in range(5):
                start = time.process_time()
                frame.lazy().select(expr).collect()
                cpu.append(time.process_time() - start)
            rows.append([f"{campaigns * 100:,}", f"{campaigns:,}", label, statistics.median(cpu),
                         statistics.median(cpu) / (campaigns * 100) * 1e9])
    print(table(["rows", "segments", "expression", "CPU s", "ns per row"], rows) + "\n")
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
