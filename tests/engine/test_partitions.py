"""Evaluation in segment partitions (engine/partitions.py) gives the whole evaluation's rows."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

import kpirules
from kpirules.engine import partitions
from kpirules.engine.partitions import evaluate_in_partitions
from kpirules.errors import DataError

RULES = (Path(__file__).resolve().parents[2] / "benchmarks" / "segments.kpi").read_text(encoding="utf-8")


def aggregated_table(tmp_path: Path, segments: int = 120, days: int = 100) -> tuple[Path, pl.DataFrame]:
    rng = np.random.default_rng(7)
    start = pl.date(2026, 1, 1)
    dates = pl.date_range(start, start + pl.duration(days=days - 1), eager=True).to_numpy()
    seg = np.repeat(np.arange(segments), days)
    frame = pl.DataFrame({
        "date": np.tile(dates, segments), "channel": [f"c{s % 7}" for s in seg],
        "campaign": [f"k{s}" for s in seg], "visits": rng.integers(0, 1000, seg.size).astype(float),
        "spend": rng.random(seg.size) * 100, "score": rng.random(seg.size), "low": rng.random(seg.size),
    })
    # a segment that starts late and one that stops early: the calendar is still the table's
    frame = frame.filter(~((pl.col("campaign") == "k3") & (pl.col("date") < pl.date(2026, 3, 1))))
    frame = frame.filter(~((pl.col("campaign") == "k4") & (pl.col("date") > pl.date(2026, 2, 1))))
    path = tmp_path / "segments.parquet"
    frame.write_parquet(path)
    return path, frame


def key(row: dict[str, Any]) -> tuple[Any, ...]:
    return row["period"], tuple(sorted(row["segment"].items()))


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


@pytest.mark.slow
def test_partitions_give_every_row_of_the_whole_evaluation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, frame = aggregated_table(tmp_path)
    ruleset = kpirules.loads(RULES)
    whole = {key(r): r for r in kpirules.evaluate(ruleset, frame, history=True).to_dict()["rows"]}
    monkeypatch.setattr(partitions, "BASELINE_MB", 0)  # a limit this small cuts the table in several parts
    header, rows = evaluate_in_partitions(ruleset, path, memory_limit_mb=1.0, history=True)
    assert header["partitions"]["count"] > 3 and header["as_of"] == "2026-04"
    got = {key(r): r for r in rows}
    assert got.keys() == whole.keys()
    for k, row in whole.items():
        assert same(got[k], row), k
    assert got[("2026-01", (("campaign", "k3"), ("channel", "c3")))]["values"]["visits"] == 0  # missing 0


def test_a_limit_below_one_segment_is_an_error_naming_it(tmp_path: Path) -> None:
    path, _ = aggregated_table(tmp_path, segments=5)
    with pytest.raises(DataError, match="more than the memory limit of 100 MB"):
        evaluate_in_partitions(kpirules.loads(RULES), path, memory_limit_mb=100)


@pytest.mark.parametrize("line, reason", [
    ("kpi part = share(visits)", "uses share()"),
    ("kpi vs_all = cpv / overall(cpv)", "uses overall()"),
    ("metric stock agg last", "agg last"),
])
def test_what_needs_every_segment_at_once_is_refused(tmp_path: Path, line: str, reason: str) -> None:
    path, _ = aggregated_table(tmp_path, segments=5, days=10)
    with pytest.raises(DataError, match=reason) as caught:
        evaluate_in_partitions(kpirules.loads(RULES + line + "\n", "ads.kpi"), path, memory_limit_mb=4000)
    assert "ads.kpi:" in str(caught.value)  # where in the rule file


def test_a_table_without_dimensions_is_its_overall_level(tmp_path: Path) -> None:
    path, frame = aggregated_table(tmp_path, segments=3, days=40)
    frame.drop("channel", "campaign").write_parquet(path)
    ruleset = kpirules.loads(RULES)
    header, rows = evaluate_in_partitions(ruleset, path, memory_limit_mb=1000)
    whole = kpirules.evaluate(ruleset, frame.drop("channel", "campaign")).to_dict()["rows"]
    got = list(rows)
    assert header["partitions"]["count"] == 0 and len(got) == len(whole) == 1
    assert same(got[0], whole[0])
