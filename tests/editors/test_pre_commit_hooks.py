"""The pre-commit hooks: their entries run through ``pre-commit try-repo`` on scratch repositories.

A hook of ``language: python`` makes pre-commit build a fresh environment and
install kpirules into it from the network. The tests stay offline: the scratch
hooks repository carries this manifest with ``language: system``, so the very
same entries, file patterns and arguments run with the kpirules of this
environment, and a test holds that this is the only difference.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kpirules.lang.formatter import format_text

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")

MESSY = "ruleset r\nmetric visits unit count\nmetric leads unit count\nkpi cr=leads/visits unit percent\n"
VALID = format_text(MESSY)
BROKEN = "ruleset r\nmetric visits\nkpi cr = leads / visit\n"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


def _manifest() -> list[dict[str, object]]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture
def hooks_repo(tmp_path: Path) -> Path:
    """A local git repository holding the manifest, its hooks run from this environment."""
    repo = tmp_path / "hooks"
    repo.mkdir()
    local = [{**hook, "language": "system"} for hook in _manifest()]
    (repo / ".pre-commit-hooks.yaml").write_text(yaml.safe_dump(local), encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "hooks")
    return repo


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name, text in files.items():
        (project / name).write_text(text, encoding="utf-8")
    _git(project, "init", "-q")
    _git(project, "add", ".")
    return project


def _try_repo(project: Path, hooks: Path, hook: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(project.parent / "pre-commit-home"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "KPIRULES_DISABLE_PLUGIN_AUTOLOAD": "1", "NO_COLOR": "1"}
    return subprocess.run([str(PRE_COMMIT), "try-repo", str(hooks), hook, "--all-files", "--color", "never"],
                          cwd=project, capture_output=True, text=True, env=env, timeout=300)


def test_the_manifest_declares_both_hooks_on_kpi_files() -> None:
    hooks = {hook["id"]: hook for hook in _manifest()}
    assert set(hooks) == {"kpirules-check", "kpirules-fmt"}
    assert hooks["kpirules-check"]["entry"] == "kpirules check"
    assert hooks["kpirules-fmt"]["entry"] == "kpirules fmt"
    for hook in hooks.values():
        assert hook["language"] == "python"  # users get kpirules installed by pre-commit itself
        assert hook["files"] == r"\.kpi$"


@pytest.mark.slow
def test_check_hook_passes_valid_files_and_stops_a_broken_one(tmp_path: Path, hooks_repo: Path) -> None:
    project = _project(tmp_path, {"good.kpi": VALID, "bad.kpi": BROKEN, "notes.txt": "kpi = broken"})
    result = _try_repo(project, hooks_repo, "kpirules-check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "bad.kpi:3:18: error: unknown name \"visit\"" in result.stdout
    assert "good.kpi" not in result.stdout and "notes.txt" not in result.stdout
    (project / "bad.kpi").write_text(VALID, encoding="utf-8")
    _git(project, "add", ".")
    result = _try_repo(project, hooks_repo, "kpirules-check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kpirules check" in result.stdout and "Passed" in result.stdout


@pytest.mark.slow
def test_fmt_hook_rewrites_a_messy_file_and_stops_the_commit(tmp_path: Path, hooks_repo: Path) -> None:
    project = _project(tmp_path, {"messy.kpi": MESSY, "good.kpi": VALID})
    result = _try_repo(project, hooks_repo, "kpirules-fmt")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    assert (project / "messy.kpi").read_text(encoding="utf-8") == format_text(MESSY)
    assert (project / "good.kpi").read_text(encoding="utf-8") == VALID
    _git(project, "add", ".")
    assert _try_repo(project, hooks_repo, "kpirules-fmt").returncode == 0
