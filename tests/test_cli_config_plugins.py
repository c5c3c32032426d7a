"""``--config`` gives check, eval, explain, graph and test the plugins a job configuration lists.

A rule file that ``kpirules run`` accepts must check, evaluate and test the
same way when given the same configuration; without it, the unknown function
says how to load its plugin.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import RunCli

PLUGIN = '''
import kpirules
import polars as pl
from kpirules.lang.functions import FunctionSpec


@kpirules.hookimpl
def kpirules_functions():
    return [FunctionSpec("safe_log10", ("x",), 1, 1, doc="log10, null at or below 0",
                         build=lambda x: pl.when(x > 0).then(x.log10()))]
'''
RULES = "ruleset p\nmetric v\nkpi lg = safe_log10(v)\nrule big when lg > 2 then notify(text=\"{lg}\")\n"
TEST = '''
ruleset = "p.kpi"

[[test]]
name = "thousand"
rows = [{period = "2026-01", v = 1000}]
expect = [{ values = { lg = 3 } }]
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "logs.py").write_text(PLUGIN, encoding="utf-8")
    (tmp_path / "p.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "p.csv").write_text("period,v\n2026-01,1000\n", encoding="utf-8")
    (tmp_path / "p_test.toml").write_text(TEST, encoding="utf-8")
    (tmp_path / "job.toml").write_text(
        'rulesets = ["p.kpi"]\nplugins = ["plugins/logs.py"]\n'
        '[sources.s]\nconnector = "csv"\npath = "p.csv"\n'
        '[actions.notify]\ntype = "file"\npath = "alerts.jsonl"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path.parent)  # the configuration is not found by chance
    return tmp_path


@pytest.mark.slow
def test_without_config_the_unknown_function_says_how_to_load_it(run_cli: RunCli,
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("check", str(project / "p.kpi")).code == 2
    err = capsys.readouterr().err
    assert 'unknown function "safe_log10"' in err and "--config" in err


@pytest.mark.slow
def test_check_with_config_knows_the_function_and_the_action(run_cli: RunCli,
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("check", "--config", str(project / "job.toml"), str(project / "p.kpi")).code == 0
    assert "no problems" in capsys.readouterr().err  # not even the warning about "notify"


@pytest.mark.slow
def test_eval_and_explain_with_config(run_cli: RunCli, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run_cli("eval", str(project / "p.kpi"), "--config", str(project / "job.toml"),
                    "--data", str(project / "p.csv"), "--format", "json").code
    assert code == 0
    assert json.loads(capsys.readouterr().out)["rows"][0]["values"]["lg"] == pytest.approx(3.0)
    assert run_cli("explain", str(project / "p.kpi"), "lg", "-c", str(project / "job.toml"),
                    "--data", str(project / "p.csv")).code == 0
    assert "safe_log10(v)" in capsys.readouterr().out


@pytest.mark.slow
def test_graph_and_test_with_config(run_cli: RunCli, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("graph", str(project / "p.kpi"), "--config", str(project / "job.toml")).code == 0
    assert "lg" in capsys.readouterr().out
    assert run_cli("test", str(project / "p_test.toml"), "--config", str(project / "job.toml")).code == 0
    assert "1 passed" in capsys.readouterr().out


def test_a_config_that_does_not_exist_is_a_usage_error(run_cli: RunCli,
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("check", "--config", str(project / "nope.toml"), str(project / "p.kpi")).code == 2
    assert "nope.toml" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "content", "message"), [
    ("broken.toml", "rulesets = [\n", "invalid TOML"),
    ("pyproject.toml", 'tool = "x"\n', "no [tool.kpirules] table"),
    ("plugins.toml", "plugins = 5\n", "plugins must be a list of texts"),
    ("failing.toml", 'plugins = ["plugins/failing.py"]\n', "failing"),
])
def test_a_config_given_by_name_that_cannot_be_used_exits_2(run_cli: RunCli,
        project: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str) -> None:
    (project / "plugins" / "failing.py").write_text("raise RuntimeError('no luck')\n", encoding="utf-8")
    (project / "sub").mkdir()
    config = project / "sub" / name
    config.write_text(content.replace("plugins/", "../plugins/"), encoding="utf-8")
    code = run_cli("eval", str(project / "p.kpi"), "--config", str(config), "--data", str(project / "p.csv")).code
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "internal error" not in err
