"""``--data KIND:ARG``, ``--source KEY=VALUE`` and ``--data @SOURCE`` (issue 19): a URL/API
connector works from the command line, its token from the environment, never printed."""

from __future__ import annotations

import json
import sqlite3
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from support.cli import CliRun, RunCli

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"

TOKEN = "s3cr3t-t0ken-value"
ROWS = [
    {"month": "2026-01", "channel": "paid", "visits": 1000, "leads": 40},
    {"month": "2026-01", "channel": "organic", "visits": 3000, "leads": 30},
    {"month": "2026-02", "channel": "paid", "visits": 1200, "leads": 60},
    {"month": "2026-02", "channel": "organic", "visits": 2800, "leads": 28},
    {"month": "2026-03", "channel": "paid", "visits": 1100, "leads": 33},
]

RULES = """\
ruleset funnel
dimension channel
metric visits
metric leads
kpi cr = leads / visits unit percent
"""

# A paginated REST connector, as a plugin author writes it: its main setting is
# the URL, the token is one more setting.
PLUGIN = '''
import json
import urllib.error
import urllib.request

import polars as pl

import kpirules
from kpirules.errors import DataError
from kpirules.plugin_api import Connector, RawTable, SettingsError


class RestApi(Connector):
    name = "restapi"
    description = "rows from a paginated JSON API"
    main_setting = "url"
    required = ("url",)
    optional = ("token", "page_size", "period_column")

    def validate(self, settings):
        super().validate(settings)
        size = settings.get("page_size", 2)
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise SettingsError("page_size", "must be a whole number above 0")

    def read(self, settings, ctx):
        rows, page = [], 1
        token = str(settings.get("token", ""))
        while True:
            request = urllib.request.Request(
                f"{settings['url']}?page={page}&size={settings.get('page_size', 2)}",
                headers={"Authorization": f"Bearer {token}"})
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    body = json.load(answer)
            except urllib.error.HTTPError as err:
                raise DataError(f"the API refused the token {token}: HTTP {err.code}",
                                ctx.source) from None
            rows.extend(body["rows"])
            if not body["next"]:
                break
            page += 1
        return RawTable(pl.DataFrame(rows), source=ctx.source,
                        period_column=settings.get("period_column"))


@kpirules.hookimpl
def kpirules_connectors():
    return [RestApi()]
'''


class Api:
    """A JSON API on the loopback interface: ``GET /rows?page=N&size=S`` with a bearer token."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlparse(self.path).query)
                page, size = int(query["page"][0]), int(query["size"][0])
                api.seen.append({"page": page, "size": size,
                                 "authorization": self.headers.get("Authorization")})
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self.send_response(401)
                    self.end_headers()
                    return
                chunk = ROWS[(page - 1) * size: page * size]
                body = json.dumps({"rows": chunk, "next": page * size < len(ROWS)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/rows"


@pytest.fixture
def api() -> Iterator[Api]:
    server = Api()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture
def project(tmp_path: Path, api: Api, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the rule file, the plugin and a configuration naming both."""
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "restapi.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    (tmp_path / "kpirules.toml").write_text(textwrap.dedent(f"""\
        rulesets = ["rules.kpi"]
        plugins = ["restapi.py"]

        [sources.api]
        connector = "restapi"
        url = "{api.url}"
        token = "${{API_TOKEN}}"
        page_size = 2
        """), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("API_TOKEN", TOKEN)
    return tmp_path


Run = RunCli


def values(result: CliRun) -> dict[str | None, float]:
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    return {row["segment"].get("channel"): row["values"]["cr"] for row in doc["rows"]}


EXPECTED = {None: 0.03, "paid": 0.03, "organic": None}  # as of 2026-03: only paid has a row


def test_kind_arg_gives_the_url_and_source_gives_the_token_from_the_environment(
        project: Path, api: Api, run_cli: Run) -> None:
    result = run_cli("eval", "rules.kpi", "--config", "kpirules.toml", "--format", "json",
                          "--data", f"restapi:{api.url}", "--source", "token=${API_TOKEN}",
                          "--source", "page_size=2")
    assert values(result) == EXPECTED
    assert [s["page"] for s in api.seen] == [1, 2, 3]  # paginated, page_size read as a number
    assert {s["authorization"] for s in api.seen} == {f"Bearer {TOKEN}"}
    assert TOKEN not in result.out + result.err


def test_at_source_reads_a_source_of_the_configuration(project: Path, api: Api,
                                                       run_cli: Run) -> None:
    result = run_cli("eval", "rules.kpi", "--config", "kpirules.toml", "--format", "json",
                          "--data", "@api")
    assert values(result) == EXPECTED
    assert {s["size"] for s in api.seen} == {2}
    # --source adds to (or overrides) the configured settings
    api.seen.clear()
    again = run_cli("eval", "rules.kpi", "--config", "kpirules.toml", "--format", "json",
                         "--data", "@api", "--source", "page_size=5")
    assert values(again) == EXPECTED and [s["size"] for s in api.seen] == [5]


def test_explain_takes_the_same_data_arguments(project: Path, api: Api, run_cli: Run) -> None:
    result = run_cli("explain", "rules.kpi", "cr", "--config", "kpirules.toml",
                          "--data", f"restapi:{api.url}", "--source", "token=${API_TOKEN}",
                          "--where", "channel=paid")
    assert result.code == 0, result.err
    assert "leads = 33" in result.out and "visits = 1100" in result.out


def test_an_unknown_setting_is_a_usage_error_with_did_you_mean(project: Path, api: Api,
                                                               run_cli: Run) -> None:
    result = run_cli("eval", "rules.kpi", "--config", "kpirules.toml",
                          "--data", f"restapi:{api.url}", "--source", "tokn=${API_TOKEN}")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(f"error: --data restapi:{api.url}: --source tokn: unknown "
                                 f"setting for 'restapi'"), result.err
    assert 'did you mean "token"' in result.err and "allowed: url, token, page_size" in result.err
    assert api.seen == []  # nothing was read
    bad = run_cli("eval", "rules.kpi", "--config", "kpirules.toml",
                       "--data", f"restapi:{api.url}", "--source", "page_size=many")
    assert bad.code == 2
    assert "--source page_size: must be a whole number above 0" in bad.err


def test_an_unknown_source_name_lists_the_known_ones(project: Path, run_cli: Run) -> None:
    result = run_cli("eval", "rules.kpi", "--config", "kpirules.toml", "--data", "@apii")
    assert result.code == 2 and result.out == ""
    assert "--data @apii: no source 'apii' in" in result.err
    assert 'did you mean "api"' in result.err and "its sources: @api" in result.err
    without = run_cli("eval", "rules.kpi", "--data", "@api")
    assert without.code == 2
    assert "--data @api: a source of a configuration; name the configuration with --config" \
        in without.err


def test_an_unset_environment_variable_is_named_and_nothing_is_read(
        project: Path, api: Api, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_TOKEN", raising=False)
    result = run_cli("eval", "rules.kpi", "--config", "kpirules.toml",
                          "--data", f"restapi:{api.url}", "--source", "token=${NOT_SET_TOKEN}")
    assert result.code == 2
    assert "--source token: environment variable NOT_SET_TOKEN is not set" in result.err
    assert api.seen == []


def test_a_secret_in_a_connector_error_is_never_printed(project: Path, api: Api,
                                                        run_cli: Run,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WRONG_TOKEN", "wrong-but-secret-7731")
    result = run_cli("eval", "rules.kpi", "--config", "kpirules.toml",
                          "--data", f"restapi:{api.url}", "--source", "token=${WRONG_TOKEN}")
    assert result.code == 3
    assert "the API refused the token ***: HTTP 401" in result.err
    assert "wrong-but-secret-7731" not in result.out + result.err


def test_a_missing_main_setting_says_how_to_give_it(project: Path, run_cli: Run) -> None:
    result = run_cli("eval", "rules.kpi", "--config", "kpirules.toml", "--data", "restapi:")
    assert result.code == 2
    assert "--data restapi:: url: missing, 'restapi' needs it; give it with --source url=VALUE" \
        in result.err


def test_source_settings_go_to_the_data_arguments_that_accept_them(
        project: Path, api: Api, run_cli: Run) -> None:
    (project / "extra.csv").write_text("month,channel,spend\n2026-03,paid,10\n", encoding="utf-8")
    (project / "rules.kpi").write_text(RULES + "metric spend\n", encoding="utf-8")
    result = run_cli("eval", "rules.kpi", "--config", "kpirules.toml", "--format", "json",
                          "--data", f"restapi:{api.url}", "--data", "extra.csv",
                          "--source", "token=${API_TOKEN}")
    assert values(result) == EXPECTED  # the token went to restapi only (csv has no token)
    nobody = run_cli("eval", "rules.kpi", "--config", "kpirules.toml",
                          "--data", f"restapi:{api.url}", "--data", "extra.csv",
                          "--source", "tokne=x")
    assert nobody.code == 2
    assert "--source tokne: no --data connector has this setting (did you mean \"token\"?)" \
        in nobody.err


def test_the_sql_connector_takes_its_url_and_query(tmp_path: Path, run_cli: Run,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A built-in connector that is not a file: --data sql:URL --source query=…"""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    with sqlite3.connect(tmp_path / "crm.db") as db:
        db.execute("create table t (month text, channel text, visits int, leads int)")
        db.executemany("insert into t values (:month, :channel, :visits, :leads)", ROWS)
    result = run_cli("eval", "rules.kpi", "--format", "json", "--data",
                          f"sql:sqlite:///{tmp_path / 'crm.db'}",
                          "--source", "query=select month, channel, visits, leads from t")
    assert values(result) == EXPECTED
    neither = run_cli("eval", "rules.kpi", "--data", f"sql:sqlite:///{tmp_path / 'crm.db'}")
    assert neither.code == 2 and "query: give either query or table (exactly one)" in neither.err


def test_a_wrong_reading_option_is_a_usage_error_naming_it(tmp_path: Path, run_cli: Run,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The reading options are the csv connector's settings, checked as a job's are."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "data.csv").write_text("month,channel,visits,leads\n2026-01,paid,10,1\n",
                                       encoding="utf-8")
    sep = run_cli("eval", "rules.kpi", "--data", "data.csv", "--sep", "ab")
    assert sep.code == 2 and "internal error" not in sep.err
    assert sep.err.startswith("error: --sep: must be one character (connector 'csv', --data data.csv)")
    encoding = run_cli("eval", "rules.kpi", "--data", "data.csv", "--encoding", "nonsense")
    assert encoding.code == 2 and "error: --encoding: unknown encoding 'nonsense'" in encoding.err
