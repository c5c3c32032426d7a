"""A CSV header longer than the dialect-detection sample is read whole (issue 10).

The first 200 KB were read to find the header; a longer header was cut, its
last name cut short ("c12" for "c12345") and then taken for a duplicate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kpirules.data.readers import read_csv_bytes, read_file

WIDTH = 40_000  # "c1,c2,…": about 270 KB of header


def wide_csv(separator: str = ",") -> bytes:
    header = separator.join(f"c{i}" for i in range(1, WIDTH + 1))
    row = separator.join(str(i) for i in range(1, WIDTH + 1))
    return f"{header}\n{row}\n".encode()


@pytest.mark.slow
@pytest.mark.parametrize("separator", [",", ";"])
def test_a_header_longer_than_the_sample_is_read_whole_from_a_file(tmp_path: Path, separator: str) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(b"\n\n" + wide_csv(separator))
    assert len(path.read_bytes()) > 200_000
    table = read_file(str(path))
    assert table.frame.width == WIDTH
    assert table.frame.columns[-1] == f"c{WIDTH}"
    assert table.frame[f"c{WIDTH}"].to_list() == [WIDTH]


@pytest.mark.slow
def test_a_header_longer_than_the_sample_is_read_whole_from_bytes() -> None:
    table = read_csv_bytes(wide_csv(";"), "wide.csv")
    assert table.frame.width == WIDTH
    assert table.frame.columns[-1] == f"c{WIDTH}"


@pytest.mark.slow
def test_a_header_only_file_longer_than_the_sample_is_read_whole() -> None:
    header = ",".join(f"c{i}" for i in range(1, WIDTH + 1)).encode()
    table = read_csv_bytes(header, "wide.csv")
    assert table.frame.width == WIDTH


def test_a_real_duplicate_far_into_a_long_header_is_still_found(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_bytes(wide_csv().replace(f",c{WIDTH}\n".encode(), b",c7\n", 1))
    from kpirules.errors import DataError

    with pytest.raises(DataError, match='column "c7" appears twice'):
        read_file(str(path))
