"""Reading awkward data files: clear errors with a place, or the file read as meant.

Robustness audit findings H1, H2, H4, H11, H12, M7–M10.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest

import kpirules
from kpirules.data.readers import read_file
from kpirules.data.table import RawTable
from kpirules.errors import DataError

RULES = ("ruleset t\ndimension channel\nmetric visits missing 0\nmetric leads missing 0\nmetric spend\n"
         "kpi conv = leads / visits\n")
HEADER = b"month,channel,visits,leads,spend\n"


def ruleset() -> kpirules.Ruleset:
    return kpirules.loads(RULES, "t.kpi")


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def data_error(data: object, **options: object) -> DataError:
    with pytest.raises(DataError) as err:
        ruleset().evaluate(data, **options)  # type: ignore[arg-type]
    return err.value


def message(err: DataError) -> str:
    """The error without its place."""
    return str(err).removeprefix(f"{err.where}: ")


# H1: nested Parquet columns --------------------------------------------------------------


@pytest.mark.parametrize(("column", "role"), [("visits", "a metric"), ("channel", "a dimension"),
                                              ("month", "the period")])
def test_a_list_column_is_a_data_error_naming_file_and_column(tmp_path: Path, column: str, role: str) -> None:
    frame = pl.DataFrame({"month": ["2026-01", "2026-02"], "channel": ["a", "b"],
                          "visits": [1, 2], "leads": [1, 1]})
    frame = frame.with_columns(pl.concat_list(pl.col(column)).alias(column))
    path = str(tmp_path / "nested.parquet")
    frame.write_parquet(path)
    err = data_error(path)
    assert err.where is not None and err.where.startswith(path)
    assert f'column "{column}" holds lists' in str(err) and role in str(err)


def test_a_list_column_nobody_uses_is_reported_too() -> None:
    # unknown non-numeric columns are dimensions; a list cannot be one
    frame = pl.DataFrame({"month": ["2026-01"], "tags": [[1, 2]], "visits": [1.0]})
    err = data_error(RawTable(frame, "tags.parquet"))
    assert err.where == "tags.parquet" and 'column "tags" holds lists' in str(err)


def test_a_struct_metric_is_reported_as_a_column_type() -> None:
    frame = pl.DataFrame({"month": ["2026-01"], "visits": [{"a": 1}]})
    assert 'column "visits" holds structs' in str(data_error(RawTable(frame, "s.parquet")))


# H2 / M8: duplicate column names ---------------------------------------------------------


def test_headers_that_collide_once_stripped_are_an_error_at_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", b"month,channel,visits, visits,leads\n2026-01,a,1,5,50\n")
    err = data_error(path)
    assert err.where == f"{path}:1:4"
    assert '"visits" appears twice (columns 3 and 4)' in str(err)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])  # the fast path and the careful path
def test_a_duplicate_csv_header_is_an_error(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "d.csv", "month,visits,visits,leads,x\n2026-01,1,2,3,é\n".encode(encoding))
    err = data_error(path)
    assert err.where == f"{path}:1:3" and '"visits" appears twice' in str(err)


def test_a_duplicate_json_key_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "d.json", b'[{"month": "2026-01", "visits": 1000, "visits": 5}]')
    err = data_error(path)
    assert err.where == path and 'key "visits" appears twice' in str(err)
    path = write(tmp_path, "d.jsonl", b'{"month": "2026-01", "visits": 1}\n{"month": "2026-02", "visits": 1, "visits": 2}\n')
    assert data_error(path).where == f"{path}:2"


# H4: names of the engine's own columns -----------------------------------------------------


@pytest.mark.parametrize("name", ["__p", "__t", "__seg", "__row", "__overall", "__year", "__index",
                                  "__count__visits", "__sum__visits", "__n__visits", "__anything"])
def test_a_column_named_like_an_internal_one_is_reserved(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, "d.csv", f"month,{name},visits\n2026-01,a,7\n2026-02,b,8\n".encode())
    err = data_error(path)
    assert err.where == f"{path}:1:2"
    assert f'column "{name}"' in str(err) and "names starting with __ are reserved" in str(err)


def test_a_reserved_column_can_be_left_out() -> None:
    frame = pl.DataFrame({"month": ["2026-01"], "__seg": ["a"], "visits": [7.0]})
    result = ruleset().evaluate(RawTable(frame, "x", ignore=("__seg",)))
    assert result.value("visits") == 7


def test_counts_of_a_pushed_down_rollup_are_not_reserved() -> None:
    frame = pl.DataFrame({"month": ["2026-01"], "nps": [7.0], "__count__nps": [2]})
    result = kpirules.loads("ruleset t\nmetric nps agg avg\n").evaluate(RawTable(frame, "sql", pre_aggregated=True))
    assert result.value("nps") == 7


# H11: NaN, inf and overflowing numbers ------------------------------------------------------


@pytest.mark.parametrize(("cells", "where", "shown"), [
    (b"2026-01,a,1e400,5,6\n", "2:3", "inf"),  # a typed float column (the fast path)
    (b"2026-01,a,1,5,6\n2026-02,a,NaN,5,6\n", "3:3", "nan"),
    (b"2026-01,a,1,5,-inf\n", "2:5", "-inf"),
    (b"2026-01,a,1,5,6\n2026-02,a,zz,5,6\n2026-03,a,inf,5,6\n", "3:3", '"zz"'),  # text column: the first bad cell
    (b"2026-01,a,1,5,6\n2026-02,a,Infinity,5,6\n2026-03,a,zz,5,6\n", "3:3", '"Infinity"'),
])
def test_a_non_finite_csv_cell_is_a_bad_value(tmp_path: Path, cells: bytes, where: str, shown: str) -> None:
    path = write(tmp_path, "d.csv", HEADER + cells)
    err = data_error(path)
    assert err.where == f"{path}:{where}"
    assert message(err).startswith(f"{shown} in column")
    if shown != '"zz"':
        assert "is not a finite number" in str(err)


def test_non_finite_cells_are_counted_with_on_bad_value_null(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", HEADER + b"2026-01,a,NaN,5,inf\n2026-02,a,1e400,5,-inf\n2026-03,a,1,5,6\n")
    doc = ruleset().evaluate(path, on_bad_value="null", history=True).to_dict()
    assert doc["bad_values"] == 4
    assert [r["values"]["visits"] for r in doc["rows"] if not r["segment"]] == [0, 0, 1]  # missing 0
    assert [r["values"]["spend"] for r in doc["rows"] if not r["segment"]] == [None, None, 6]


def test_non_finite_json_and_parquet_values_are_bad_values(tmp_path: Path) -> None:
    path = write(tmp_path, "d.json", b'[{"month": "2026-01", "visits": 1}, {"month": "2026-02", "visits": NaN}]')
    err = data_error(path)
    assert err.where == f"{path}: row 2" and "finite" in str(err)
    path = write(tmp_path, "d.jsonl", b'{"month": "2026-01", "visits": 1e999}\n')
    assert "finite" in str(data_error(path))
    path = str(tmp_path / "d.parquet")
    pl.DataFrame({"month": ["2026-01", "2026-02"], "visits": [1.0, math.inf]}).write_parquet(path)
    err = data_error(path)
    assert err.where == f"{path}: row 2" and "finite" in str(err)
    assert ruleset().evaluate(path, on_bad_value="null").to_dict()["bad_values"] == 1


def test_a_json_integer_too_large_for_a_float_is_not_an_internal_error(tmp_path: Path) -> None:
    path = write(tmp_path, "d.json", json.dumps([{"month": "2026-01", "visits": 10**400}]).encode())
    assert "finite" in str(data_error(path))


def test_in_memory_rows_with_nan_are_bad_values() -> None:
    assert "finite" in str(data_error([{"month": "2026-01", "visits": math.nan}]))


# H12: reported lines are the file's lines ------------------------------------------------------


def test_a_quoted_line_break_does_not_shift_later_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", HEADER + b'2026-01,"multi\nline",1000,50,500\n2026-02,paid,1000,abc,600\n')
    assert data_error(path).where == f"{path}:4:4"


def test_lines_stay_right_after_quoted_breaks_and_skipped_blank_rows(tmp_path: Path) -> None:
    data = HEADER + b'2026-01,"a\r\nb",1,2,3\r\n,,,,\r\n\r\n2026-02,"c\n\nd",1,2,3\n2026-03,e,1,x,3\n'
    path = write(tmp_path, "d.csv", data)
    assert data_error(path).where == f"{path}:9:4"
    period = write(tmp_path, "p.csv", HEADER + b'2026-01,"a\nb",1,2,3\n2026-13,c,1,2,3\n')
    assert data_error(period).where == f"{period}:4:1"


def test_lines_after_blank_lines_before_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", b"\n\n" + HEADER + b"2026-01,a,x,2,3\n")
    assert data_error(path).where == f"{path}:4:3"


# M7: line ends and encodings ------------------------------------------------------------------


def test_old_mac_line_ends_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", b"month;channel;visits\r2026-01;a;1000\r2026-01;b;5\r")
    assert ruleset().evaluate(path).value("visits") == 1005


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_detected(tmp_path: Path, encoding: str) -> None:
    text = "month\tchannel\tvisits\r\n2026-01\tRéseaux\t1000\r\n2026-01\tb\t5\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-le":  # Excel's "Unicode Text": a BOM, then little-endian
        data = b"\xff\xfe" + data
    path = write(tmp_path, "d.csv", data)
    doc = ruleset().evaluate(path).to_dict()
    assert {tuple(r["segment"].values()): r["values"]["visits"] for r in doc["rows"]} == \
        {(): 1005, ("Réseaux",): 1000, ("b",): 5}


def test_utf16_without_a_bom_is_detected(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "month,visits\n2026-01,12\n".encode("utf-16-le"))
    assert ruleset().evaluate(path).value("visits") == 12


# M9: ragged rows ------------------------------------------------------------------------------


def test_a_row_longer_than_the_header_is_reported_by_line(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", HEADER + b"2026-01,paid,1000,50\n2026-02,paid,1000,60,600,99\n")
    err = data_error(path)
    assert err.where == f"{path}:3"
    assert message(err) == "6 fields, the header has 5"


# M10: blank rows ------------------------------------------------------------------------------


@pytest.mark.parametrize("tail", [b"\n\n\n", b",,,,\n,,,,\n", b"\r\n,,,,\r\n", b" , ,,,\n"])
def test_blank_rows_at_the_end_are_skipped(tmp_path: Path, tail: bytes) -> None:
    path = write(tmp_path, "d.csv", HEADER + b"2026-01,paid,1000,50,500\n2026-02,paid,1000,60,500\n" + tail)
    doc = ruleset().evaluate(path, history=True).to_dict()
    assert doc["periods"] == ["2026-01", "2026-02"]
    assert doc["rows"][-1]["values"]["leads"] == 60


def test_blank_rows_in_between_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", HEADER + b"2026-01,paid,1000,50,500\n   \n\n,,,,\n2026-02,paid,1000,60,500\n")
    table = read_file(path)
    assert table.frame.height == 2
    assert ruleset().evaluate(table, history=True).to_dict()["periods"] == ["2026-01", "2026-02"]
