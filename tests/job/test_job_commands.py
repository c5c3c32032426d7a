"""kpirules init and kpirules plugins."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., tuple[int, str, str]]


@pytest.mark.slow
def test_init_creates_a_project_that_works(tmp_path: Path, run_cli: Run,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "demo"
    code, out, err = run_cli("init", str(target))
    assert code == 0, err
    for rel in ("kpirules.toml", "rulesets/funnel.kpi", "data/funnel.csv",
                "tests/funnel_test.toml", "README.md"):
        assert (target / rel).is_file(), rel
    monkeypatch.chdir(target)
    code, out, err = run_cli("check", "rulesets/funnel.kpi")
    assert code == 0, err
    code, out, err = run_cli("test", "tests/funnel_test.toml")
    assert code == 0, out + err
    code, out, err = run_cli("run")
    assert code == 1, err  # the display channel is critical in the sample data
    alerts = [json.loads(x) for x in (target / "alerts.jsonl").read_text().splitlines()]
    assert [a["segment"] for a in alerts] == [{"channel": "display"}]
    assert (target / "reports" / "funnel-2026-04.html").is_file()
    run_cli("run")
    assert len((target / "alerts.jsonl").read_text().splitlines()) == 1


def test_init_never_overwrites(tmp_path: Path, run_cli: Run) -> None:
    (tmp_path / "rulesets").mkdir()
    (tmp_path / "rulesets" / "funnel.kpi").write_text("mine")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    code, _, err = run_cli("init", str(tmp_path))
    assert code == 2 and "rulesets/funnel.kpi" in err and "nothing was changed" in err
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "rulesets" / "funnel.kpi").read_text() == "mine"


def test_init_in_the_current_folder(tmp_path: Path, run_cli: Run,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("init")[0] == 0
    assert (tmp_path / "kpirules.toml").is_file()
    assert run_cli("init")[0] == 2


@pytest.mark.slow
def test_plugins_lists_what_each_plugin_adds(run_cli: Run, tmp_path: Path) -> None:
    code, out, _ = run_cli("plugins")
    assert code == 0
    assert "kpirules 0.1.0" in out and "csv" in out and "webhook" in out and "html" in out
    plugin = tmp_path / "extra.py"
    plugin.write_text("import kpirules\nfrom kpirules.plugin_api import ActionType\n"
                      "class Page(ActionType):\n    name = 'page'\n"
                      "@kpirules.hookimpl\ndef kpirules_actions():\n    return [Page()]\n")
    (tmp_path / "rules.kpi").write_text("ruleset x\n")
    (tmp_path / "kpirules.toml").write_text('rulesets = ["rules.kpi"]\nplugins = ["extra.py"]\n')
    code, out, _ = run_cli("plugins", "--format", "json", "--config",
                           str(tmp_path / "kpirules.toml"))
    described = json.loads(out)
    assert {"name": "extra", "actions": ["page"]}.items() <= described[-1].items()


def test_a_broken_configured_plugin_exits_2(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("raise RuntimeError('boom')\n")
    (tmp_path / "rules.kpi").write_text("ruleset x\n")
    (tmp_path / "kpirules.toml").write_text(
        'rulesets = ["rules.kpi"]\nplugins = ["bad.py"]\n[sources.s]\nconnector = "csv"\n'
        'path = "d.csv"\n')
    code, _, err = run_cli("run", "--config", str(tmp_path / "kpirules.toml"))
    assert code == 2 and "bad" in err and "boom" in err
