"""Command-line mistakes about where output goes, and breakdowns, are usage errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import RunCli

RULES = "ruleset r\nmetric visits\nkpi v2 = visits * 2\n"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "r.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "d.csv").write_text("period,channel,visits\n2026-01,a,1\n", encoding="utf-8")
    return tmp_path / "r.kpi", tmp_path / "d.csv"


@pytest.mark.slow
def test_output_into_a_missing_folder(run_cli: RunCli, files: tuple[Path, Path], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    rules, data = files
    target = tmp_path / "nope" / "out.json"
    assert run_cli("eval", str(rules), "--data", str(data), "-o", str(target)).code == 2
    assert f"no such folder {target.parent}" in capsys.readouterr().err
    assert not target.parent.exists()


def test_output_is_written_when_the_folder_exists(run_cli: RunCli, files: tuple[Path, Path], tmp_path: Path) -> None:
    rules, data = files
    assert run_cli("eval", str(rules), "--data", str(data), "--format", "json",
                    "-o", str(tmp_path / "out.json")).code == 0
    assert '"v2"' in (tmp_path / "out.json").read_text(encoding="utf-8")


def test_a_dimension_given_twice_to_by(run_cli: RunCli, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    rules, data = files
    assert run_cli("eval", str(rules), "--data", str(data), "--by", "channel,channel").code == 2
    assert "channel given twice" in capsys.readouterr().err


def test_run_output_into_a_missing_folder_stops_before_anything_runs(run_cli: RunCli,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "nope" / "out.txt"
    assert run_cli("run", "--config", str(tmp_path / "absent.toml"), "-o", str(target)).code == 2
    assert "no such folder" in capsys.readouterr().err


def test_explain_where_mistakes_name_the_where_option(run_cli: RunCli, files: tuple[Path, Path],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    rules, data = files
    assert run_cli("explain", str(rules), "v2", "--data", str(data), "--where", "nochan=x").code == 2
    err = capsys.readouterr().err
    assert "--where: no such dimension in the data (dimensions: channel)" in err and "--by" not in err
    assert run_cli("explain", str(rules), "v2", "--data", str(data),
                    "--where", "channel=a", "--where", "channel=b").code == 2
    assert "channel is given twice" in capsys.readouterr().err


@pytest.mark.parametrize("column", ["visits", "period"])
def test_a_metric_or_the_period_forced_as_a_dimension(run_cli: RunCli, files: tuple[Path, Path], column: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    rules, data = files
    assert run_cli("eval", str(rules), "--data", str(data), "--dimension", column).code == 2
    assert f'"{column}" is' in capsys.readouterr().err
