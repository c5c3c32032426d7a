"""A huge value in the data is quoted by its start and its length, never whole.

A 1 MB cell stands for the 50 MB one of issue 10: what matters is that the
message does not grow with the cell.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kpirules.display import MAX_LINE, MAX_SHOWN, cut, message_lines, one_line, shown
from support.cli import RunCli

BIG = "x" * 1_000_000
RULES = "ruleset r\nmetric visits\n"


@pytest.fixture(autouse=True)
def _no_autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.mark.slow
@pytest.mark.parametrize(("name", "text", "code", "where"), [
    ("cell.csv", f"month,visits\n2026-01,{BIG}\n", 3, 'in column "visits" is not a number'),
    ("period.csv", f"month,visits\n{BIG},3\n", 3, "is not a date or a period"),
    ("cell.json", f'[{{"month": "2026-01", "visits": "{BIG}"}}]', 3, "is not a number"),
    ("column.csv", f"month,visits,{BIG}\n2026-01,3,4\n", 0, "numeric column(s)"),
])
def test_a_huge_value_is_quoted_by_its_start_and_length(run_cli: RunCli,
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, code: int,
        where: str) -> None:
    (tmp_path / "r.kpi").write_text(RULES)
    (tmp_path / name).write_text(text)
    assert run_cli("eval", str(tmp_path / "r.kpi"), "--data", str(tmp_path / name)).code == code
    err = capsys.readouterr().err
    assert where in err
    assert len(err) < 1000, len(err)
    assert f'"{"x" * MAX_SHOWN}… (1 000 000 characters)"' in err


@pytest.mark.slow
def test_a_plugin_error_quoting_a_huge_value_is_cut_on_stderr(run_cli: RunCli,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The net: a message no helper quoted is still cut, line by line."""
    plugin = tmp_path / "noisy.py"
    plugin.write_text(
        "from kpirules import hookimpl\n"
        "from kpirules.errors import DataError\n"
        "from kpirules.plugin_api import Connector\n"
        "class Noisy(Connector):\n"
        "    name = 'noisy'\n"
        "    optional = ('x',)\n"
        "    def read(self, settings, ctx):\n"
        "        raise DataError('cannot read ' + 'y' * 1_000_000 + '\\n\\x1b[2Jdone')\n"
        "@hookimpl\n"
        "def kpirules_connectors():\n"
        "    return [Noisy()]\n")
    (tmp_path / "r.kpi").write_text(RULES)
    (tmp_path / "kpirules.toml").write_text(
        'rulesets = ["r.kpi"]\nplugins = ["noisy.py"]\n[sources.s]\nconnector = "noisy"\n')
    assert run_cli("run", "--config", str(tmp_path / "kpirules.toml")).code == 3
    err = capsys.readouterr().err
    assert "cannot read yyy" in err and re.search(r"y… \(1 000 0\d\d characters\)", err)
    assert all(len(line) < MAX_LINE + 100 for line in err.splitlines())
    assert "\x1b" not in err


def test_the_helpers() -> None:
    assert shown("a\nb") == '"a\\nb"'
    assert shown("é" * 100, 3) == '"ééé… (100 characters)"'
    assert cut("short") == "short"
    assert one_line("tab\tand\u00a0nbsp stay") == "tab\tand\u00a0nbsp stay"
    assert one_line("bidi\u202eevil\u2028next") == "bidi\\u202eevil\\u2028next"
    assert one_line("a\r\n\x00b", " ") == "a b"
    assert message_lines("one\ntwo" + "z" * 5000, 10) == "one\ntwozzzzzzz… (5 003 characters)"


@pytest.mark.slow
def test_a_huge_delivery_error_is_stored_cut(run_cli: RunCli, tmp_path: Path) -> None:
    import sqlite3

    plugin = tmp_path / "loud.py"
    plugin.write_text(
        "from kpirules import hookimpl\n"
        "from kpirules.plugin_api import ActionType\n"
        "class Loud(ActionType):\n"
        "    name = 'loud'\n"
        "    def deliver(self, firing, settings):\n"
        "        raise RuntimeError('refused: ' + 'z' * 1_000_000)\n"
        "@hookimpl\n"
        "def kpirules_actions():\n"
        "    return [Loud()]\n")
    (tmp_path / "r.kpi").write_text(RULES + "rule always when visits > 0 then loud()\n")
    (tmp_path / "d.csv").write_text("month,visits\n2026-01,3\n")
    (tmp_path / "kpirules.toml").write_text(
        'rulesets = ["r.kpi"]\nplugins = ["loud.py"]\nstate = "s.sqlite"\n'
        '[sources.s]\nconnector = "csv"\npath = "d.csv"\n')
    assert run_cli("run", "--config", str(tmp_path / "kpirules.toml")).code == 3
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        [(stored,)] = db.execute("select last_error from deliveries").fetchall()
    error = json.loads(stored)["error"] if stored.startswith("{") else stored
    # a bug of the plugin (not an ActionError) keeps its exception type
    assert error.startswith("RuntimeError: refused: zzz") and error.endswith("… (1 000 023 characters)")
    assert len(stored) < MAX_LINE
