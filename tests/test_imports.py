"""``kpirules --version`` and ``kpirules check`` stay fast: they never import Polars.

Checking a rule file is what editors and pre-commit hooks run on every save;
importing the evaluation stack (Polars and what comes with it) would cost them
most of a second each time. Each command runs in a fresh interpreter, since
this test process has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kpirules
from support.cli import RunCli

HEAVY = ("polars", "pandas", "pyarrow", "sqlalchemy", "babel", "jinja2")

RULES = """\
ruleset funnel
metric visits
metric leads
kpi cr = leads / visits unit percent
threshold cr
  critical < 10%
rule low when cr is critical then log(text="low")
"""


def imported_modules(args: list[str], cwd: Path) -> tuple[int, set[str], str]:
    """Run ``kpirules ARGS`` as the console script does; return its exit code and the
    top-level packages it imported (from ``python -X importtime``)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c",
         "import sys; from kpirules.launcher import entry; sys.argv = ['kpirules', *sys.argv[1:]]; entry()",
         *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )
    modules = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            modules.add(name.split(".")[0])
    return proc.returncode, modules, proc.stdout + proc.stderr


def loaded_module_names(args: list[str], cwd: Path) -> tuple[int, set[str], str]:
    """Run ``kpirules ARGS``; return its exit code and every module in ``sys.modules`` at its
    exit, by full name (``kpirules.job.runner``), those imported by ``importlib`` included."""
    listing = cwd / "modules.json"
    code = ("import atexit, json, sys\n"
            f"atexit.register(lambda: open({str(listing)!r}, 'w').write(json.dumps(sorted(sys.modules))))\n"
            "from kpirules.launcher import entry\n"
            "sys.argv = ['kpirules', *sys.argv[1:]]\n"
            "entry()\n")
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    return proc.returncode, set(json.loads(listing.read_text())), proc.stdout + proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--version"], ["check", "rules.kpi"], ["check", "--format", "json",
                                                                          "rules.kpi"]])
def test_language_commands_do_not_import_the_evaluation_stack(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    code, modules, output = imported_modules(args, tmp_path)
    assert code == 0, output
    assert "kpirules" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_importing_kpirules_is_light() -> None:
    code = f"import sys, kpirules; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.slow
def test_checking_a_valid_file_does_not_import_networkx(tmp_path: Path) -> None:
    """networkx (a quarter of a second) is for ordering, naming cycles and export, not for check."""
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    code, modules, output = imported_modules(["check", "rules.kpi"], tmp_path)
    assert code == 0, output
    assert "networkx" not in modules


@pytest.mark.slow
def test_a_cycle_is_still_named_by_check(tmp_path: Path) -> None:
    (tmp_path / "rules.kpi").write_text(RULES + "kpi a = b + 1\nkpi b = a * 2\n", encoding="utf-8")
    code, modules, output = imported_modules(["check", "rules.kpi"], tmp_path)
    assert code == 2, output
    assert "dependency cycle: a -> b -> a" in output
    assert "networkx" in modules


def test_version_is_answered_without_click_and_says_what_click_says(
        run_cli: RunCli, tmp_path: Path) -> None:
    code, modules, output = imported_modules(["--version"], tmp_path)
    assert code == 0, output
    assert "click" not in modules

    by_click = run_cli("--version")
    assert by_click.code == 0
    printed_by_click = by_click.out.strip()
    assert output.splitlines()[0] == printed_by_click == f"kpirules, version {kpirules.__version__}"


def test_other_arguments_next_to_version_go_to_the_full_command_line(tmp_path: Path) -> None:
    code, modules, output = imported_modules(["--version", "--help"], tmp_path)
    assert code == 0, output
    assert "click" in modules


def test_eval_of_a_file_imports_only_what_it_uses(tmp_path: Path) -> None:
    """``eval`` of a CSV file: no networkx (the evaluation order needs none), no SQLAlchemy
    (the sql extra), no mail or template machinery (sending, HTML); start-up is Polars' and ours."""
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "data.csv").write_text("month,visits,leads\n2026-01,100,20\n2026-02,100,5\n", encoding="utf-8")
    code, modules, output = imported_modules(
        ["eval", "rules.kpi", "--data", "data.csv", "--format", "json", "--fail-on", "never"], tmp_path)
    assert code == 0, output
    assert "polars" in modules
    assert not modules & {"networkx", "sqlalchemy", "jinja2", "smtplib"}, \
        sorted(modules & {"networkx", "sqlalchemy", "jinja2", "smtplib"})


#: What ``eval`` of a file in a built-in format must not import: Lark (a valid rule file is parsed
#: from the generated tables; Lark only explains syntax errors), the plugin machinery (pluggy and
#: every installed distribution's entry points: plugins load at the first name that is not built
#: in), the job's other steps (state store, outbox, runner), the other formats, and what the
#: built-in actions need to deliver (HTTP, TLS, mail), and the configuration file's reader
#: (no --config given).
NOT_FOR_EVAL = ("lark", "pluggy", "kpirules.plugins", "kpirules.hookspecs", "kpirules.job.runner",
                "kpirules.state", "kpirules.alerting", "kpirules.builtin.webhook",
                "kpirules.builtin.sql", "kpirules.report.html", "kpirules.report.pdf", "sqlite3",
                "ssl", "urllib.request", "smtplib", "kpirules.config", "tomllib",
                "kpirules.job.plan", "kpirules.job.model")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_eval_in_a_builtin_format_loads_no_plugin_machinery(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "data.csv").write_text("month,visits,leads\n2026-01,100,20\n", encoding="utf-8")
    code, modules, output = loaded_module_names(
        ["eval", "rules.kpi", "--data", "data.csv", "--format", fmt, "--fail-on", "never"], tmp_path)
    assert code == 0, output
    assert "kpirules.builtin.files" in modules and "polars" in modules
    assert not modules & set(NOT_FOR_EVAL), sorted(modules & set(NOT_FOR_EVAL))


@pytest.mark.slow
def test_check_of_a_file_using_builtins_loads_no_plugin_machinery(tmp_path: Path) -> None:
    """``log`` is a built-in action and every function core: no plugin needs loading."""
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    code, modules, output = loaded_module_names(["check", "rules.kpi"], tmp_path)
    assert code == 0, output
    assert not modules & {"pluggy", "kpirules.plugins", "kpirules.builtin.actions"}, \
        sorted(modules & {"pluggy", "kpirules.plugins", "kpirules.builtin.actions"})


def test_check_of_a_valid_file_does_not_import_lark_and_of_a_wrong_one_does(tmp_path: Path) -> None:
    """Valid files are parsed from the generated tables; Lark's front end only explains errors."""
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "wrong.kpi").write_text(RULES + "kpi broken = (visits\n", encoding="utf-8")
    code, modules, output = loaded_module_names(["check", "rules.kpi"], tmp_path)
    assert code == 0, output
    assert "lark" not in modules and "kpirules.lang.grammar" not in modules
    code, modules, output = loaded_module_names(["check", "wrong.kpi"], tmp_path)
    assert code == 2, output
    assert "unclosed parenthesis" in output and "lark" in modules


def test_no_module_imports_a_private_helper_of_another_module() -> None:
    """issue 11: the command line is argument handling only; commands share public helpers, and
    so do the engine's modules (``why`` once imported ``evaluate._generations``)."""
    import ast

    root = Path(__file__).resolve().parents[1] / "src" / "kpirules"
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kpirules"):
                found += [f"{path.name}: {node.module}.{alias.name}" for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert found == []


def test_the_command_line_module_defines_no_command() -> None:
    """Every command lives in kpirules.commands and is imported only when it runs."""
    import click

    from kpirules import cli

    assert not any(isinstance(value, click.Command) and value is not cli.main
                   for value in vars(cli).values())
    assert set(cli.main.list_commands(click.Context(cli.main))) >= {
        "check", "eval", "explain", "fmt", "graph", "run", "test", "why", "whatif", "suggest"}
