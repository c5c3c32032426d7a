"""A plugin's failure stays its own: isolated at load, named when its code misbehaves.

Each plugin here is "installed" the way pip installs one: a ``dist-info``
folder with an entry point on ``PYTHONPATH``, and kpirules runs as a separate
process, as a user runs it.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from kpirules.errors import PluginError, PluginFault
from kpirules.plugin_api import PLUGIN_API_VERSION
from kpirules.plugins import load_registry
from support.cli import run_process

HEALTHY = """
    import kpirules
    from kpirules.lang.functions import FunctionSpec

    @kpirules.hookimpl
    def kpirules_functions():
        return [FunctionSpec("pct_change", ("x",), 1, 1, doc="x in percent",
                             build=lambda x: x * 100)]
"""

RULES = """ruleset shop
metric visits
metric orders
kpi cr = pct_change(orders / visits)
"""


def install(root: Path, dist: str, version: str, module: str, code: str) -> None:
    """A distribution with one entry point of the group ``kpirules``."""
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"  # as pip names it
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[kpirules]\n{module} = {module}\n")
    (root / f"{module}.py").write_text(textwrap.dedent(code))


def kpirules_cli(cwd: Path, *args: str, debug: bool = False) -> subprocess.CompletedProcess[str]:
    """``kpirules ARGS…`` in a child process that sees the plugins installed in ``cwd/site``."""
    return run_process(*args, cwd=cwd, env={"PYTHONPATH": str(cwd / "site"),
                                            "KPIRULES_DEBUG": "1" if debug else None,
                                            "KPIRULES_DISABLE_PLUGIN_AUTOLOAD": None})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A healthy function plugin and a plugin that fails at import, both installed."""
    install(tmp_path / "site", "kpirules-pct", "1.0.0", "kpirules_pct_mod", HEALTHY)
    install(tmp_path / "site", "kpirules-broken", "0.4.0", "kpirules_broken_mod",
            "import not_a_module_anywhere\n")
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "data.csv").write_text("month,visits,orders\n2026-01,1000,20\n")
    return tmp_path


@pytest.mark.slow
def test_a_broken_plugin_leaves_the_healthy_ones_working(project: Path) -> None:
    checked = kpirules_cli(project, "check", "rules.kpi")
    assert checked.returncode == 0, checked.stderr
    assert "kpirules-broken 0.4.0" in checked.stderr and "not_a_module_anywhere" in checked.stderr
    assert checked.stderr.count("failed to load") == 1  # once, by name
    evaluated = kpirules_cli(project, "eval", "rules.kpi", "--data", "data.csv", "--format", "json")
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["rows"][0]["values"]["cr"] == pytest.approx(2.0)
    (project / "rules_test.toml").write_text(
        'ruleset = "rules.kpi"\n\n[[test]]\nname = "the healthy function works"\n'
        'rows = [{ period = "2026-01", visits = 1000, orders = 20 }]\n'
        'expect = [{ values = { cr = 2.0 } }]\n')
    tested = kpirules_cli(project, "test", "rules_test.toml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "1 passed" in tested.stdout and tested.stderr.count("failed to load") == 1
    explained = kpirules_cli(project, "explain", "rules.kpi", "cr", "--data", "data.csv")
    assert explained.returncode == 0 and "pct_change(orders / visits) = 2" in explained.stdout
    (project / "kpirules.toml").write_text('rulesets = ["rules.kpi"]\nstate = "s.sqlite"\n\n'
                                           '[sources.s]\nconnector = "csv"\npath = "data.csv"\n')
    ran = kpirules_cli(project, "run", "--config", "kpirules.toml")
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.count("failed to load") == 1


def test_the_version_loads_no_plugin(project: Path) -> None:
    proc = kpirules_cli(project, "--version")
    assert proc.returncode == 0 and proc.stdout.startswith("kpirules")
    assert proc.stderr == ""  # the broken plugin was never imported


@pytest.mark.slow
def test_an_unknown_function_says_which_plugin_failed(project: Path) -> None:
    (project / "rules.kpi").write_text(RULES.replace("pct_change", "from_broken"), encoding="utf-8")
    proc = kpirules_cli(project, "check", "rules.kpi")
    assert proc.returncode == 2
    assert 'rules.kpi:4:10: error: unknown function "from_broken"' in proc.stderr
    assert "the plugin 'kpirules-broken 0.4.0' failed to load" in proc.stderr


@pytest.mark.slow
def test_the_plugins_command_lists_the_failed_plugin_with_its_reason(project: Path) -> None:
    proc = kpirules_cli(project, "plugins")
    assert proc.returncode == 2
    assert "kpirules-pct 1.0.0" in proc.stdout and "pct_change" in proc.stdout
    assert "kpirules-broken 0.4.0" in proc.stdout
    assert "FAILED TO LOAD: ModuleNotFoundError" in proc.stdout
    as_json = json.loads(kpirules_cli(project, "plugins", "--format", "json").stdout)
    assert {p["name"]: p.get("error", "") for p in as_json}["kpirules-broken 0.4.0"].startswith(
        "ModuleNotFoundError")


@pytest.mark.slow
def test_debug_shows_the_failed_plugins_traceback(project: Path) -> None:
    proc = kpirules_cli(project, "check", "rules.kpi", debug=True)
    assert "Traceback (most recent call last)" in proc.stderr
    assert "kpirules_broken_mod.py" in proc.stderr


def test_strict_loading_still_raises(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD")
    monkeypatch.syspath_prepend(str(project / "site"))
    registry = load_registry()
    assert "pct_change" in registry.functions
    assert [f.label for f in registry.failures] == ["kpirules-broken 0.4.0"]
    assert registry.functions.unavailable == ["kpirules-broken 0.4.0"]
    with pytest.raises(PluginError, match=r"kpirules-broken 0\.4\.0"):
        load_registry(strict=True)


def test_an_installed_plugin_with_a_misspelt_hook_is_left_out_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, "kpirules-pct", "1.0.0", "kpirules_pct_mod2", HEALTHY)
    install(tmp_path, "kpirules-typo", "0.1.0", "kpirules_typo_mod",
            "import kpirules\n@kpirules.hookimpl\ndef kpirules_conectors():\n    return []\n")
    monkeypatch.delenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = load_registry()
    assert "pct_change" in registry.functions
    (failure,) = registry.failures
    assert failure.label == "kpirules-typo 0.1.0" and "unknown hook" in failure.reason


def test_a_hook_that_raises_leaves_nothing_of_its_plugin_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, "kpirules-half", "2.0.0", "kpirules_half_mod", """
        import kpirules
        from kpirules.lang.functions import FunctionSpec

        @kpirules.hookimpl
        def kpirules_functions():
            return [FunctionSpec("half", ("x",), 1, 1, build=lambda x: x / 2)]

        @kpirules.hookimpl
        def kpirules_formats():
            raise RuntimeError("formats are broken")
    """)
    monkeypatch.delenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = load_registry()
    assert "half" not in registry.functions
    assert "formats are broken" in registry.failures[0].reason


# ───────────────────────── guarded calls into plugin code ─────────────────────────

MISBEHAVING = """
    import polars as pl
    import kpirules
    from kpirules.lang.functions import FunctionSpec
    from kpirules.plugin_api import ActionType, Connector
    from kpirules.report.base import OutputFormat

    class Lister(Connector):
        name = "lister"
        description = "returns a list instead of a RawTable"
        required = ("path",)
        def read(self, settings, ctx):
            return [{"month": "2026-01", "visits": 1}]

    class Frame(Connector):
        name = "frame"
        description = "returns a bare DataFrame"
        required = ("path",)
        def read(self, settings, ctx):
            return pl.DataFrame({"month": ["2026-01"], "visits": [1]})

    class Crashy(Connector):
        name = "crashy"
        description = "crashes while checking its settings"
        optional = ("path",)
        def validate(self, settings):
            return settings["url"]  # a KeyError: the plugin's bug
        def read(self, settings, ctx):
            raise AssertionError("never read: validate failed")

    class Teams(ActionType):
        name = "teams"
        description = "posts to a chat, with a bug"
        optional = ("channel",)
        def deliver(self, firing, settings):
            return settings["url"]  # a KeyError: the plugin's bug

    class Picky(ActionType):
        name = "picky"
        description = "crashes while checking its settings"
        optional = ("channel",)
        def validate(self, settings):
            raise TypeError("picky cannot check anything")
        def deliver(self, firing, settings):
            pass

    def render_bytes(doc, options):
        return b"not text"

    def render_crash(doc, options):
        raise IndexError("the format's own bug")

    def write_file_crash(doc, options, path):
        raise PermissionError("the file format's own bug")

    def boom(x):
        raise ZeroDivisionError("plugin arithmetic")

    @kpirules.hookimpl
    def kpirules_connectors():
        return [Lister(), Frame(), Crashy()]

    @kpirules.hookimpl
    def kpirules_actions():
        return [Teams(), Picky()]

    @kpirules.hookimpl
    def kpirules_formats():
        return [OutputFormat(name="bytes", extension="txt", render=render_bytes),
                OutputFormat(name="crash", extension="txt", render=render_crash),
                OutputFormat(name="binary", extension="bin", render=render_crash,
                             write_file=write_file_crash)]

    @kpirules.hookimpl
    def kpirules_functions():
        return [FunctionSpec("boom", ("x",), 1, 1, build=boom),
                FunctionSpec("text", ("x",), 1, 1, build=lambda x: "not an expression")]
"""


@pytest.fixture
def misbehaving(tmp_path: Path) -> Path:
    install(tmp_path / "site", "kpirules-bad", "0.2.0", "kpirules_bad_mod", MISBEHAVING)
    (tmp_path / "rules.kpi").write_text("ruleset t\nmetric visits\nkpi v = visits * 2\n")
    (tmp_path / "data.csv").write_text("month,visits\n2026-01,10\n")
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "expected"), [
    ("lister", "returned list, expected kpirules.plugin_api.RawTable"),
    ("frame", "returned DataFrame, expected kpirules.plugin_api.RawTable"),
])
def test_a_connector_returning_the_wrong_type_is_the_plugins_fault(
        misbehaving: Path, kind: str, expected: str) -> None:
    proc = kpirules_cli(misbehaving, "eval", "rules.kpi", "--data", f"{kind}:anything")
    assert proc.returncode == 3, proc.stderr
    assert f'kpirules-bad 0.2.0: connector "{kind}": read() {expected}' in proc.stderr
    assert "bug in kpirules" not in proc.stderr and "internal error" not in proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("function", "expected"), [
    ("boom", 'function "boom": build() failed: ZeroDivisionError: plugin arithmetic'),
    ("text", 'function "text": build() returned str, expected polars.Expr'),
])
def test_a_function_whose_build_misbehaves_is_named(misbehaving: Path, function: str,
                                                     expected: str) -> None:
    (misbehaving / "rules.kpi").write_text(f"ruleset t\nmetric visits\nkpi v = {function}(visits)\n")
    proc = kpirules_cli(misbehaving, "eval", "rules.kpi", "--data", "data.csv")
    assert proc.returncode == 3, proc.stderr
    assert f"kpirules-bad 0.2.0: {expected}" in proc.stderr
    assert "bug in kpirules" not in proc.stderr


@pytest.mark.slow
def test_a_format_returning_bytes_is_named_and_debug_shows_the_plugins_code(
        misbehaving: Path) -> None:
    proc = kpirules_cli(misbehaving, "eval", "rules.kpi", "--data", "data.csv", "--format", "bytes")
    assert proc.returncode == 3
    assert 'kpirules-bad 0.2.0: format "bytes": render() returned bytes, expected str' in proc.stderr
    (misbehaving / "rules.kpi").write_text("ruleset t\nmetric visits\nkpi v = boom(visits)\n")
    debug = kpirules_cli(misbehaving, "eval", "rules.kpi", "--data", "data.csv", debug=True)
    assert "Traceback (most recent call last)" in debug.stderr
    assert "kpirules_bad_mod.py" in debug.stderr and "plugin arithmetic" in debug.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("name", "output", "expected"), [
    ("crash", [], "render() failed: IndexError: the format's own bug"),
    ("binary", ["-o", "out.bin"], "write_file() failed: PermissionError: the file format's own bug"),
])
def test_a_format_that_raises_is_named(misbehaving: Path, name: str, output: list[str],
                                       expected: str) -> None:
    proc = kpirules_cli(misbehaving, "eval", "rules.kpi", "--data", "data.csv", "--format", name, *output)
    assert proc.returncode == 3, proc.stderr
    assert f'kpirules-bad 0.2.0: format "{name}": {expected}' in proc.stderr
    assert "bug in kpirules" not in proc.stderr and "cannot write" not in proc.stderr


def run_a_job_calling(root: Path, action: str, table: str) -> subprocess.CompletedProcess[str]:
    """``kpirules run`` of a job whose one rule fires and calls ``action``, configured by ``table``."""
    (root / "rules.kpi").write_text(
        f"ruleset t\nmetric visits\nkpi v = visits * 2\nrule up when v > 0 then {action}()\n")
    (root / "kpirules.toml").write_text(
        'rulesets = ["rules.kpi"]\nstate = "state.sqlite"\n\n'
        '[sources.shop]\nconnector = "csv"\npath = "data.csv"\n\n'
        f'[actions.{action}]\n{table}\n')
    return kpirules_cli(root, "run", "--config", "kpirules.toml")


@pytest.mark.slow
def test_a_crash_in_an_actions_validate_names_the_plugin(misbehaving: Path) -> None:
    proc = run_a_job_calling(misbehaving, "alert", 'type = "picky"\nchannel = "ops"')
    assert proc.returncode == 3, proc.stderr
    assert ('kpirules-bad 0.2.0: action "picky": validate() failed: TypeError: '
            "picky cannot check anything") in proc.stderr
    assert "bug in kpirules" not in proc.stderr


@pytest.mark.slow
def test_a_failed_delivery_names_the_action_type_and_its_plugin(misbehaving: Path) -> None:
    proc = run_a_job_calling(misbehaving, "notify", 'type = "teams"\nchannel = "ops"')
    assert proc.returncode == 3, proc.stderr
    assert ('t/up overall → notify failed (action type "teams" of kpirules-bad 0.2.0; '
            "attempt 1, retried next run): KeyError: 'url'") in proc.stderr
    config = (misbehaving / "kpirules.toml").read_text()
    (misbehaving / "kpirules.toml").write_text(config + "digest = true\n")
    (misbehaving / "state.sqlite").unlink()
    digest = kpirules_cli(misbehaving, "run", "--config", "kpirules.toml")
    assert ('digest of 1 firing(s) → notify failed (action type "teams" of kpirules-bad 0.2.0; '
            "retried next run): KeyError: 'url'") in digest.stderr


@pytest.mark.slow
def test_a_failed_builtin_delivery_names_its_type_too(misbehaving: Path) -> None:
    proc = run_a_job_calling(misbehaving, "notify", 'type = "file"\npath = "data.csv/alerts.jsonl"')
    assert proc.returncode == 3, proc.stderr
    assert '→ notify failed (action type "file"; attempt 1, retried next run): ' in proc.stderr


def test_errors_a_plugin_raises_on_purpose_pass_through_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, "kpirules-strict", "1.0.0", "kpirules_strict_mod", """
        import kpirules
        from kpirules.errors import DataError
        from kpirules.plugin_api import Connector

        class Strict(Connector):
            name = "strict"
            description = "refuses clearly"
            def read(self, settings, ctx):
                raise DataError("the API answered 401: check API_TOKEN")

        @kpirules.hookimpl
        def kpirules_connectors():
            return [Strict()]
    """)
    monkeypatch.delenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD")
    monkeypatch.syspath_prepend(str(tmp_path))
    connector = load_registry().connectors["strict"]
    from kpirules.errors import DataError

    with pytest.raises(DataError, match="answered 401") as info:
        connector.read({}, None)
    assert not isinstance(info.value, PluginFault)


def test_builtins_are_not_wrapped() -> None:
    registry = load_registry(autoload=False)
    assert not getattr(registry.connectors["csv"].read, "_kpirules_guarded", False)
    assert registry.functions["growth"].plugin == "kpirules"


@pytest.mark.slow
@pytest.mark.parametrize(("connector", "expected"), [
    ("lister", "read() returned list, expected kpirules.plugin_api.RawTable"),
    ("crashy", "validate() failed: KeyError: 'url'"),  # a crash in validate() names the plugin too
])
def test_run_names_the_connector_plugin_too(misbehaving: Path, connector: str, expected: str) -> None:
    (misbehaving / "kpirules.toml").write_text(
        'rulesets = ["rules.kpi"]\nstate = "state.sqlite"\n\n'
        f'[sources.api]\nconnector = "{connector}"\npath = "https://example.invalid/api"\n')
    proc = kpirules_cli(misbehaving, "run", "--config", "kpirules.toml")
    assert proc.returncode == 3, proc.stderr
    assert f'kpirules-bad 0.2.0: connector "{connector}": {expected}' in proc.stderr
    assert "bug in kpirules" not in proc.stderr


# ───────────────────────── kpirules plugins --verbose ─────────────────────────

@pytest.mark.slow
def test_verbose_listing_describes_items_and_warns_authors(tmp_path: Path) -> None:
    install(tmp_path / "site", "kpirules-pct", "1.0.0", "kpirules_pct_mod", HEALTHY + """
    import time
    time.sleep(0.4)  # a heavy import at module level

    def kpirules_actions():  # forgot @kpirules.hookimpl
        return []
    """)
    proc = kpirules_cli(tmp_path, "plugins", "--verbose")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "function pct_change(x): x in percent" in out
    assert "connector csv: " in out and "settings: path, [period_column]" in out
    assert "function round(x, digits?)" in out
    assert "kpirules_actions() has no @kpirules.hookimpl" in out
    assert "paid by every command that loads plugins" in out
    as_json = json.loads(kpirules_cli(tmp_path, "plugins", "--verbose", "--format", "json").stdout)
    pct = next(p for p in as_json if p["name"] == "kpirules-pct")
    assert pct["import_seconds"] >= 0.4
    assert pct["functions"] == [{"name": "pct_change", "signature": "pct_change(x)",
                                 "doc": "x in percent"}]
    # every command that loads the plugins warns about the undecorated hook, not only the
    # listing: here `check` of a file calling the plugin's function
    (tmp_path / "rules.kpi").write_text(RULES)
    checked = kpirules_cli(tmp_path, "check", "rules.kpi")
    assert "kpirules_actions() has no @kpirules.hookimpl" in checked.stderr


@pytest.mark.slow
def test_verbose_listing_shows_what_each_setting_takes_and_its_default(tmp_path: Path) -> None:
    install(tmp_path / "site", "kpirules-pager", "0.3.0", "kpirules_pager_mod", """
    import kpirules
    from kpirules.plugin_api import ActionType

    class Pager(ActionType):
        name = "pager"
        description = "pages the on-call person"
        required = ("service",)
        optional = ("urgency",)
        settings_help = {"urgency": "low or high, default high", "service": "the service key"}

    @kpirules.hookimpl
    def kpirules_actions():
        return [Pager()]
    """)
    proc = kpirules_cli(tmp_path, "plugins", "--verbose")
    assert proc.returncode == 0, proc.stderr
    assert ("  action pager: pages the on-call person\n    settings: service, [urgency]\n"
            "      service: the service key\n      urgency: low or high, default high\n") in proc.stdout
    assert "      timeout: seconds per attempt, default 10" in proc.stdout  # the built-in webhook
    as_json = json.loads(kpirules_cli(tmp_path, "plugins", "--verbose", "--format", "json").stdout)
    pager = next(p for p in as_json if p["name"] == "kpirules-pager")["actions"][0]
    assert pager["settings_help"] == {"service": "the service key", "urgency": "low or high, default high"}


def test_every_builtin_setting_says_what_it_takes() -> None:
    registry = load_registry(autoload=False)
    for item in [*registry.connectors.values(), *registry.actions.values()]:
        settings = {*item.required, *item.optional}
        assert set(item.settings_help) == settings, f"{item.name}: {settings ^ set(item.settings_help)}"


# ───────────────────────── the versioned plugin API ─────────────────────────

def test_everything_a_plugin_needs_comes_from_plugin_api_alone() -> None:
    import kpirules.plugin_api as api
    from kpirules.data.table import RawTable
    from kpirules.hookspecs import hookimpl
    from kpirules.lang.functions import FunctionSpec
    from kpirules.report.base import OutputFormat, RenderOptions

    assert (api.RawTable, api.FunctionSpec, api.OutputFormat, api.RenderOptions, api.hookimpl) == (
        RawTable, FunctionSpec, OutputFormat, RenderOptions, hookimpl)
    assert all(hasattr(api, name) for name in api.__all__)
    import kpirules
    from kpirules.testing import assert_cheap_import

    assert "plugin_api" in kpirules.__all__ and kpirules.plugin_api is api  # a public name
    assert_cheap_import("kpirules.plugin_api")  # its heavier names come on first use
    examples = sorted((Path(__file__).resolve().parents[2] / "plugins").glob("*/src/*"))
    assert any(package.name == "kpirules_xlsx" for package in examples)
    for package in examples:  # every example plugin: kpirules.plugin_api and its own modules
        imported = {line.split()[1] for path in package.rglob("*.py")
                    for line in path.read_text().splitlines()
                    if line.lstrip().startswith(("from kpirules", "import kpirules"))}
        foreign = {name for name in imported
                   if name != "kpirules.plugin_api" and name.split(".")[0] != package.name}
        assert not foreign, f"{package.name} imports {sorted(foreign)}"


@pytest.mark.parametrize(("requirement", "ok"), [
    (">=1.0,<2", True), ("1.0", True), ("==1.*", True), (">1.0", False), ("<1.0", False),
    ("2.0", False), ("!=1.*", False), (">=0.9, <1.1", True),
])
def test_api_version_requirements(requirement: str, ok: bool) -> None:
    from kpirules.plugin_api import api_version_satisfies

    assert api_version_satisfies(requirement, "1.0") is ok


def test_a_plugin_made_for_another_api_is_refused_by_name(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, "kpirules-future", "3.0.0", "kpirules_future_mod",
            HEALTHY + '    KPIRULES_PLUGIN_API = ">=2.0"\n')
    install(tmp_path, "kpirules-garbled", "0.1.0", "kpirules_garbled_mod",
            'KPIRULES_PLUGIN_API = "recent"\n')
    monkeypatch.delenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = load_registry()
    assert "pct_change" not in registry.functions
    reasons = {f.label: f.reason for f in registry.failures}
    assert f"supports plugin API >=2.0, but this kpirules provides {PLUGIN_API_VERSION}" in reasons[
        "kpirules-future 3.0.0"]
    assert "cannot be read" in reasons["kpirules-garbled 0.1.0"]
    module = tmp_path / "configured.py"
    module.write_text('KPIRULES_PLUGIN_API = "<1.0"\n')
    with pytest.raises(PluginError, match=r"supports plugin API <1\.0"):
        load_registry([str(module)], autoload=False)
