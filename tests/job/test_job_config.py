"""The job configuration: errors name file, line and key; ${ENV}; paths; pyproject."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpirules.config import find_config, load_config
from kpirules.errors import ConfigError
from kpirules.plugin_api import Secret

BASE = """\
rulesets = ["rules/x.kpi"]

[sources.web]
connector = "csv"
path = "data/web.csv"
rename = { sessions = "visits" }
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "x.kpi").write_text("ruleset x\n")
    return tmp_path


def write(folder: Path, text: str, name: str = "kpirules.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_a_valid_configuration_is_resolved(folder: Path) -> None:
    config = load_config(write(folder, BASE + '\n[actions.notify]\ntype = "webhook"\n'
                                              'url = "https://x/${TOKEN}"\n[report]\n'
                                              'formats = ["html"]\n'),
                         environ={"TOKEN": "tok-123"})
    assert config.rulesets == (folder / "rules" / "x.kpi",)
    assert config.state == folder / "kpirules-state.sqlite"
    web = config.sources["web"]
    assert web.connector == "csv" and web.rename == {"sessions": "visits"}
    assert web.settings == {"path": "data/web.csv"}
    notify = config.actions["notify"]
    assert notify.type == "webhook" and notify.settings["url"] == "https://x/tok-123"
    assert isinstance(notify.settings["url"], Secret) and "tok-123" not in repr(notify)
    assert config.secrets == ("tok-123",)
    assert config.report is not None and config.report.dir == folder / "reports"


def test_an_action_table_without_type_configures_the_plugin_of_its_name(folder: Path) -> None:
    config = load_config(write(folder, BASE + '\n[actions.webhook]\nurl = "https://x"\n'))
    assert config.actions["webhook"].type == "webhook"


def test_errors_name_file_line_and_key(folder: Path) -> None:
    path = write(folder, BASE + "\n[report]\nformats = [\"html\"]\nfolder = \"out\"\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:10: [report] folder: unknown key")
    path = write(folder, BASE.replace('connector = "csv"\n', ""))
    with pytest.raises(ConfigError, match=rf"{path}:3: \[sources.web\] connector: missing"):
        load_config(path)
    path = write(folder, "rulesetz = 1\n" + BASE)
    with pytest.raises(ConfigError, match=r'rulesetz: unknown key \(did you mean "rulesets"\?\)'):
        load_config(path)


def test_missing_environment_variable_is_named_not_guessed(folder: Path) -> None:
    path = write(folder, BASE + '\n[actions.notify]\ntype = "webhook"\nurl = "${NOPE_URL}"\n')
    with pytest.raises(ConfigError, match=r":10: \[actions.notify\] url: environment variable "
                                          r"NOPE_URL is not set"):
        load_config(path, environ={})
    escaped = write(folder, BASE + '\n[actions.notify]\ntype = "file"\npath = "$${LITERAL}"\n')
    assert load_config(escaped, environ={}).actions["notify"].settings["path"] == "${LITERAL}"


def test_invalid_toml_names_the_line(folder: Path) -> None:
    path = write(folder, BASE + "oops = \n")
    with pytest.raises(ConfigError, match=r"invalid TOML.*line 7"):
        load_config(path)


def test_missing_rule_file(folder: Path) -> None:
    path = write(folder, BASE.replace("rules/x.kpi", "rules/y.kpi"))
    with pytest.raises(ConfigError, match=r":1: rulesets: no such rule file: rules/y.kpi"):
        load_config(path)


def test_pyproject_tool_table(folder: Path) -> None:
    text = "[project]\nname = 'demo'\n\n[tool.kpirules]\nrulesets = ['rules/x.kpi']\n\n" \
           "[tool.kpirules.sources.web]\nconnector = 'csv'\npath = 'w.csv'\n" \
           "[tool.kpirules.actions.notify]\ntype = 'log'\nlevel = 3\n"
    path = write(folder, text, "pyproject.toml")
    assert find_config(folder) == path
    config = load_config(path)
    assert config.sources["web"].settings == {"path": "w.csv"}
    assert config.where("actions", "notify", "level") == \
        f"{path}:12: [actions.notify] level"
    write(folder, BASE)
    assert find_config(folder) == folder / "kpirules.toml"  # kpirules.toml comes first


def test_no_configuration_found(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="kpirules init"):
        find_config(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    with pytest.raises(ConfigError):
        find_config(tmp_path)


def test_ruleset_globs(folder: Path) -> None:
    (folder / "rules" / "z.kpi").write_text("ruleset z\n")
    config = load_config(write(folder, BASE.replace('"rules/x.kpi"', '"rules/*.kpi"')))
    assert [p.name for p in config.rulesets] == ["x.kpi", "z.kpi"]


def test_configured_action_names_for_check(folder: Path) -> None:
    from kpirules.config import configured_action_names

    assert configured_action_names(folder) is None
    write(folder, BASE + '\n[actions.notify]\ntype = "log"\n[actions.page]\ntype = "log"\n')
    assert configured_action_names(folder) == {"notify", "page"}
