"""What a rule file, a data file or a secret cannot make the job do (docs/security.md).

Reports stay in their folder whatever the ruleset name; the ``file`` action
writes where the configuration says whatever a rule or the data hold; a
secret never reaches standard error or the state store in any form; a
secret that cannot be used is refused at start by its name.
"""

from __future__ import annotations

import json
import os
import sqlite3
import textwrap
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest

from support.project import RULES, Project

Run = Callable[..., tuple[int, str, str]]


def _rename_ruleset(project: Project, name: str) -> None:
    rules = project.root / "rules" / "shop.kpi"
    rules.write_text(RULES.replace('ruleset shop "Shop"', f'ruleset `{name}` "Shop"'))


def _all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


@pytest.mark.parametrize("name", ["../../elsewhere", "../outside/x", "sub/dir"])
def test_a_ruleset_name_cannot_put_a_report_outside_the_report_folder(
        project: Project, run_cli: Run, tmp_path: Path, name: str) -> None:
    project.month("2026-01", display=0.005)
    _rename_ruleset(project, name)
    before = _all_files(tmp_path)
    code, _out, err = run_cli("run", "--config", str(project.config))
    assert code == 1, err
    reports = project.root / "reports"
    created = _all_files(tmp_path) - before
    outside = [p for p in created if reports not in p.parents and p.parent != project.root
               and project.root / "state" not in p.parents]
    assert outside == [], outside
    [report] = list(reports.iterdir())
    assert report.is_file() and report.name == name.replace("/", "_") + "-2026-01.json"
    assert json.loads(report.read_text())["ruleset"] == name
    # the run tells the author why, as check does
    assert ":1:9: warning: the ruleset name" in err


def test_an_absolute_ruleset_name_cannot_escape(project: Project, run_cli: Run,
                                                tmp_path: Path) -> None:
    target = tmp_path / "www" / "ESCAPED"
    project.month("2026-01", display=0.005)
    _rename_ruleset(project, str(target))
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 1, err
    assert not (tmp_path / "www").exists()
    [report] = list((project.root / "reports").iterdir())
    assert report.name.startswith("_") and "ESCAPED" in report.name


def test_a_link_in_the_report_folder_pointing_out_is_not_followed(
        project: Project, run_cli: Run, tmp_path: Path) -> None:
    project.month("2026-01", display=0.005)
    reports = project.root / "reports"
    reports.mkdir()
    victim = tmp_path / "victim.json"
    victim.write_text("precious")
    os.symlink(victim, reports / "shop-2026-01.json")
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 3, err
    assert "outside the folder" in err
    assert victim.read_text() == "precious"


def test_check_warns_about_a_ruleset_name_that_is_not_a_file_name(
        tmp_path: Path, run_cli: Run) -> None:
    rules = tmp_path / "r.kpi"
    rules.write_text("# header\nruleset `../../elsewhere`\nmetric visits\n")
    code, out, err = run_cli("check", str(rules))
    assert code == 0, out + err
    text = out + err
    assert f"{rules}:2:9: warning: the ruleset name" in text
    assert 'they will be called ".._.._elsewhere"' in text
    code, out, err = run_cli("check", "--format", "json", str(rules))
    [diag] = json.loads(out)
    assert (diag["code"], diag["line"], diag["column"]) == ("ruleset-name-not-file-name", 2, 9)


def test_check_is_quiet_about_a_plain_ruleset_name(tmp_path: Path, run_cli: Run) -> None:
    rules = tmp_path / "r.kpi"
    rules.write_text("ruleset `Ventes été 2026`\nmetric visits\n")
    code, out, err = run_cli("check", str(rules))
    assert code == 0 and "ruleset-name" not in out + err


def test_the_file_action_writes_where_the_configuration_says(project: Project,
                                                             run_cli: Run) -> None:
    """Neither the rule's arguments, nor a dimension value, nor the ruleset name move it."""
    project.rows.append(("2026-01", "../../x", 10000, 50))
    project.month("2026-01", display=0.005)
    _rename_ruleset(project, "../../evil")
    rules = project.root / "rules" / "shop.kpi"
    rules.write_text(rules.read_text().replace(
        'then notify(text=', 'then notify(path="/tmp/kpirules-evil.jsonl", text='))
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 1, err
    assert sorted(a["segment"]["channel"] for a in project.alerts) == ["../../x", "display"]
    assert not Path("/tmp/kpirules-evil.jsonl").exists()
    assert {p.name for p in project.root.iterdir()} == {"rules", "data", "kpirules.toml",
                                                        "state", "reports", "alerts.jsonl"}


# -- secrets ----------------------------------------------------------------------------

LEAKY_PLUGIN = '''
import urllib.parse
from kpirules import hookimpl
from kpirules.plugin_api import ActionType


class Leaky(ActionType):
    """An action whose errors quote its secret the ways libraries do."""

    name = "leaky"
    required = ("token",)

    def deliver(self, firing, settings):
        token = str(settings["token"])
        first_line = token.splitlines()[0]
        raise ValueError(
            f"Invalid header value {token.encode('latin-1')!r}; str {token!r}; "
            f"url {urllib.parse.quote(token, safe='')}; plus {urllib.parse.quote_plus(token)}; "
            f"line {first_line}; json {__import__('json').dumps(token)}")


@hookimpl
def kpirules_actions():
    return [Leaky()]
'''


@pytest.mark.slow
def test_a_secret_is_hidden_in_every_form_on_stderr_and_in_the_state_store(
        project: Project, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "Bearer s3cr3t-tok/en+é\nsecond-line-0f-it\n"
    monkeypatch.setenv("H", secret)
    (project.root / "leaky.py").write_text(LEAKY_PLUGIN)
    project.month("2026-01", display=0.005)
    project.set_notify('type = "leaky"\ntoken = "${H}"')
    text = project.config.read_text()
    project.config.write_text('plugins = ["leaky.py"]\n' + text)
    code, out, err = run_cli("run", "--config", str(project.config))
    assert code == 3, err
    assert "failed" in err and "***" in err
    with sqlite3.connect(project.state) as db:
        [(last_error,)] = db.execute("select last_error from deliveries").fetchall()
    for piece in ("s3cr3t", "second-line", "s3cr3t-tok%2Fen", "s3cr3t-tok/en+"):
        assert piece not in err, err
        assert piece not in out
        assert piece not in last_error, last_error
    for path in project.root.rglob("*"):
        if path.is_file():
            assert b"s3cr3t" not in path.read_bytes(), path


def test_a_header_secret_with_a_newline_is_refused_at_start_by_its_name(
        project: Project, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("H", "Bearer s3cr3t-value\n")
    project.month("2026-01", display=0.005)
    project.set_notify(textwrap.dedent('''\
        type = "webhook"
        url = "http://127.0.0.1:9/hook"
        headers = { Authorization = "${H}" }'''))
    code, out, err = run_cli("run", "--config", str(project.config))
    assert code == 2, err
    assert '"Authorization" (from ${H})' in err and "line break" in err
    assert "s3cr3t" not in err + out
    assert not project.state.exists() or not sqlite3.connect(project.state).execute(
        "select count(*) from deliveries").fetchone()[0]


@pytest.mark.parametrize("key", ["password", "username", "from"])
def test_an_email_secret_with_a_newline_is_refused_at_start_by_its_name(
        project: Project, run_cli: Run, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv("S", "pa55-w0rd-x\n")
    settings = {"username": '"kpi"', "password": '"pw"', "from": '"a@b.c"'}
    settings[key] = '"${S}"'
    project.month("2026-01", display=0.005)
    project.set_notify('type = "email"\nhost = "127.0.0.1"\nto = "d@e.f"\n'
                       + "\n".join(f"{k} = {v}" for k, v in settings.items()))
    code, out, err = run_cli("run", "--config", str(project.config))
    assert code == 2, err
    assert f"{key}: holds a line break" in err and "(from ${S})" in err
    assert "pa55" not in err + out


def test_redaction_covers_the_forms_a_library_prints() -> None:
    from kpirules.plugin_api import redact

    secret = "p@ss wörd/1\nline-two-x"
    messages = [
        repr(secret), repr(secret.encode()), ascii(secret),
        urllib.parse.quote(secret), urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret), json.dumps(secret), "line-two-x only",
        "Invalid header value " + repr(secret.encode("latin-1")),
    ]
    for message in messages:
        shown = redact(message, [secret])
        assert "p@ss" not in shown and "ss%20w" not in shown and "line-two" not in shown, shown
        assert "***" in shown
    assert redact("ab and abc", ["ab"]) == "ab and abc"  # too short to hide


def test_a_line_break_in_a_dimension_value_forges_no_line_on_stderr(
        project: Project, run_cli: Run) -> None:
    from support.servers import free_port

    (project.root / "data" / "shop.csv").write_text(
        'month,channel,visits,orders\n2026-01,"paid\r\nerror: forged line",10000,50\n')
    project.set_notify(f'type = "webhook"\nurl = "http://127.0.0.1:{free_port()}/h"\n'
                       f'retries = 0')
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 3, err
    assert not [line for line in err.splitlines() if line.startswith("error: forged")], err
    assert "channel=paid\\r\\nerror: forged line → notify failed" in err


def test_a_webhook_url_secret_with_a_newline_is_refused_by_its_name(
        project: Project, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK", "https://hooks.example.com/T0KEN-s3cr3t\n")
    project.month("2026-01", display=0.005)
    project.set_notify('type = "webhook"\nurl = "${HOOK}"')
    code, out, err = run_cli("run", "--config", str(project.config))
    assert code == 2, err
    assert "url: must not contain spaces or control characters (from ${HOOK})" in err
    assert "s3cr3t" not in err + out and "hooks.example" not in err + out


def test_a_long_ruleset_name_keeps_the_period_in_the_report_name(
        project: Project, run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    _rename_ruleset(project, "é" * 150)
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 1, err
    assert "longer than 100 bytes" in err
    [report] = list((project.root / "reports").iterdir())
    assert report.name == "é" * 50 + "-2026-01.json"
