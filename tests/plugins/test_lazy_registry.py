"""The lazy registry: built-in names without plugins, the registry loaded at the first other name.

Loading plugins (pluggy, every installed distribution's entry points, each
plugin's imports) costs a tenth of a second or more; a command that uses only
built-ins must not pay it, and a command that names a plugin's item must get
exactly what the loaded registry holds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_plugin_isolation import install

from kpirules.builtin import BUILTIN_ITEMS, builtin_item
from kpirules.lang.functions import CORE_FUNCTIONS, FunctionRegistry, FunctionSpec
from kpirules.lazy_plugins import KnownNames, LazyRegistry
from kpirules.plugins import Registry, load_registry
from support.cli import run_process

FORMAT_PLUGIN = """
    import kpirules
    from pathlib import Path
    from kpirules.report.base import OutputFormat

    Path("imported.txt").write_text("yes")  # the plugin's import is seen from outside

    def render(doc, options):
        return "shout: " + doc["ruleset"]

    @kpirules.hookimpl
    def kpirules_formats():
        return [OutputFormat("shout", "txt", render)]
"""

RULES = "ruleset shop\nmetric visits\nmetric orders\nkpi cr = orders / visits\n"


class Loads:
    """A ``load`` for :class:`LazyRegistry` that counts its calls."""

    def __init__(self, registry: Registry | None) -> None:
        self.registry = registry
        self.calls = 0

    def __call__(self) -> Registry | None:
        self.calls += 1
        return self.registry


def test_the_builtin_table_names_what_the_builtin_plugins_register() -> None:
    """BUILTIN_ITEMS cannot drift from the hooks: same names, same order, same kinds of object."""
    registry = load_registry(autoload=False)
    for kind, names in BUILTIN_ITEMS.items():
        assert list(getattr(registry.plugins[0], kind)) == list(names), kind
        for name in names:
            made = builtin_item(kind, name)
            assert type(made) is type(getattr(registry, kind)[name]) and made.name == name


def test_builtin_names_are_answered_without_loading() -> None:
    loads = Loads(load_registry(autoload=False))
    lazy = LazyRegistry(loads)
    assert lazy.connectors["csv"].name == "csv"
    assert "table" in lazy.formats and lazy.formats["json"].name == "json"
    assert "log" in lazy.actions
    assert lazy.functions["growth"] is CORE_FUNCTIONS["growth"] and "round" in lazy.functions
    assert lazy.functions  # truth does not load either (``functions or default``)
    assert loads.calls == 0 and not lazy.is_loaded


@pytest.mark.parametrize("ask", [
    lambda lazy: "xlsx" in lazy.connectors,
    lambda lazy: lazy.formats.get("shout"),
    lambda lazy: list(lazy.formats),
    lambda lazy: len(lazy.actions),
    lambda lazy: lazy.functions.get("pct_change"),
    lambda lazy: sorted(lazy.functions),
    lambda lazy: lazy.plugins,
    lambda lazy: lazy.failures,
    lambda lazy: lazy.describe(),
], ids=["other connector", "other format", "listing formats", "counting actions",
        "other function", "listing functions", "plugins", "failures", "describe"])
def test_any_other_need_loads_the_registry_once(ask: object) -> None:
    loads = Loads(load_registry(autoload=False))
    lazy = LazyRegistry(loads)
    ask(lazy)  # type: ignore[operator]
    ask(lazy)  # type: ignore[operator]
    assert loads.calls == 1 and lazy.is_loaded


def test_after_loading_the_plugins_items_are_found(tmp_path: Path) -> None:
    plugin = tmp_path / "shop_plugin.py"
    plugin.write_text(
        "import kpirules\nfrom kpirules.lang.functions import FunctionSpec\n"
        "@kpirules.hookimpl\ndef kpirules_functions():\n"
        "    return [FunctionSpec('twice', ('x',), 1, 1, build=lambda x: x * 2)]\n")
    lazy = LazyRegistry(lambda: load_registry([plugin], autoload=False))
    assert lazy.functions["twice"].plugin == "shop_plugin"
    assert "twice" in set(lazy.functions) and "growth" in set(lazy.functions)
    assert set(lazy.formats) >= set(BUILTIN_ITEMS["formats"])
    assert lazy.owner("functions", "twice").name == "shop_plugin"  # type: ignore[union-attr]


def test_when_plugins_cannot_load_the_builtins_remain() -> None:
    lazy = LazyRegistry(Loads(None))
    assert "shout" not in lazy.formats
    assert sorted(lazy.formats) == sorted(BUILTIN_ITEMS["formats"])
    assert lazy.plugins == [] and lazy.failures == [] and lazy.owner("formats", "table") is None
    assert set(lazy.functions) == set(CORE_FUNCTIONS)


def test_known_action_names_load_plugins_only_for_a_name_neither_built_in_nor_configured() -> None:
    loads = Loads(load_registry(autoload=False))
    lazy = LazyRegistry(loads)
    known = KnownNames(lazy, lambda: {"notify"})
    assert "log" in known and "notify" in known and loads.calls == 0
    assert "page" not in known and loads.calls == 1
    assert {"log", "webhook", "notify"} <= set(known)


def test_known_action_names_take_every_name_when_plugins_cannot_load() -> None:
    """As before: a broken plugin system warns about no action (one of them may be its)."""
    assert "page" in KnownNames(LazyRegistry(Loads(None)), set)


def test_a_function_registry_asks_for_more_once_and_keeps_the_core() -> None:
    calls: list[int] = []
    extra = FunctionRegistry([FunctionSpec("twice", ("x",), 1, 1, build=lambda x: x * 2)])
    extra.unavailable = ["kpirules-broken 0.4.0"]

    def more() -> FunctionRegistry:
        calls.append(1)
        return extra

    functions = FunctionRegistry(more=more)
    assert "growth" in functions and not calls
    assert functions.get("nope") is None and calls == [1]
    assert functions["twice"] is extra["twice"] and functions.unavailable == ["kpirules-broken 0.4.0"]
    assert len(functions) == len(CORE_FUNCTIONS) + 1 and calls == [1]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """An installed plugin adding a format, whose import leaves a file behind."""
    install(tmp_path / "site", "kpirules-shout", "1.0.0", "kpirules_shout_mod", FORMAT_PLUGIN)
    (tmp_path / "rules.kpi").write_text(RULES, encoding="utf-8")
    (tmp_path / "data.csv").write_text("month,visits,orders\n2026-01,1000,20\n", encoding="utf-8")
    return tmp_path


def kpirules_cli(cwd: Path, *args: str) -> tuple[int, str, str]:
    proc = run_process(*args, cwd=cwd, env={"PYTHONPATH": str(cwd / "site"),
                                            "KPIRULES_DISABLE_PLUGIN_AUTOLOAD": None})
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.slow
def test_a_command_using_only_builtins_does_not_import_installed_plugins(shop: Path) -> None:
    code, out, err = kpirules_cli(shop, "eval", "rules.kpi", "--data", "data.csv", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["rows"][0]["values"]["cr"] == pytest.approx(0.02)
    code, _, err = kpirules_cli(shop, "check", "rules.kpi")
    assert code == 0, err
    assert not (shop / "imported.txt").exists()


@pytest.mark.slow
def test_naming_a_plugins_format_loads_it(shop: Path) -> None:
    code, out, err = kpirules_cli(shop, "eval", "rules.kpi", "--data", "data.csv", "--format", "shout")
    assert code == 0, err
    assert out.strip() == "shout: shop"
    assert (shop / "imported.txt").exists()


@pytest.mark.slow
def test_an_unknown_format_lists_the_plugins_formats_too(shop: Path) -> None:
    code, _, err = kpirules_cli(shop, "eval", "rules.kpi", "--data", "data.csv", "--format", "shuot")
    assert code == 2
    assert "shout" in err and "table" in err
