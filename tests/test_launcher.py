"""The console script: exit codes and output unchanged, the shutdown's garbage collections skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RULES = """ruleset t
metric visits agg sum
metric leads agg sum
kpi cr = leads / visits
"""

SCRIPT = ("import atexit, gc, sys\n"
          "atexit.register(lambda: print('atexit: frozen objects', gc.get_freeze_count() > 0, flush=True))\n"
          "from kpirules.launcher import entry\n"
          "sys.argv = ['kpirules', *sys.argv[1:]]\n"
          "entry()\n")


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.slow
def test_objects_frozen_at_exit_and_atexit_handlers_still_run(tmp_path: Path) -> None:
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "data.csv").write_text("month,visits,leads\n2026-01,100,5\n2026-02,200,8\n", encoding="utf-8")
    proc = _run(["eval", "rules.kpi", "--data", "data.csv", "--format", "json", "-o", "out.json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "atexit: frozen objects True" in proc.stdout
    assert '"cr": 0.04' in (tmp_path / "out.json").read_text(encoding="utf-8")  # the file whole, closed


@pytest.mark.slow
def test_exit_codes_and_messages_pass_through(tmp_path: Path) -> None:
    (tmp_path / "bad.kpi").write_text("ruleset t\nkpi cr = leads /\n", encoding="utf-8")
    proc = _run(["check", "bad.kpi"], tmp_path)
    assert proc.returncode == 2  # a rule-file error (interfaces: exit codes)
    assert "bad.kpi:2:" in proc.stdout + proc.stderr
    assert "atexit: frozen objects True" in proc.stdout
