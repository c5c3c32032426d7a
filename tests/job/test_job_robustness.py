"""Bad job configurations and environments give clear errors, never a crash.

Rename collisions, report name templates, a read-only state store, webhook
URLs and CSV settings checked before anything is read, and ``[params]``
values blamed on the configuration line.
"""

from __future__ import annotations

import sqlite3
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kpirules.config import load_config
from kpirules.errors import ConfigError
from kpirules.job import Job
from kpirules.state import StateError, StateStore
from support.project import Project

Run = Callable[..., tuple[int, str, str]]


def _line(path: Path, text: str) -> int:
    """The 1-based line of ``path`` whose stripped text starts with ``text``."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1)
                if line.strip().startswith(text))


def _edit(project: Project, old: str, new: str) -> None:
    text = project.config.read_text()
    assert old in text
    project.config.write_text(text.replace(old, new, 1))


# -- H3: rename onto a column that already exists ----------------------------------


@pytest.mark.parametrize("column", ["channel", "orders"])
def test_a_rename_onto_an_existing_column_is_a_configuration_error(
        project: Project, run_cli: Run, column: str) -> None:
    project.month("2026-01", display=0.005)  # would fire and send
    _edit(project, 'path = "data/shop.csv"',
          f'path = "data/shop.csv"\nrename = {{ {column} = "visits" }}')
    code, out, err = run_cli("run", "--config", str(project.config))
    assert code == 2, err
    assert "internal error" not in err
    line = _line(project.config, "rename")
    csv = project.root / "data" / "shop.csv"
    assert (f"error: {project.config}:{line}: [sources.shop] rename: {column} → visits, "
            f'but {csv} already has a column "visits"') in err
    assert out == "" and not project.alerts


def test_a_rename_that_swaps_two_columns_is_fine(project: Project, run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    (project.root / "data" / "shop.csv").write_text(
        "month,channel,visits,orders\n2026-01,display,50,10000\n")
    _edit(project, 'path = "data/shop.csv"',
          'path = "data/shop.csv"\nrename = { visits = "orders", orders = "visits" }')
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 1, err
    assert len(project.alerts) == 1


def test_two_columns_renamed_to_one_metric_are_refused_at_load(tmp_path: Path) -> None:
    (tmp_path / "x.kpi").write_text("ruleset x\n")
    path = tmp_path / "kpirules.toml"
    path.write_text('rulesets = ["x.kpi"]\n[sources.web]\nconnector = "csv"\npath = "w.csv"\n'
                    'rename = { a = "visits", b = "visits" }\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (f'{path}:5: [sources.web] rename: a → visits and b → visits: '
                               f'two columns cannot both become "visits"')


# -- H9: the report name template --------------------------------------------------

REPORT = '[report]\nformats = ["json"]\nname = {name}\n'


def _config_with_report_name(tmp_path: Path, toml_value: str) -> Path:
    (tmp_path / "x.kpi").write_text("ruleset x\n")
    path = tmp_path / "kpirules.toml"
    path.write_text('rulesets = ["x.kpi"]\n\n' + REPORT.format(name=toml_value))
    return path


@pytest.mark.parametrize(("toml_value", "message"), [
    ('"{as_of.year}"', "{as_of.year}: no attribute or index access"),
    ('"{ruleset[0]}"', "{ruleset[0]}: no attribute or index access"),
    ('"{ruleset!r}"', "{ruleset!r}: no conversion or format spec"),
    ('"{ruleset:>1000}"', "{ruleset:>1000}: no conversion or format spec"),
    ('"{as_of!s:x}"', "{as_of!s:x}: no conversion or format spec"),
    ('"{period}"', "unknown placeholder {period}"),
    ('"{}"', "unknown placeholder {}"),
    ('"{0}"', "unknown placeholder {0}"),
    ('"{ruleset"', "expected '}' before end of string"),
    ('"a}b"', "Single '}' encountered"),
    ('".."', '".." is not allowed'),
    ('"{ruleset}..{as_of}"', '".." is not allowed'),
    ('"../{ruleset}"', "not a path"),
    ('"a\\\\b"', "not a path"),
    ('"a\\u0000b"', "no control characters"),
    ('"a\\nb"', "no control characters"),
    (f'"{"x" * 300}"', "too long"),
    ('""', "must be a file name"),
    ("5", "must be a file name"),
])
def test_a_bad_report_name_is_refused_at_load_with_the_line(tmp_path: Path, toml_value: str,
                                                            message: str) -> None:
    path = _config_with_report_name(tmp_path, toml_value)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert text.startswith(f"{path}:5: [report] name: "), text
    assert message in text


@pytest.mark.parametrize("toml_value", ['"{ruleset}-{as_of}"', '"{as_of}"', '"kpi {ruleset}"',
                                        '"{{{ruleset}}}"', '"v1.{ruleset}.{as_of}"'])
def test_a_plain_report_name_is_accepted(tmp_path: Path, toml_value: str) -> None:
    config = load_config(_config_with_report_name(tmp_path, toml_value))
    assert config.report is not None


def test_a_run_writes_reports_under_a_plain_template(project: Project, run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    _edit(project, 'dir = "reports"', 'dir = "reports"\nname = "kpi_{ruleset}_{as_of}"')
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 1, err
    assert (project.root / "reports" / "kpi_shop_2026-01.json").is_file()


def test_run_refuses_an_attribute_in_the_report_name(project: Project, run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    _edit(project, 'dir = "reports"', 'dir = "reports"\nname = "{as_of.year}"')
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 2, err
    assert "internal error" not in err
    assert f"{project.config}:{_line(project.config, 'name =')}: [report] name:" in err
    assert not project.state.exists()


# -- H10: a read-only state file ---------------------------------------------------


def _read_only_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open every SQLite file read-only, as a file without write permission would be.

    Works as root too, where ``chmod 444`` does not stop writes.
    """
    real = sqlite3.connect

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        return real(f"file:{database}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)


def test_a_read_only_state_file_is_a_clear_runtime_error(
        project: Project, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    project.month("2026-01", display=0.005)
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 1, err
    project.month("2026-02", display=0.005, paid=0.001)  # a new firing: paid
    _read_only_sqlite(monkeypatch)
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 3, err
    assert "internal error" not in err
    assert (f"error: {project.state}: cannot write the state store: the file is "
            f"read-only") in err
    assert "writable" in err
    assert len(project.alerts) == 1  # nothing more was sent
    monkeypatch.undo()
    with StateStore(project.state) as state:
        assert len(state.runs()) == 1


def test_a_read_only_state_store_raises_state_error(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.sqlite"
    StateStore(path).close()
    _read_only_sqlite(monkeypatch)
    with StateStore(path) as state, pytest.raises(StateError, match="the file is read-only"):
        state.begin_run("x")


# -- M6, M5: webhook URLs and CSV settings, checked before anything is read -------


@pytest.mark.parametrize(("url", "message"), [
    ("http://[::1", "is not a valid URL"),
    ("http://127.0.0.1:99999/x", "has an invalid port"),
    ("http://127.0.0.1:0/x", "has an invalid port"),
    ("http://127.0.0.1:port/x", "has an invalid port"),
    ("http:///path", "has no host name"),
    ("https://", "has no host name"),
    ("https://example.com/a b", "must not contain spaces"),
    ("ftp://example.com/x", "must start with http:// or https://"),
])
def test_a_malformed_webhook_url_stops_the_run_with_the_line(
        project: Project, run_cli: Run, url: str, message: str) -> None:
    project.month("2026-01", display=0.005)
    project.set_notify(f'type = "webhook"\nurl = "{url}"')
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 2, err
    line = _line(project.config, "url =")
    assert f"error: {project.config}:{line}: [actions.notify] url: {message}" in err
    assert not project.state.exists()


def test_a_secret_webhook_url_is_not_quoted_when_invalid(
        project: Project, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    project.month("2026-01", display=0.005)
    monkeypatch.setenv("HOOK", "https://hooks.example.com:99999/T0KEN-s3cret")
    project.set_notify('type = "webhook"\nurl = "${HOOK}"')
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 2, err
    assert "invalid port" in err and "s3cret" not in err and "99999" not in err


@pytest.mark.parametrize("url", ["http://[::1]:8080/hook", "https://hooks.example.com/T/B/x",
                                 "http://user:pw@localhost:65535/a?b=c#d"])
def test_a_valid_webhook_url_is_accepted_without_any_network(url: str) -> None:
    from kpirules.builtin.webhook import WebhookAction

    WebhookAction().validate({"url": url})


@pytest.mark.parametrize(("setting", "message"), [
    ('decimal = "x"', 'decimal: must be "." or ","'),
    ("decimal = 1", 'decimal: must be "." or ","'),
    ('encoding = "nope"', "encoding: unknown encoding 'nope'"),
    ('encoding = "rot13"', "encoding: 'rot13' is not a text encoding"),
    ('sep = ";;"', "sep: must be one character"),
    ('sep = "é"', "sep: must be one ASCII character"),
    ('sep = ","\ndecimal = ","', "decimal: cannot be the separator"),
])
def test_a_bad_csv_setting_stops_the_run_with_the_line(
        project: Project, run_cli: Run, setting: str, message: str) -> None:
    project.month("2026-01", display=0.005)
    _edit(project, 'path = "data/shop.csv"', f'path = "data/shop.csv"\n{setting}')
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 2, err
    key = message.split(":")[0]
    line = _line(project.config, f"{key} =")
    assert f"error: {project.config}:{line}: [sources.shop] {message}" in err
    assert not project.state.exists()


@pytest.mark.parametrize("setting", ['decimal = ","\nsep = ";"', 'encoding = "cp1252"',
                                     'encoding = "UTF-8"', 'sep = "\\t"', 'decimal = "."'])
def test_good_csv_settings_are_accepted(setting: str) -> None:
    from kpirules.builtin.files import CsvConnector

    CsvConnector().validate({"path": __file__, **tomllib.loads(setting)})


# -- M2: [params] of the configuration ---------------------------------------------


PARAM_RULES = """\
ruleset p
  grain month

param min_visits = 100
param tag = "x"

metric visits unit count

kpi v = visits
"""


def _params_job(tmp_path: Path, params: str) -> Path:
    (tmp_path / "p.kpi").write_text(PARAM_RULES)
    (tmp_path / "d.csv").write_text("month,visits\n2026-01,5\n")
    path = tmp_path / "kpirules.toml"
    path.write_text('rulesets = ["p.kpi"]\n\n[params]\n' + params +
                    '\n[sources.d]\nconnector = "csv"\npath = "d.csv"\n')
    return path


@pytest.mark.parametrize(("value", "message"), [
    ('"abc"', "must be a number (the parameter is numeric in ruleset p)"),
    ("true", "must be a number or a string"),
    ("[1]", "must be a number or a string"),
])
def test_a_wrong_param_type_is_blamed_on_the_configuration_line(
        tmp_path: Path, run_cli: Run, value: str, message: str) -> None:
    path = _params_job(tmp_path, f"min_visits = {value}")
    code, _, err = run_cli("run", "--config", str(path))
    assert code == 2, err
    assert f"error: {path}:4: [params] min_visits: {message}" in err
    assert "--param" not in err
    assert not (tmp_path / "kpirules-state.sqlite").exists()


def test_good_params_in_the_configuration_are_used(tmp_path: Path) -> None:
    path = _params_job(tmp_path, 'min_visits = "30%"\ntag = 5')
    job = Job(load_config(path), err=lambda line: None)
    job.prepare()  # a numeric text and a number for a text parameter are fine
    path = _params_job(tmp_path, "min_visits = 7")
    job = Job(load_config(path), err=lambda line: None)
    job.prepare()
