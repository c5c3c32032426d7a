"""The shipped job and demo run with no warning at all (issue 12).

A warning on the shipped library teaches users to ignore warnings; each run
here is the real script (a shell script: a plain child process) or command, in a copy of the repository's examples,
rulesets and scripts, and anything on standard error other than the
"wrote FILE" lines fails the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.cli import run_process

pytestmark = pytest.mark.slow  # the demo and the job, as a user runs them

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """What the demo reads, copied, beside the virtual environment the tests run in."""
    for folder in ("examples", "rulesets", "scripts"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return tmp_path


def _problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("wrote ")]


def test_the_demo_runs_without_a_warning(checkout: Path) -> None:
    env = {**os.environ, "KPIRULES_DEMO_SETUP": "0"}
    done = subprocess.run(["scripts/demo.sh"], cwd=checkout, capture_output=True, text=True,
                          env=env, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    assert _problems(done.stderr) == []
    written = {path.name for path in (checkout / "reports").glob("*.html")}
    shipped = {f"{path.stem}.html" for path in (checkout / "rulesets").glob("*.kpi")}
    assert written == shipped | {"index.html"}


def test_the_shipped_job_runs_without_a_warning(checkout: Path) -> None:
    done = run_process("run", "--config", "rulesets/kpirules.toml", cwd=checkout, timeout=600)
    assert done.returncode in (0, 1), done.stderr  # 1: rules fired, as the sample data means them to
    assert done.stderr == ""
    assert "actions: " in done.stdout


def test_the_seo_rulesets_read_their_own_exports_without_a_warning(checkout: Path) -> None:
    for ruleset, data in (("seo", "seo.csv"), ("seo_keywords", "seo_keywords.csv")):
        done = run_process("eval", f"rulesets/{ruleset}.kpi", "--data", f"examples/data/{data}",
                           "--fail-on", "never", cwd=checkout)
        assert done.returncode == 0, done.stderr
        assert done.stderr == "", f"{ruleset}: {done.stderr}"
