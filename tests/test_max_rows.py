"""``--max-rows`` and a source's ``max_rows``: a small file cannot expand to exhaust memory.

The Parquet check happens from the file's metadata, before any row is read
(proved by a reader that fails if called); other kinds are checked once read;
a job checks every connector's table, a plugin's included.
"""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from support.cli import RunCli

RULES = "ruleset r\nmetric visits\n"
MESSAGE = "holds 2 000 rows, more than the limit of 1 000"


@pytest.fixture(autouse=True)
def _no_autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "r.kpi").write_text(RULES)
    frame = pl.DataFrame({"month": ["2026-01"] * 2000, "visits": [1] * 2000})
    frame.write_parquet(tmp_path / "big.parquet")
    frame.write_csv(tmp_path / "big.csv")
    return tmp_path


@pytest.mark.slow
def test_a_parquet_file_over_the_limit_is_refused_before_it_is_read(run_cli: RunCli,
        folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the rows were read")

    monkeypatch.setattr("kpirules.data.readers._read_parquet", never)
    data = str(folder / "big.parquet")
    assert run_cli("eval", str(folder / "r.kpi"), "--data", data, "--max-rows", "1000").code == 3
    err = capsys.readouterr().err
    assert err.startswith(f"error: {data}: {MESSAGE}") and "--max-rows" in err


@pytest.mark.slow
def test_a_csv_file_over_the_limit_is_refused(run_cli: RunCli, folder: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = str(folder / "big.csv")
    assert run_cli("eval", str(folder / "r.kpi"), "--data", data, "--max-rows", "1000").code == 3
    assert capsys.readouterr().err.startswith(f"error: {data}: {MESSAGE}")
    assert run_cli("eval", str(folder / "r.kpi"), "--data", data, "--max-rows", "2000").code == 0


def test_the_default_limit_applies_without_the_option(run_cli: RunCli,
        folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kpirules.data.limits.DEFAULT_MAX_ROWS", 1000)
    assert run_cli("eval", str(folder / "r.kpi"), "--data", str(folder / "big.parquet")).code == 3
    assert MESSAGE in capsys.readouterr().err


def test_max_rows_must_be_a_positive_number(run_cli: RunCli, folder: Path) -> None:
    data = str(folder / "big.csv")
    assert run_cli("eval", str(folder / "r.kpi"), "--data", data, "--max-rows", "0").code == 2


def _job(folder: Path, source: str) -> Path:
    config = folder / "kpirules.toml"
    config.write_text(f'rulesets = ["r.kpi"]\n\n[sources.s]\n{textwrap.dedent(source)}')
    return config


@pytest.mark.slow
@pytest.mark.parametrize("source", [
    'connector = "parquet"\npath = "big.parquet"\nmax_rows = 1000\n',
    'connector = "csv"\npath = "big.csv"\nmax_rows = 1000\n',
    'connector = "sql"\nurl = "sqlite:///big.db"\nquery = "select * from t"\nmax_rows = 1000\n',
    'connector = "xlsx"\npath = "big.xlsx"\nmax_rows = 1000\n',
])
def test_a_job_source_over_its_max_rows_fails_the_run(run_cli: RunCli,
        folder: Path, capsys: pytest.CaptureFixture[str], source: str) -> None:
    with sqlite3.connect(folder / "big.db") as db:
        db.execute("create table t (month text, visits int)")
        db.executemany("insert into t values (?, ?)", [("2026-01", 1)] * 2000)
    book = openpyxl.Workbook()
    book.active.append(["month", "visits"])
    for _ in range(2000):
        book.active.append(["2026-01", 1])
    book.save(folder / "big.xlsx")
    config = _job(folder, source)
    if "xlsx" in source:
        config.write_text('plugins = ["kpirules_xlsx"]\n' + config.read_text())
    assert run_cli("run", "--config", str(config)).code == 3
    err = capsys.readouterr().err
    assert "more than the limit of 1 000" in err and "max_rows" in err
    config.write_text(config.read_text().replace("max_rows = 1000", "max_rows = 5000"))
    assert run_cli("run", "--config", str(config)).code == 0, capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-5", '"many"', "true", "1.5"])
def test_a_bad_max_rows_is_a_configuration_error(run_cli: RunCli, folder: Path, capsys: pytest.CaptureFixture[str],
                                                 value: str) -> None:
    config = _job(folder, f'connector = "csv"\npath = "big.csv"\nmax_rows = {value}\n')
    assert run_cli("run", "--config", str(config)).code == 2
    assert f"{config}:6: [sources.s] max_rows: must be a whole number" in capsys.readouterr().err
