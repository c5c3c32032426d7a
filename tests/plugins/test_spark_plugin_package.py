"""The Spark connector package in plugins/kpirules-spark is complete and its tests pass on local Spark."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "kpirules-spark"


def test_the_package_declares_its_entry_point_and_dependencies() -> None:
    meta = tomllib.loads((PACKAGE / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["kpirules"] == {"spark": "kpirules_spark"}
    assert any(d.startswith("pyspark") for d in meta["project"]["dependencies"])
    assert (PACKAGE / "README.md").is_file()


def test_the_plugin_imports_nothing_of_kpirules_but_the_plugin_api() -> None:
    for source in (PACKAGE / "src" / "kpirules_spark").glob("*.py"):
        for line in source.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if words[:1] in (["import"], ["from"]) and words[1].startswith("kpirules") \
                    and not words[1].startswith("kpirules_spark"):
                assert words[1] == "kpirules.plugin_api", f"{source.name}: {line.strip()}"


@pytest.mark.slow  # minutes: a JVM, local Spark, every plan
def test_the_plugins_own_tests_pass_on_local_spark() -> None:
    env = {**os.environ, "KPIRULES_DISABLE_PLUGIN_AUTOLOAD": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
         str(PACKAGE), "-c", str(PACKAGE / "pyproject.toml"), str(PACKAGE / "tests")],
        cwd=PACKAGE, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout
