"""Explaining a segment the data does not have is a usage error that says what the data has."""

from __future__ import annotations

from pathlib import Path

import pytest

import kpirules
from kpirules.errors import UsageError
from support.cli import RunCli

RULES = "ruleset r\nmetric visits\nmetric leads\nkpi cr = leads / visits\n"
ROWS = [{"period": "2026-01", "channel": c, "visits": 10, "leads": 1} for c in ("paid", "display")]


def test_the_api_raises_and_suggests_the_value_meant() -> None:
    result = kpirules.loads(RULES).evaluate(ROWS)
    with pytest.raises(UsageError, match=r"channel has no value 'Paid' \(did you mean \"paid\"\?\)"):
        result.explain("cr", segment={"channel": "Paid"})
    with pytest.raises(UsageError, match=r"values: display, paid"):
        result.explain("cr", segment={"channel": "zzz"})


def test_the_command_exits_2_with_the_message_on_stderr(run_cli: RunCli,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "d.csv").write_text("period,channel,visits,leads\n2026-01,paid,10,1\n", encoding="utf-8")
    code = run_cli("explain", str(tmp_path / "r.kpi"), "cr", "--data", str(tmp_path / "d.csv"),
                    "--where", "channel=zzz").code
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "no row for period 2026-01 and segment channel=zzz" in err
