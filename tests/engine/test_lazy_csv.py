"""CSV files are read lazily, like Parquet, and a bad cell far down is still found and located.

The reader hands the engine a scan of the file whose column types Polars
infers from the first 10,000 rows; the engine reads only the columns the
ruleset uses. A cell further down that does not fit its column's type is
met only when the scan is collected: the file is then read the careful way
(cells as text) and the cell reported by line and column, exactly as when
the file was read whole. These tests hold the messages, exit codes and
values equal to those of the careful reading (``read_csv_bytes``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import kpirules
from kpirules.data.readers import read_csv_bytes, read_file
from kpirules.data.table import RawTable
from kpirules.errors import DataError
from support.cli import RunCli

ROOT = Path(__file__).resolve().parents[2]
ORDERS_RULES = ROOT / "rulesets" / "orders.kpi"
ORDERS_CSV = ROOT / "examples" / "data" / "orders.csv"
FAR = 15_000  # past the 10,000 rows the column types are inferred from

RULES = """\
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


def _shop_csv(path: Path, *, sep: str = ",", decimal: str = ".", bad: str | None = None,
              note_with_line_break: bool = False) -> Path:
    """FAR + 10 rows over 12 months; ``bad`` replaces the sales cell of row FAR (file line FAR + 2)."""
    lines = [sep.join(["month", "visits", "sales", "note"])]
    for i in range(FAR + 10):
        sales = f"{i % 7}{decimal}5"
        if bad is not None and i == FAR:
            sales = bad
        note = '"two\nlines"' if note_with_line_break and i == 3 else f"n{i % 3}"
        lines.append(sep.join([f"2026-{i % 12 + 1:02d}", str(100 + i % 50), sales, note]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _careful(path: Path) -> RawTable:
    """The same file read whole, the careful way (the path the lazy reader falls back to)."""
    return read_csv_bytes(path.read_bytes(), str(path))


def test_a_csv_file_is_a_scan_and_the_evaluation_never_reads_it_whole(tmp_path: Path) -> None:
    ruleset = kpirules.load(ORDERS_RULES)
    table = read_file(ORDERS_CSV)
    assert table.scan is not None
    assert table._frame is None  # nothing read yet
    lazy = kpirules.evaluate(ruleset, table, by="channel", history=True)
    whole = kpirules.evaluate(ruleset, _careful(ORDERS_CSV), by="channel", history=True)
    assert _rows(lazy) == _rows(whole)
    assert lazy.warnings == whole.warnings
    assert table._frame is None  # the evaluation read only the columns it uses


def test_eval_never_reads_a_csv_table_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            run_cli: RunCli) -> None:
    """``eval --data FILE.csv`` (through the csv connector) reads only the columns used."""

    def whole(self: RawTable) -> pl.DataFrame:
        raise AssertionError("the whole table was read")

    monkeypatch.setattr(RawTable, "frame", property(whole))
    result = run_cli("eval", ORDERS_RULES, "--data", ORDERS_CSV, "--by", "channel", "--format", "json",
                     "--fail-on", "never")
    assert result.code == 0, result.err
    assert '"orders"' in result.out


def test_a_bad_cell_far_down_is_reported_by_line_and_column(tmp_path: Path) -> None:
    path = _shop_csv(tmp_path / "shop.csv", bad="abc")
    table = read_file(path)
    assert table.scan is not None
    assert table.schema["sales"] == pl.Float64  # inferred from the first rows: the bad cell is not seen yet
    with pytest.raises(DataError) as lazy:
        kpirules.evaluate(kpirules.loads(RULES), table)
    with pytest.raises(DataError) as whole:
        kpirules.evaluate(kpirules.loads(RULES), _careful(path))
    assert str(lazy.value) == str(whole.value)
    assert f"shop.csv:{FAR + 2}:3" in str(lazy.value)
    assert '"abc" in column "sales" is not a number' in str(lazy.value)


def test_a_bad_cell_far_down_on_the_command_line(tmp_path: Path, run_cli: RunCli) -> None:
    rules = tmp_path / "shop.kpi"
    rules.write_text(RULES)
    path = _shop_csv(tmp_path / "shop.csv", bad="12 €")
    result = run_cli("eval", rules, "--data", path)
    assert result.code == 3, result.err
    assert f"shop.csv:{FAR + 2}:3" in result.err
    assert '"12 €" in column "sales" is not a number' in result.err
    assert "Traceback" not in result.err


def test_a_line_break_in_a_quoted_cell_moves_the_line_of_a_bad_cell_far_down(tmp_path: Path) -> None:
    path = _shop_csv(tmp_path / "shop.csv", bad="n/a", note_with_line_break=True)
    assert read_file(path).scan is not None
    with pytest.raises(DataError, match=rf"shop.csv:{FAR + 3}:3: \"n/a\" in column \"sales\""):
        kpirules.evaluate(kpirules.loads(RULES), read_file(path))


def test_a_bad_cell_far_down_counted_as_missing_gives_the_values_of_the_careful_reading(tmp_path: Path) -> None:
    path = _shop_csv(tmp_path / "shop.csv", bad="abc")
    lazy = kpirules.evaluate(kpirules.loads(RULES), read_file(path), on_bad_value="null", history=True)
    whole = kpirules.evaluate(kpirules.loads(RULES), _careful(path), on_bad_value="null", history=True)
    assert _rows(lazy) == _rows(whole)
    assert lazy.warnings == whole.warnings


def test_the_whole_frame_of_a_scan_with_a_bad_cell_is_the_careful_reading(tmp_path: Path) -> None:
    path = _shop_csv(tmp_path / "shop.csv", bad="abc")
    table = read_file(path)
    careful = _careful(path)
    assert table.frame.equals(careful.frame)
    assert table.frame["sales"].dtype == pl.String
    assert table.location(FAR, 3) == careful.location(FAR, 3) == f"{path}:{FAR + 2}:3"


def test_decimal_commas_and_semicolons_are_read_lazily(tmp_path: Path) -> None:
    path = _shop_csv(tmp_path / "fr.csv", sep=";", decimal=",")
    table = read_file(path)
    assert table.scan is not None
    assert table.decimal == ","
    assert table.schema["sales"] == pl.Float64  # Polars read the decimal commas itself
    lazy = kpirules.evaluate(kpirules.loads(RULES), table, history=True)
    whole = kpirules.evaluate(kpirules.loads(RULES), _careful(path), history=True)
    assert _rows(lazy) == _rows(whole)
    assert table._frame is None


def test_blank_lines_are_dropped_and_the_lines_after_them_stay_right(tmp_path: Path) -> None:
    """A blank line is a row of empty cells, dropped: met as an empty period, the file is read whole."""
    path = tmp_path / "gap.csv"
    path.write_text("month,visits,sales\n2026-01,100,10\n\n,,\n2026-02,100,abc\n", encoding="utf-8")
    semicolons = tmp_path / "gap2.csv"
    semicolons.write_text("month;visits;sales\n2026-01;100;10\n;;\n2026-02;100;abc\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"gap.csv:5:3: \"abc\""):
        kpirules.evaluate(kpirules.loads(RULES), read_file(path))
    with pytest.raises(DataError, match=r"gap2.csv:4:3: \"abc\""):
        kpirules.evaluate(kpirules.loads(RULES), read_file(semicolons))
    assert read_file(path).frame.height == 2  # the whole table, too, is the careful reading's


def test_a_blank_line_far_down_gives_the_values_of_the_careful_reading(tmp_path: Path) -> None:
    path = _shop_csv(tmp_path / "shop.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[FAR] = ",,,"
    path.write_text("\n".join([*lines[:50], "", *lines[50:]]) + "\n\n", encoding="utf-8")
    table = read_file(path)
    assert table.scan is not None
    lazy = kpirules.evaluate(kpirules.loads(RULES), table, history=True)
    whole = kpirules.evaluate(kpirules.loads(RULES), _careful(path), history=True)
    assert _rows(lazy) == _rows(whole)
    assert lazy.warnings == whole.warnings


def test_blank_lines_ending_the_file_are_left_out_without_reading_it_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extra line ends after the last row (``\\r\\n\\r\\n``, ``,,``) move no row: the scan just stops before them."""
    path = _shop_csv(tmp_path / "shop.csv")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n") + b"\r\n,,,\r\n \r\n")
    whole = kpirules.evaluate(kpirules.loads(RULES), _careful(path), history=True)

    def no_fallback(self: RawTable) -> RawTable:
        raise AssertionError("read whole")

    monkeypatch.setattr(RawTable, "read_carefully", no_fallback)
    table = read_file(path)
    assert table.height == FAR + 10
    lazy = kpirules.evaluate(kpirules.loads(RULES), table, history=True)
    assert _rows(lazy) == _rows(whole)


def test_a_windows_1252_cell_far_down_falls_back_to_the_careful_decoding(tmp_path: Path) -> None:
    """A UTF-8 header does not make a UTF-8 file: a cp1252 cell is met when its column is read."""
    path = _shop_csv(tmp_path / "shop.csv")
    lines = path.read_bytes().split(b"\n")
    lines[FAR] = lines[FAR].rsplit(b",", 1)[0] + ",R\xe9seaux".encode("cp1252")
    path.write_bytes(b"\n".join(lines))
    table = read_file(path)
    assert table.scan is not None
    rules = kpirules.loads(RULES.replace("metric visits", "dimension note\nmetric visits"))
    lazy = kpirules.evaluate(rules, table, history=True)
    whole = kpirules.evaluate(rules, _careful(path), history=True)
    assert _rows(lazy) == _rows(whole)
    assert any(row["segment"].get("note") == "Réseaux" for row in _rows(lazy))
