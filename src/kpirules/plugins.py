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
import time
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
from kpirules.plugin_api import PLUGIN_API_VERSION, ActionType, Connector, api_version_satisfies
from kpirules.plugin_calls import CORE_LABEL, guard_item
from kpirules.plugin_describe import undecorated_hooks

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
    #: seconds its module took to import (``kpirules plugins --verbose``)
    import_seconds: float = 0.0
    #: ``kpirules_*`` functions without ``@hookimpl``: pluggy ignores them
    undecorated: list[str] = attrs.field(factory=list)

    @property
    def label(self) -> str:
        """``name version`` as errors name a plugin."""
        return f"{self.name} {self.version}" if self.version else self.name

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return attrs.asdict(self, filter=lambda a, _: a.name not in ("import_seconds", "undecorated"))


@attrs.define
class PluginFailure:
    """A plugin that could not be loaded: reported once, by name; the others keep working."""

    label: str
    origin: str
    reason: str
    traceback: str = ""
    #: what it would have added, when known (a hook that failed after others answered)
    adds: list[str] = attrs.field(factory=list)

    def message(self) -> str:
        """The one-line warning every command prints for it."""
        return (f"plugin {self.label!r} failed to load ({self.origin}): {self.reason}; "
                "its connectors, actions, functions and formats are unavailable")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for ``kpirules plugins --format json``."""
        return {"name": self.label, "origin": self.origin, "error": self.reason}


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
        #: installed plugins that failed to load (see :class:`PluginFailure`)
        self.failures: list[PluginFailure] = []
        self._owners: dict[tuple[str, str], PluginInfo] = {}

    def owner(self, kind: str, name: str) -> PluginInfo | None:
        """The plugin that added the connector, action, function or format ``name``."""
        return self._owners.get((kind, name))

    def describe(self) -> list[dict[str, Any]]:
        """Each plugin with name, version, origin and what it adds, in load order.

        A plugin that failed to load is listed too, with ``"error"`` saying why.
        """
        return [p.to_dict() for p in self.plugins] + [f.to_dict() for f in self.failures]

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
        for failure in self.failures:
            lines.append(f"{failure.label}  ({failure.origin})")
            lines.append(f"  FAILED TO LOAD: {failure.reason}")
        return "\n".join(lines)

    def report_failures(self, say: Any) -> None:
        """Say each failed plugin once as a warning; ``KPIRULES_DEBUG=1`` adds its traceback.

        Hook functions a plugin forgot to decorate are warned about here too:
        pluggy ignores them, so the plugin would silently add nothing.
        """
        debug = bool(os.environ.get("KPIRULES_DEBUG"))
        for failure in self.failures:
            say(f"warning: {failure.message()}")
            if debug and failure.traceback:
                say(failure.traceback.rstrip())
        for plugin in self.plugins:
            for name in plugin.undecorated:
                say(f"warning: plugin {plugin.label!r}: {name}() has no @kpirules.hookimpl, "
                    "so kpirules ignores it")
        if self.failures and not debug:
            say("hint: `kpirules plugins` lists every plugin; KPIRULES_DEBUG=1 shows the traceback; "
                "KPIRULES_DISABLE_PLUGIN_AUTOLOAD=1 turns installed plugins off")

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
                  autoload: bool = True, base_dir: Path | None = None,
                  strict: bool = False) -> Registry:
    """Load every plugin and return what they add.

    ``extra_modules`` are the configuration's ``plugins``: a path to a Python
    file (relative to ``base_dir``, else the current folder), a dotted module
    name, or an already imported module or object. ``autoload`` loads the
    entry points of the group ``kpirules``, unless the environment variable
    ``KPIRULES_DISABLE_PLUGIN_AUTOLOAD`` is set (to anything but ``0`` or
    empty).

    An installed plugin (entry point) that fails to import, to register, or
    to answer its hooks is recorded in :attr:`Registry.failures` and left out,
    so that one broken package does not switch every other plugin off; each
    command reports it once, by name. With ``strict`` it raises instead. A
    plugin the configuration lists by name was asked for: its failure always
    raises :class:`~kpirules.errors.PluginError`, as do two plugins claiming
    one name.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    infos: dict[str, PluginInfo] = {}
    failures: list[PluginFailure] = []
    isolated: set[str] = set()  # registration names whose failure is isolated

    def fail(info: PluginInfo, message: str, exc: BaseException | None) -> None:
        if strict:
            raise PluginError(f"plugin {info.label!r} {message}") from exc
        failures.append(PluginFailure(info.label, info.origin, message.removeprefix("failed to load: "),
                                      _traceback_text(exc)))

    core = PluginInfo("kpirules", _version("kpirules"), "built-in")
    for module_name in BUILTIN_PLUGINS:
        _register(pm, importlib.import_module(module_name), module_name, core, infos)

    if autoload and os.environ.get(DISABLE_AUTOLOAD_ENV, "") in ("", "0"):
        for ep in _entry_points():
            dist = getattr(ep, "dist", None)
            info = PluginInfo(dist.name if dist else ep.name,
                              dist.version if dist else None,
                              f"entry point {ep.name} = {ep.value}")
            started = time.perf_counter()
            try:
                obj = ep.load()
            except Exception as exc:
                fail(info, f"failed to load: {type(exc).__name__}: {exc}", exc)
                continue
            info.import_seconds = time.perf_counter() - started
            info.undecorated = undecorated_hooks(obj)
            incompatible = _api_mismatch(obj)
            if incompatible:
                fail(info, incompatible, None)
                continue
            name = f"{ENTRY_POINT_GROUP}:{ep.name}"
            try:
                _register(pm, obj, name, info, infos)
            except PluginError as exc:
                fail(info, f"failed to load: {exc}", exc)
                continue
            isolated.add(name)

    for spec in extra_modules:
        started = time.perf_counter()
        obj, info = _load_configured(spec, base_dir)
        info.import_seconds = time.perf_counter() - started
        info.undecorated = undecorated_hooks(obj)
        incompatible = _api_mismatch(obj)
        if incompatible:
            raise PluginError(f"plugin {info.label!r} {incompatible}")
        _register(pm, obj, f"module:{info.origin}", info, infos)

    _check_hooks(pm, infos, isolated, fail)
    registry = _collect(pm, infos, isolated, fail)
    registry.failures = failures
    registry.functions.unavailable = [f.label for f in failures]
    return registry


def _check_hooks(pm: pluggy.PluginManager, infos: dict[str, PluginInfo], isolated: set[str],
                 fail: Any) -> None:
    """Catch a misspelt hook; an installed plugin with one is left out, a configured one raises."""
    while True:
        try:
            pm.check_pending()
            return
        except pluggy.PluginValidationError as exc:
            name = pm.get_name(exc.plugin) or ""
            culprit = infos.get(name)
            label = culprit.label if culprit else str(exc.plugin)
            message = (f"implements an unknown hook: {exc} "
                       f"(known hooks: {', '.join(_hook_names())})")
            if culprit is None or name not in isolated:
                raise PluginError(f"plugin {label!r} {message}") from exc
            pm.unregister(name=name)
            infos.pop(name, None)
            fail(culprit, message, None)


def _api_mismatch(obj: object) -> str | None:
    """Why a plugin's declared ``KPIRULES_PLUGIN_API`` excludes this kpirules, if it does."""
    wanted = getattr(obj, "KPIRULES_PLUGIN_API", None)
    if wanted is None:
        return None
    try:
        ok = isinstance(wanted, str) and api_version_satisfies(wanted)
    except ValueError as exc:
        return f"declares KPIRULES_PLUGIN_API = {wanted!r}, which cannot be read: {exc}"
    if ok:
        return None
    return (f"supports plugin API {wanted}, but this kpirules provides {PLUGIN_API_VERSION}: "
            "install a version of the plugin made for it")


def _signature_problem(exc: pluggy.PluginValidationError) -> str:
    """pluggy's multi-line complaint about a hook function, said in one line a plugin author reads."""
    text = str(exc)
    hook = re.search(r"for hook '(\w+)'", text)
    extra = re.search(r"Argument\(s\) \{(.*)\} are declared", text)
    if hook and extra:
        return (f"defines {hook.group(1)}() with parameters the hook does not pass "
                f"({extra.group(1)}): kpirules calls {hook.group(1)}() with no arguments")
    return "cannot be registered: " + " ".join(text.split())


def _traceback_text(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    import traceback

    return "".join(traceback.format_exception(exc))


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
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {info.label!r} {_signature_problem(exc)}") from exc
    except ValueError as exc:
        raise PluginError(f"plugin {info.label!r} cannot be registered: {exc}") from exc
    infos[name] = info


_CHECKS: dict[str, tuple[type | None, str]] = {
    "connectors": (Connector, "kpirules.plugin_api.Connector"),
    "actions": (ActionType, "kpirules.plugin_api.ActionType"),
    "functions": (FunctionSpec, "kpirules.lang.functions.FunctionSpec"),
    "formats": (None, "kpirules.report.base.OutputFormat"),
}


def _collect(pm: pluggy.PluginManager, infos: dict[str, PluginInfo], isolated: set[str],
             fail: Any) -> Registry:
    """Call each plugin's hooks and gather what they return, one plugin at a time.

    A plugin's answers are all checked before any is added, so an installed
    plugin whose hook fails is left out whole, never half-registered.
    """
    registry = Registry(pm)
    core = infos[BUILTIN_PLUGINS[0]]
    core.functions.extend(CORE_FUNCTIONS)
    for fn in CORE_FUNCTIONS:
        registry._owners[("functions", fn)] = core
    seen: list[PluginInfo] = []
    for name, _ in pm.list_name_plugin():
        info = infos[name]
        try:
            answers = _answers(pm, name, info)
        except PluginError as exc:
            if name not in isolated:
                raise
            fail(info, str(exc).removeprefix(f"plugin {info.label!r}").lstrip(": "), exc.__cause__)
            continue
        for kind, item in answers:
            _add_item(registry, kind, guard_item(kind, item, info.label if info is not core
                                                 else CORE_LABEL), info)
        if info not in seen:
            seen.append(info)
    registry.plugins = seen
    return registry


def _answers(pm: pluggy.PluginManager, name: str, info: PluginInfo) -> list[tuple[str, Any]]:
    """What one plugin's hooks return, checked for type, in hook order."""
    answers: list[tuple[str, Any]] = []
    for kind in KINDS:
        hook = getattr(pm.hook, f"kpirules_{kind}")
        for impl in hook.get_hookimpls():
            if impl.plugin_name != name:
                continue
            try:
                items = impl.function()
            except Exception as exc:
                raise PluginError(
                    f"plugin {info.label!r}: kpirules_{kind}() failed: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            cls, cls_name = _CHECKS[kind]
            if cls is None:
                from kpirules.report.base import OutputFormat

                cls = OutputFormat
            for item in _as_list(items, info, kind):
                if not isinstance(item, cls):
                    raise PluginError(
                        f"plugin {info.label!r}: kpirules_{kind}() returned "
                        f"{item!r}, not a {cls_name}"
                    )
                answers.append((kind, item))
    return answers


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
