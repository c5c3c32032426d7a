"""The plugin registry: built-ins, entry points, configured modules, clashes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import polars as pl
import pytest

import kpirules
from kpirules.errors import PluginError
from kpirules.lang.functions import FunctionSpec
from kpirules.plugins import load_registry


def write_dist(root: Path, dist: str, version: str, entry: str, module: str, code: str) -> None:
    """An installed distribution, as importlib.metadata finds it on sys.path."""
    info = root / f"{dist}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[kpirules]\n{entry} = {module}\n")
    (root / f"{module}.py").write_text(textwrap.dedent(code))


PLUGIN = """
    import kpirules
    from kpirules.plugin_api import ActionType

    class Page(ActionType):
        name = "{name}"
        description = "pages someone"
        def deliver(self, firing, settings):
            pass

    @kpirules.hookimpl
    def kpirules_actions():
        return [Page()]
"""


def test_builtins_are_registered_through_the_hooks() -> None:
    registry = load_registry(autoload=False)
    assert {"csv", "jsonl", "json", "parquet", "sql"} <= set(registry.connectors)
    assert {"log", "file", "webhook", "email"} <= set(registry.actions)
    assert {"json", "table", "csv", "markdown", "html"} <= set(registry.formats)
    assert "growth" in registry.functions
    core = registry.plugins[0]
    assert core.name == "kpirules" and core.version == kpirules.__version__
    assert registry.owner("connectors", "csv") is core
    # the built-ins really are hook implementations, as any plugin's
    names = {impl.plugin_name for impl in registry.manager.hook.kpirules_connectors.get_hookimpls()}
    assert "kpirules.builtin.connectors" in names


def test_describe_lists_each_plugin_and_what_it_adds() -> None:
    described = load_registry(autoload=False).describe()
    assert described[0]["name"] == "kpirules"
    assert "csv" in described[0]["connectors"] and "webhook" in described[0]["actions"]
    text = load_registry(autoload=False).describe_text()
    assert "kpirules 0.1.0" in text and "connectors:" in text


def test_entry_points_are_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD")
    write_dist(tmp_path, "kpirules_pager", "1.2.3", "pager", "kpirules_pager_mod",
               PLUGIN.format(name="page"))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = load_registry()
    assert "page" in registry.actions
    owner = registry.owner("actions", "page")
    assert owner is not None and (owner.name, owner.version) == ("kpirules_pager", "1.2.3")
    assert any(p["name"] == "kpirules_pager" for p in registry.describe())


def test_autoload_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_dist(tmp_path, "kpirules_pager", "1.2.3", "pager", "kpirules_pager_off",
               PLUGIN.format(name="page"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert "page" not in load_registry().actions
    monkeypatch.setenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD", "")
    assert "page" in load_registry().actions
    assert "page" not in load_registry(autoload=False).actions


def test_a_broken_plugin_is_named_with_its_version(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KPIRULES_DISABLE_PLUGIN_AUTOLOAD")
    write_dist(tmp_path, "kpirules_broken", "0.4.0", "broken", "kpirules_broken_mod",
               "import not_a_module_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    (failure,) = load_registry().failures  # isolated: recorded, the others load
    assert failure.label == "kpirules_broken 0.4.0" and "not_a_module_anywhere" in failure.message()
    with pytest.raises(PluginError) as info:
        load_registry(strict=True)
    message = str(info.value)
    assert "kpirules_broken 0.4.0" in message and "not_a_module_anywhere" in message
    assert info.value.exit_code == 2


def test_a_misspelt_hook_is_caught(tmp_path: Path) -> None:
    plugin = tmp_path / "typo.py"
    plugin.write_text("import kpirules\n@kpirules.hookimpl\ndef kpirules_conectors():\n"
                      "    return []\n")
    with pytest.raises(PluginError, match=r"typo.*unknown hook.*kpirules_conectors"):
        load_registry([str(plugin)], autoload=False)


def test_two_plugins_claiming_one_name_are_both_named(tmp_path: Path) -> None:
    for stem in ("pager_one", "pager_two"):
        (tmp_path / f"{stem}.py").write_text(textwrap.dedent(PLUGIN.format(name="page")))
    with pytest.raises(PluginError) as info:
        load_registry([str(tmp_path / "pager_one.py"), str(tmp_path / "pager_two.py")],
                      autoload=False)
    assert "pager_one" in str(info.value) and "pager_two" in str(info.value)
    assert "'page'" in str(info.value)


def test_a_plugin_cannot_take_a_builtin_name(tmp_path: Path) -> None:
    (tmp_path / "mylog.py").write_text(textwrap.dedent(PLUGIN.format(name="log")))
    with pytest.raises(PluginError, match=r"mylog.*'log'.*kpirules"):
        load_registry(["mylog.py"], autoload=False, base_dir=tmp_path)


def test_configured_module_by_path_and_by_dotted_name(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "by_path.py").write_text(textwrap.dedent(PLUGIN.format(name="by_path")))
    pkg = tmp_path / "pkgs" / "mycompany"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "alerts.py").write_text("__version__ = '2.0'\n" +
                                   textwrap.dedent(PLUGIN.format(name="by_name")))
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    registry = load_registry(["by_path.py", "mycompany.alerts"], autoload=False,
                             base_dir=tmp_path)
    assert {"by_path", "by_name"} <= set(registry.actions)
    owner = registry.owner("actions", "by_name")
    assert owner is not None and owner.label == "mycompany.alerts 2.0"


def test_missing_configured_module_is_a_plugin_error(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="no such file"):
        load_registry(["plugins/nope.py"], autoload=False, base_dir=tmp_path)
    with pytest.raises(PluginError, match="no_such_module_xyz"):
        load_registry(["no_such_module_xyz"], autoload=False)


def test_a_hook_returning_the_wrong_type_is_named(tmp_path: Path) -> None:
    (tmp_path / "wrong.py").write_text(
        "import kpirules\n@kpirules.hookimpl\ndef kpirules_connectors():\n    return ['csv']\n")
    with pytest.raises(PluginError, match=r"wrong.*not a kpirules.plugin_api.Connector"):
        load_registry(["wrong.py"], autoload=False, base_dir=tmp_path)


def test_function_plugins_join_the_function_registry(tmp_path: Path) -> None:
    module = tmp_path / "funcs.py"
    module.write_text(textwrap.dedent("""
        import kpirules
        from kpirules.lang.functions import FunctionSpec

        @kpirules.hookimpl
        def kpirules_functions():
            return [FunctionSpec("double", ("x",), 1, 1, doc="2x", build=lambda x: x * 2)]
    """))
    registry = load_registry([str(module)], autoload=False)
    spec = registry.functions["double"]
    assert spec.plugin == "funcs"
    assert registry.owner("functions", "double").name == "funcs"  # type: ignore[union-attr]
    frame = pl.DataFrame({"x": [1.0, 2.0]}).select(spec.build(pl.col("x")))  # type: ignore[misc]
    assert frame["x"].to_list() == [2.0, 4.0]


def test_function_plugins_cannot_redefine_core_functions() -> None:
    import types

    import kpirules.hookspecs as hs

    module = types.ModuleType("growth_again")

    @hs.hookimpl
    def kpirules_functions() -> list[FunctionSpec]:
        return [FunctionSpec("growth", ("x",), 1, 1, build=lambda x: x)]

    module.kpirules_functions = kpirules_functions  # type: ignore[attr-defined]
    with pytest.raises(PluginError, match=r"growth_again.*'growth'.*kpirules"):
        load_registry([module], autoload=False)


def test_hookimpl_is_importable_from_both_places() -> None:
    from kpirules.hookspecs import hookimpl

    assert kpirules.hookimpl is hookimpl


def test_a_hook_with_a_wrong_signature_is_said_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "sigplug.py").write_text(
        "import kpirules\n@kpirules.hookimpl\ndef kpirules_connectors(config):\n    return []\n")
    with pytest.raises(PluginError) as info:
        load_registry(["sigplug.py"], autoload=False, base_dir=tmp_path)
    assert str(info.value) == (
        "plugin 'sigplug' defines kpirules_connectors() with parameters the hook does not pass "
        "('config'): kpirules calls kpirules_connectors() with no arguments")
