"""The plugin manager: built-ins, installed plugins and configured modules.

:func:`load_registry` registers, in this order, the built-in plugins
(:data:`kpirules.builtin.BUILTIN_PLUGINS`), every entry point of the group
``kpirules`` (unless autoloading is off), and the modules the configuration
lists; then it asks each plugin, through the hooks of
:mod:`kpirules.hookspecs`, what it adds. Built-ins go through the very same
hooks as anyone else's plugin.

Loading is defensive, in the manner of sqlfluff's plugin host: entry points
are loaded one at a time, so that a broken plugin is reported by its name and
version instead of taking every plugin down with an anonymous traceback;
``check_pending`` catches a hook whose name is misspelt; and the environment
variable ``KPIRULES_DISABLE_PLUGIN_AUTOLOAD`` turns entry points off (to
rule a plugin out when something goes wrong, or to test in isolation).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from kpirules import hookspecs
from kpirules.builtin import BUILTIN_PLUGINS
from kpirules.errors import PluginError
from kpirules.lang.functions import CORE_FUNCTIONS, FunctionRegistry, FunctionSpec
from kpirules.plugin_api import ActionType, Connector

if TYPE_CHECKING:
    from kpirules.report.base import OutputFormat

ENTRY_POINT_GROUP = "kpirules"
DISABLE_AUTOLOAD_ENV = "KPIRULES_DISABLE_PLUGIN_AUTOLOAD"
KINDS = ("connectors", "actions", "functions", "formats")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CONNECTOR_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


@attrs.define
class PluginInfo:
    """One plugin as ``kpirules plugins`` shows it: who it is and what it adds."""

    name: str
    version: str | None
    origin: str
    connectors: list[str] = attrs.field(factory=list)
    actions: list[str] = attrs.field(factory=list)
    functions: list[str] = attrs.field(factory=list)
    formats: list[str] = attrs.field(factory=list)

    @property
    def label(self) -> str:
        """``name version`` as errors name a plugin."""
        return f"{self.name} {self.version}" if self.version else self.name

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return attrs.asdict(self)


class Registry:
    """Everything the installed and configured plugins add, by name.

    ``connectors``, ``actions`` and ``formats`` map names to the objects the
    plugins returned; ``functions`` is the language's
    :class:`~kpirules.lang.functions.FunctionRegistry` (core functions plus
    the plugins'). ``plugins`` lists each plugin in load order.
    """

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.manager = manager
        self.connectors: dict[str, Connector] = {}
        self.actions: dict[str, ActionType] = {}
        self.functions = FunctionRegistry()
        self.formats: dict[str, OutputFormat] = {}
        self.plugins: list[PluginInfo] = []
        self._owners: dict[tuple[str, str], PluginInfo] = {}

    def owner(self, kind: str, name: str) -> PluginInfo | None:
        """The plugin that added the connector, action, function or format ``name``."""
        return self._owners.get((kind, name))

    def describe(self) -> list[dict[str, Any]]:
        """Each plugin with name, version, origin and what it adds, in load order."""
        return [p.to_dict() for p in self.plugins]

    def describe_text(self) -> str:
        """:meth:`describe` as the text ``kpirules plugins`` prints."""
        lines: list[str] = []
        for plugin in self.plugins:
            lines.append(f"{plugin.label}  ({plugin.origin})")
            for kind in KINDS:
                names = getattr(plugin, kind)
                if names:
                    lines.append(f"  {kind + ':':<12}{', '.join(names)}")
            if not any(getattr(plugin, k) for k in KINDS):
                lines.append("  (adds nothing)")
        return "\n".join(lines)

    def _add(self, kind: str, name: str, obj: Any, plugin: PluginInfo) -> None:
        """Register one item, refusing a name another plugin took."""
        table: dict[str, Any] = getattr(self, kind)
        other = self._owners.get((kind, name))
        if other is not None:
            raise PluginError(
                f"plugin {plugin.label!r} adds {kind[:-1]} {name!r}, "
                f"already added by plugin {other.label!r}"
            )
        table[name] = obj
        self._owners[(kind, name)] = plugin
        getattr(plugin, kind).append(name)


def load_registry(extra_modules: Iterable[str | Path | ModuleType | object] = (),
                  autoload: bool = True, base_dir: Path | None = None) -> Registry:
    """Load every plugin and return what they add.

    ``extra_modules`` are the configuration's ``plugins``: a path to a Python
    file (relative to ``base_dir``, else the current folder), a dotted module
    name, or an already imported module or object. ``autoload`` loads the
    entry points of the group ``kpirules``, unless the environment variable
    ``KPIRULES_DISABLE_PLUGIN_AUTOLOAD`` is set (to anything but ``0`` or
    empty). Raises :class:`~kpirules.errors.PluginError` naming the plugin
    when one fails to load, implements an unknown hook, or claims a name that
    another plugin claimed already.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    infos: dict[str, PluginInfo] = {}

    core = PluginInfo("kpirules", _version("kpirules"), "built-in")
    for module_name in BUILTIN_PLUGINS:
        _register(pm, importlib.import_module(module_name), module_name, core, infos)

    if autoload and os.environ.get(DISABLE_AUTOLOAD_ENV, "") in ("", "0"):
        for ep in _entry_points():
            dist = getattr(ep, "dist", None)
            info = PluginInfo(dist.name if dist else ep.name,
                              dist.version if dist else None,
                              f"entry point {ep.name} = {ep.value}")
            try:
                obj = ep.load()
            except Exception as exc:
                raise PluginError(
                    f"plugin {info.label!r} failed to load (entry point "
                    f"{ep.name} = {ep.value}): {type(exc).__name__}: {exc}"
                ) from exc
            _register(pm, obj, f"{ENTRY_POINT_GROUP}:{ep.name}", info, infos)

    for spec in extra_modules:
        obj, info = _load_configured(spec, base_dir)
        _register(pm, obj, f"module:{info.origin}", info, infos)

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        culprit = infos.get(pm.get_name(exc.plugin) or "")
        label = culprit.label if culprit else str(exc.plugin)
        raise PluginError(
            f"plugin {label!r} implements an unknown hook: {exc} "
            f"(known hooks: {', '.join(_hook_names())})"
        ) from exc

    return _collect(pm, infos)


def _register(pm: pluggy.PluginManager, obj: object, name: str, info: PluginInfo,
              infos: dict[str, PluginInfo]) -> None:
    """Register one plugin object under ``name``, with its error named after ``info``."""
    if pm.has_plugin(name) or pm.is_registered(obj):
        existing = infos.get(name)
        if existing is not None and existing is not info and existing.label != info.label:
            raise PluginError(
                f"plugin {info.label!r} and plugin {existing.label!r} are both "
                f"registered as {name!r}"
            )
        return  # the same plugin listed twice (installed and configured): once is enough
    try:
        pm.register(obj, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(f"plugin {info.label!r} cannot be registered: {exc}") from exc
    infos[name] = info


def _collect(pm: pluggy.PluginManager, infos: dict[str, PluginInfo]) -> Registry:
    """Call each plugin's hooks and gather what they return, by plugin."""
    registry = Registry(pm)
    seen: list[PluginInfo] = []
    for name, _ in pm.list_name_plugin():
        info = infos[name]
        if info not in seen:
            seen.append(info)
    registry.plugins = seen
    core = infos[BUILTIN_PLUGINS[0]]
    core.functions.extend(CORE_FUNCTIONS)
    for fn in CORE_FUNCTIONS:
        registry._owners[("functions", fn)] = core

    checks: dict[str, tuple[type | None, str]] = {
        "connectors": (Connector, "kpirules.plugin_api.Connector"),
        "actions": (ActionType, "kpirules.plugin_api.ActionType"),
        "functions": (FunctionSpec, "kpirules.lang.functions.FunctionSpec"),
        "formats": (None, "kpirules.report.base.OutputFormat"),
    }
    for kind in KINDS:
        hook = getattr(pm.hook, f"kpirules_{kind}")
        for impl in hook.get_hookimpls():
            info = infos[impl.plugin_name]
            try:
                items = impl.function()
            except Exception as exc:
                raise PluginError(
                    f"plugin {info.label!r}: kpirules_{kind}() failed: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            cls, cls_name = checks[kind]
            if cls is None:
                from kpirules.report.base import OutputFormat

                cls = OutputFormat
            for item in _as_list(items, info, kind):
                if not isinstance(item, cls):
                    raise PluginError(
                        f"plugin {info.label!r}: kpirules_{kind}() returned "
                        f"{item!r}, not a {cls_name}"
                    )
                _add_item(registry, kind, item, info)
    return registry


def _add_item(registry: Registry, kind: str, item: Any, info: PluginInfo) -> None:
    """Check one item's name and add it to the registry."""
    name = getattr(item, "name", None)
    pattern = _CONNECTOR_NAME if kind in ("connectors", "formats") else _NAME
    if not isinstance(name, str) or not pattern.match(name):
        raise PluginError(f"plugin {info.label!r} adds a {kind[:-1]} with an invalid name "
                          f"{name!r}")
    if kind == "functions":
        spec = item if item.plugin != "kpirules" else attrs.evolve(item, plugin=info.label)
        if name in registry.functions:
            other = registry.owner("functions", name)
            raise PluginError(
                f"plugin {info.label!r} adds function {name!r}, already added by plugin "
                f"{other.label if other else 'kpirules'!r}"
            )
        registry.functions.add(spec)
        registry._owners[("functions", name)] = info
        info.functions.append(name)
        return
    registry._add(kind, name, item, info)


def _as_list(items: Any, info: PluginInfo, kind: str) -> Sequence[Any]:
    """A hook's answer as a list; ``None`` is taken as nothing."""
    if items is None:
        return []
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise PluginError(f"plugin {info.label!r}: kpirules_{kind}() must return a list")
    return list(items)


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    """The group's entry points, each once, in a stable order."""
    seen: dict[tuple[str, str], importlib.metadata.EntryPoint] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        seen.setdefault((ep.name, ep.value), ep)
    return sorted(seen.values(), key=lambda ep: ep.name)


def _load_configured(spec: str | Path | ModuleType | object,
                     base_dir: Path | None) -> tuple[object, PluginInfo]:
    """Import a configured plugin: a file path, a dotted name, or an object."""
    if isinstance(spec, ModuleType):
        return spec, PluginInfo(spec.__name__, _module_version(spec), spec.__name__)
    if not isinstance(spec, str | Path):
        label = getattr(spec, "__name__", type(spec).__name__)
        return spec, PluginInfo(label, _module_version(spec), f"object {label}")
    text = str(spec)
    if isinstance(spec, Path) or text.endswith(".py") or "/" in text or os.sep in text:
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        info = PluginInfo(path.stem, None, str(path))
        if not path.is_file():
            raise PluginError(f"plugin {text!r}: no such file {path}")
        module_name = f"kpirules_plugin_{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}"
        try:
            module_spec = importlib.util.spec_from_file_location(module_name, path)
            assert module_spec is not None and module_spec.loader is not None
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[module_name] = module
            module_spec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(module_name, None)
            raise PluginError(
                f"plugin {text!r} failed to load: {type(exc).__name__}: {exc}") from exc
        info.version = _module_version(module)
        return module, info
    try:
        module = importlib.import_module(text)
    except Exception as exc:
        raise PluginError(
            f"plugin {text!r} failed to load: {type(exc).__name__}: {exc}") from exc
    return module, PluginInfo(text, _module_version(module), text)


def _module_version(obj: object) -> str | None:
    """A module's ``__version__``, else its distribution's version, else nothing."""
    version = getattr(obj, "__version__", None)
    if isinstance(version, str):
        return version
    top = getattr(obj, "__name__", "").split(".")[0]
    for dist in importlib.metadata.packages_distributions().get(top, []):
        return _version(dist)
    return None


def _version(dist: str) -> str | None:
    """The installed version of a distribution, or ``None``."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _hook_names() -> list[str]:
    return [n for n in dir(hookspecs) if n.startswith("kpirules_")]
