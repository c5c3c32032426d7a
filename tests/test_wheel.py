"""The wheel works on its own: built, installed in a fresh environment, it parses a file.

A source checkout reads the grammar from the top-level ``grammar/``; an
installed package must carry its own copy (``kpirules/grammar/kpirules.lark``).
Forgetting it breaks every user and no other test would notice, so this one
builds the wheel, installs it into a new virtual environment, away from the
checkout, and runs ``kpirules check`` there.

The fresh environment gets the wheel only; its dependencies come from the
current environment through a ``.pth`` file, so the test needs no network.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"

ROOT = Path(__file__).resolve().parents[1]

RULES = """\
ruleset funnel "Funnel"
metric visits unit count
metric leads unit count
kpi cr = leads / visits unit percent
threshold cr
  critical < 10%
"""


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, check=False, **kwargs)


def build_wheel(outdir: Path) -> Path:
    """Build with the installed backend when there is one (offline), else in isolation."""
    base = [sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir)]
    if importlib.util.find_spec("hatchling") is not None:
        proc = _run([*base, "--no-isolation", str(ROOT)])
    else:
        proc = _run([*base, str(ROOT)])
        if proc.returncode != 0 and ("hatchling" in proc.stdout + proc.stderr) and (
                "No matching distribution" in proc.stdout + proc.stderr
                or "Could not find a version" in proc.stdout + proc.stderr):
            pytest.skip("the build backend (hatchling) is neither installed nor downloadable")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = sorted(outdir.glob("kpirules-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


def test_wheel_carries_the_grammar_and_the_entry_point(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        grammar = zf.read("kpirules/grammar/kpirules.lark").decode("utf-8")
        entry_points = next(zf.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert grammar == (ROOT / "grammar" / "kpirules.lark").read_text(encoding="utf-8")
    assert {"kpirules/__init__.py", "kpirules/cli.py", "kpirules/py.typed", "kpirules/lang/parser.py",
            "kpirules/lang/formatter.py"} <= names
    assert "kpirules = kpirules.launcher:entry" in entry_points
    assert not any(n.startswith(("tests/", "src/")) for n in names)


def test_installed_wheel_parses_a_rule_file(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    installed = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                      "--no-index", "--no-compile", "--disable-pip-version-check", str(wheel)])
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # dependencies (lark, attrs, networkx, click…) from this environment, after the wheel's own
    target = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    site_packages = Path(target.stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "_kpirules_test_deps.pth").write_text("\n".join(sorted(ours)) + "\n")

    rules = tmp_path / "work" / "funnel.kpi"
    rules.parent.mkdir()
    rules.write_text(RULES, encoding="utf-8")
    script = (
        "import importlib.resources, kpirules\n"
        "from kpirules.lang import grammar\n"
        "print(kpirules.__file__)\n"
        "assert importlib.resources.files('kpirules').joinpath('grammar', 'kpirules.lark').is_file()\n"
        "rs = kpirules.load('funnel.kpi')\n"
        "print(rs.name, sorted(rs.kpis), tuple(map(str, rs.order)))\n"
    )
    clean_env = {"PATH": str(python.parent), "NO_COLOR": "1", "SYSTEMROOT": ""}
    proc = _run([str(python), "-I", "-c", script], cwd=rules.parent, env=clean_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, second = proc.stdout.splitlines()
    assert Path(first).resolve().is_relative_to(site_packages.resolve())
    assert second == "funnel ['cr'] ('cr', 'cr:status')"

    script_dir = python.parent
    cli = _run([str(script_dir / "kpirules"), "check", "funnel.kpi"], cwd=rules.parent, env=clean_env)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "1 file checked: no problems" in cli.stderr
    broken = _run([str(script_dir / "kpirules"), "check", "-"], cwd=rules.parent, env=clean_env,
                  input="ruleset x\nkpi a = (b\n")
    assert broken.returncode == 2
    assert "<stdin>:2:9: error: unclosed parenthesis" in broken.stderr
