"""JSON data files built to exhaust the reader: too deep, too wide, too sparse (issue 10).

A deeply nested file ended in ``internal error: RecursionError`` (exit 3, no
place); 300,000 keys never finished (every column looked up in every row).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from kpirules.data import json_rows
from kpirules.data.readers import read_file
from kpirules.errors import DataError, ExitCode
from support.cli import RunCli


def test_a_deeply_nested_json_file_is_a_data_error_at_the_place(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('[{"period": "2026-01",\n  "visits": ' + "[" * 5000 + "]" * 5000 + "}]")
    with pytest.raises(DataError) as err:
        read_file(str(path))
    # "[" and "{" open levels 1 and 2 on line 1; the first "[" of line 2 (column 13) is level 3
    assert err.value.where == f"{path}:2:{13 + json_rows.MAX_NESTING + 1 - 3}"
    assert "nests more than" in str(err.value)


def test_a_deeply_nested_json_lines_row_is_located_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"visits": 1}\n{"visits": ' + "{\"a\": " * 3000 + "1" + "}" * 3000 + "}\n")
    with pytest.raises(DataError) as err:
        read_file(str(path))
    assert err.value.where is not None and err.value.where.startswith(f"{path}:2:")


def test_the_cli_reports_deep_json_as_a_data_error(run_cli: RunCli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "r.kpi"
    rules.write_text("ruleset r\nmetric visits\nkpi v = visits\n")
    data = tmp_path / "deep.json"
    data.write_text('[{"period": "2026-01", "visits": ' + "[" * 100_000 + "]" * 100_000 + "}]")
    assert run_cli("eval", str(rules), "--data", str(data)).code == ExitCode.RUNTIME
    err = capsys.readouterr().err
    assert "internal error" not in err
    assert f"{data}:1:" in err and "nests more than" in err


def test_a_wide_table_is_built_with_every_value_in_place() -> None:
    width = 2_500  # wider than long: built transposed
    rows = [{"period": "2026-01", **{f"k{i}": i for i in range(width)}, "note": "a"},
            {"k1": 1.5, "period": "2026-02", "late": "x", "k7": None}]
    frame = json_rows.frame_from_rows(rows)
    assert frame.columns == ["period", *(f"k{i}" for i in range(width)), "note", "late"]
    assert frame.height == 2
    assert frame.schema["k1"] == pl.Float64 and frame.schema["period"] == pl.String
    assert frame["k1"].to_list() == [1.0, 1.5]
    assert frame["k7"].to_list() == [7.0, None]
    assert frame["k2"].to_list() == [2.0, None]
    assert frame["note"].to_list() == ["a", None]
    assert frame["late"].to_list() == [None, "x"]


def test_wide_and_narrow_construction_agree() -> None:
    rows = [{f"c{(i * 7 + j) % 1_300}": (j if j % 3 else f"t{j}") for j in range(40)} for i in range(5)]
    wide = json_rows.frame_from_rows(rows)
    narrow = pl.DataFrame([json_rows._series(c, [r.get(c) for r in rows], json_rows._is_numeric(
        [r.get(c) for r in rows])) for c in wide.columns])
    assert wide.equals(narrow)


def test_rows_each_with_keys_of_their_own_are_refused_with_the_figures(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(json_rows, "MAX_CELLS", 10_000)
    path = tmp_path / "sparse.json"
    path.write_text(json.dumps([{"period": "2026-01", f"x{i}": i} for i in range(200)]))
    with pytest.raises(DataError) as err:
        read_file(str(path))
    assert err.value.where == str(path)
    assert "more than 10,000 cells" in str(err.value)


def test_the_nesting_limit_does_not_depend_on_the_recursion_limit(tmp_path: Path) -> None:
    import sys

    path = tmp_path / "deep.json"
    path.write_text('[{"visits": ' + "[" * (json_rows.MAX_NESTING + 5) + "]" * (json_rows.MAX_NESTING + 5) + "}]")
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)
    try:
        with pytest.raises(DataError, match="nests more than"):
            read_file(str(path))
    finally:
        sys.setrecursionlimit(old)


def test_lists_of_rows_within_the_limit_are_read() -> None:
    frame = json_rows.frame_from_rows(json_rows.loads('[{"a": [[1]], "b": 2}]', "x.json"))
    assert frame["b"].to_list() == [2.0]
