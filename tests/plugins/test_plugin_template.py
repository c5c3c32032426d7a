"""`kpirules init --plugin NAME`: the generated package works as generated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.cli import RunCli, run_process


@pytest.mark.slow
def test_the_generated_plugin_passes_its_own_tests(run_cli: RunCli, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "kpirules-restapi"
    assert run_cli("init", "--plugin", "kpirules-restapi", str(target)).code == 0
    assert "next: cd" in capsys.readouterr().out
    source = (target / "src" / "kpirules_restapi" / "__init__.py").read_text()
    assert 'name = "restapi-jsonl"' in source and "__MODULE__" not in source
    assert 'restapi = "kpirules_restapi"' in (target / "pyproject.toml").read_text()
    assert not list(target.rglob("*.tmpl"))
    # the package's own test suite, run as its author would (pytest in its folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=target, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "6 passed" in proc.stdout


@pytest.mark.slow
def test_the_generated_plugin_is_found_by_kpirules_plugins(run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "kpirules-pager"
    assert run_cli("init", "--plugin", "kpirules-pager", str(target)).code == 0
    config = tmp_path / "kpirules.toml"
    (tmp_path / "rules.kpi").write_text("ruleset r\nmetric visits\n")
    config.write_text('rulesets = ["rules.kpi"]\n'
                      'plugins = ["kpirules-pager/src/kpirules_pager/__init__.py"]\n')
    proc = run_process("plugins", "--verbose", "--config", config, autoload=False)
    assert proc.returncode == 0, proc.stderr
    assert "connector pager-jsonl" in proc.stdout and "function pct(x)" in proc.stdout
    assert "warning" not in proc.stdout  # cheap import, every hook decorated


@pytest.mark.parametrize("name", ["Kpirules_X", "kpirules restapi", "-x", "x--y"])
def test_a_bad_plugin_name_is_refused_and_nothing_written(run_cli: RunCli, tmp_path: Path, name: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("init", "--plugin", name, str(tmp_path / "out")).code == 2
    assert "lower-case words joined by hyphens" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_existing_file_stops_the_generation(run_cli: RunCli, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("mine")
    assert run_cli("init", "--plugin", "kpirules-x", str(tmp_path)).code == 2
    assert "README.md" in capsys.readouterr().err
    assert (tmp_path / "README.md").read_text() == "mine"
    assert not (tmp_path / "pyproject.toml").exists()
