"""The example plugin package in plugins/kpirules-xlsx is complete and its tests pass."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "kpirules-xlsx"


def test_the_package_declares_its_entry_point() -> None:
    meta = tomllib.loads((PACKAGE / "pyproject.toml").read_text())
    assert meta["build-system"]["build-backend"] == "hatchling.build"
    assert meta["project"]["entry-points"]["kpirules"] == {"xlsx": "kpirules_xlsx"}
    assert (PACKAGE / "README.md").is_file()


@pytest.mark.slow
def test_the_plugins_own_tests_pass() -> None:
    env = {**os.environ, "KPIRULES_DISABLE_PLUGIN_AUTOLOAD": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
         str(PACKAGE), "-c", str(PACKAGE / "pyproject.toml"), str(PACKAGE / "tests")],
        cwd=PACKAGE, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "skipped" not in done.stdout
