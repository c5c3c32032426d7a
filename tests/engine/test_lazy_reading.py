"""Parquet files are read lazily: only the columns the ruleset uses, and the same results.

A Parquet file stores its columns apart, so the reader hands the engine a
scan of the file rather than the whole table; the engine then reads the
period, the dimensions, the metrics and the columns aggregates read, and
nothing else. These tests hold the results equal to those of the same rows
read whole, and check that the whole table was never read.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import kpirules
from kpirules.data.readers import read_file
from kpirules.data.table import RawTable
from kpirules.errors import DataError
from support.cli import RunCli

ROOT = Path(__file__).resolve().parents[2]
ORDERS_RULES = ROOT / "rulesets" / "orders.kpi"
ORDERS_CSV = ROOT / "examples" / "data" / "orders.csv"

COLUMN_RULES = """\
ruleset shop
  grain month
metric visits
metric sales
kpi rate = sales / visits unit percent
threshold rate
  critical < 10%
"""


def _rows(result: kpirules.Result) -> list[dict]:
    doc = result.to_dict()
    return [{k: row[k] for k in ("period", "segment", "values", "status", "decisions", "rules")}
            for row in doc["rows"]]


def _orders_parquet(tmp_path: Path) -> Path:
    frame = pl.read_csv(ORDERS_CSV, try_parse_dates=False)
    path = tmp_path / "orders.parquet"
    frame.write_parquet(path)
    return path


def test_a_parquet_file_is_a_scan_not_a_frame(tmp_path: Path) -> None:
    path = _orders_parquet(tmp_path)
    table = read_file(path)
    assert table.scan is not None
    assert table._frame is None  # nothing read yet
    assert table.columns == pl.read_parquet(path).columns
    assert table.height == pl.read_parquet(path).height


def test_raw_rows_from_parquet_agree_with_the_same_rows_read_whole(tmp_path: Path) -> None:
    ruleset = kpirules.load(ORDERS_RULES)
    path = _orders_parquet(tmp_path)
    table = read_file(path)
    lazy = kpirules.evaluate(ruleset, table, by="channel", history=True)
    whole = kpirules.evaluate(ruleset, RawTable(pl.read_parquet(path), str(path)), by="channel", history=True)
    assert _rows(lazy) == _rows(whole)
    assert lazy.warnings == whole.warnings
    assert table._frame is None  # the evaluation never read the whole table


def test_column_metrics_from_parquet_without_reading_the_whole_table(tmp_path: Path) -> None:
    frame = pl.DataFrame({
        "month": ["2026-01", "2026-02", "2026-03"],
        "visits": [100.0, 200.0, 50.0],
        "sales": [20.0, 10.0, 1.0],
        "notes": ["x" * 50, "y" * 50, "z" * 50],
    })
    path = tmp_path / "shop.parquet"
    frame.write_parquet(path)
    table = read_file(path)
    ruleset = kpirules.loads(COLUMN_RULES)
    lazy = kpirules.evaluate(ruleset, table, history=True)
    whole = kpirules.evaluate(ruleset, frame, history=True)
    assert _rows(lazy) == _rows(whole)
    assert [row["values"]["rate"] for row in _rows(lazy) if not row["segment"]] == [0.2, 0.05, 0.02]
    assert table._frame is None


def test_an_unreadable_parquet_file_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DataError, match="not a readable Parquet file"):
        read_file(path)


def test_eval_never_reads_a_parquet_table_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                run_cli: RunCli) -> None:
    """``eval --data FILE.parquet`` (through the parquet connector) reads only the columns used."""
    path = _orders_parquet(tmp_path)

    def whole(self: RawTable) -> pl.DataFrame:
        raise AssertionError("the whole table was read")

    monkeypatch.setattr(RawTable, "frame", property(whole))
    result = run_cli("eval", ORDERS_RULES, "--data", path, "--by", "channel", "--format", "json",
                     "--fail-on", "never")
    assert result.code == 0, result.err
    assert '"orders"' in result.out


def test_a_lazy_frame_is_evaluated_without_computing_unused_columns() -> None:
    """``kpirules.evaluate(ruleset, lazy_frame)``: a column the ruleset does not use is never computed."""

    def explode(value: float) -> float:
        raise RuntimeError("an unused column was computed")

    lazy = pl.LazyFrame({
        "month": ["2026-01", "2026-02"], "visits": [100.0, 200.0], "sales": [20.0, 10.0],
    }).with_columns(pl.col("visits").map_elements(explode, return_dtype=pl.Float64).alias("costly"))
    result = kpirules.evaluate(kpirules.loads(COLUMN_RULES), lazy, history=True)
    assert [row["values"]["rate"] for row in _rows(result)] == [0.2, 0.05]
    assert any("costly" in w for w in map(str, result.warnings))  # an unused numeric column, named as before
