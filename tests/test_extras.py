"""Optional parts: a plain install evaluates files; the sql connector asks for kpirules[sql].

SQLAlchemy is an extra (``pip install "kpirules[sql]"``): ``eval`` of a file
never imports it, and a job or command that reaches the sql connector
without it gets a clear error naming the extra, exit 2, never a traceback.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from support.cli import RunCli

RULES = "ruleset r\n  grain month\nmetric visits\nkpi v = visits\n"


def _blocking(module: str) -> str:
    """Python code that makes ``import MODULE`` fail, as when the extra is not installed."""
    return f"import sys; sys.modules[{module!r}] = None; "


def test_a_sql_source_without_sqlalchemy_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         run_cli: RunCli) -> None:
    (tmp_path / "r.kpi").write_text(RULES, encoding="utf-8")
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        db.execute("create table t (month text, visits int)")
        db.execute("insert into t values ('2026-01', 3)")
    config = tmp_path / "kpirules.toml"
    config.write_text('rulesets = ["r.kpi"]\n\n[sources.s]\nconnector = "sql"\n'
                      'url = "sqlite:///db.sqlite"\nquery = "select * from t"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)  # import sqlalchemy now fails
    result = run_cli("run", "--config", config)
    code, err = result.code, result.err
    assert code == 2, err
    assert "the sql connector needs sqlalchemy" in err
    assert 'pip install "kpirules[sql]"' in err
    assert "Traceback" not in err


def test_eval_of_a_file_works_without_the_sql_extra(tmp_path: Path) -> None:
    """The whole command in a fresh interpreter where SQLAlchemy cannot be imported."""
    (tmp_path / "r.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "d.csv").write_text("month,visits\n2026-01,3\n2026-02,5\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", _blocking("sqlalchemy") + "from kpirules.launcher import entry; "
         "sys.argv = ['kpirules', 'eval', 'r.kpi', '--data', 'd.csv', '--format', 'json']; entry()"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert '"visits": 5' in proc.stdout.replace('"visits":5', '"visits": 5')
