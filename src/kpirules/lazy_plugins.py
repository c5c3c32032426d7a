"""The plugin registry of one command, loaded only when a plugin's name is asked for.

Loading the registry costs a tenth to a third of a second: pluggy, the entry
points of every installed distribution, and each plugin's imports. Most
commands never need it: ``eval rules.kpi --data sales.csv`` uses the ``csv``
connector, the ``table`` format and core functions, all built in. So a
:class:`LazyRegistry` answers built-in names itself (from
:data:`kpirules.builtin.BUILTIN_ITEMS`, importing only the module that makes the
item asked for) and loads the real registry
(:func:`kpirules.plugins.load_registry`) the first time a name that is not
built in is looked up, or every name is listed (``--format`` naming an
unknown format, an error listing what is installed, ``kpirules plugins``).

Nothing a plugin does is lost: a plugin may not take a built-in name (the
registry refuses it, and the built-in keeps it), so a built-in name means the
same item whether or not the plugins were loaded. What changes is only *when*
a broken installed plugin is reported: when the registry is loaded, by the
command that needed it. Plugins still come only from the installed entry
points and the configuration's list, through :func:`load_registry`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from kpirules.builtin import BUILTIN_ITEMS, builtin_item
from kpirules.lang.functions import FunctionRegistry

if TYPE_CHECKING:
    from kpirules.plugins import PluginFailure, PluginInfo, Registry


class LazyRegistry:
    """The interface of :class:`~kpirules.plugins.Registry`, loaded at the first need.

    ``load`` returns the loaded registry, or ``None`` when plugins cannot be
    loaded (then only the built-ins are known, as before). It is called at
    most once.
    """

    def __init__(self, load: Callable[[], Registry | None]) -> None:
        self._load: Callable[[], Registry | None] | None = load
        self._registry: Registry | None = None
        self.connectors = NameTable(self, "connectors")
        self.actions = NameTable(self, "actions")
        self.formats = NameTable(self, "formats")
        self.functions = FunctionRegistry(more=lambda: _functions(self.loaded()))

    @property
    def is_loaded(self) -> bool:
        """Whether the plugins were asked for (and loaded, or found unusable)."""
        return self._load is None

    def loaded(self) -> Registry | None:
        """The real registry, loaded now if it was not yet; ``None`` if plugins cannot load."""
        load, self._load = self._load, None
        if load is not None:
            self._registry = load()
        return self._registry

    @property
    def plugins(self) -> list[PluginInfo]:
        registry = self.loaded()
        return registry.plugins if registry is not None else []

    @property
    def failures(self) -> list[PluginFailure]:
        registry = self.loaded()
        return registry.failures if registry is not None else []

    def owner(self, kind: str, name: str) -> PluginInfo | None:
        """The plugin that added ``name`` (see :meth:`Registry.owner`)."""
        registry = self.loaded()
        return registry.owner(kind, name) if registry is not None else None

    def describe(self) -> list[dict[str, Any]]:
        registry = self.loaded()
        return registry.describe() if registry is not None else []

    def describe_text(self) -> str:
        registry = self.loaded()
        return registry.describe_text() if registry is not None else ""


class NameTable(Mapping[str, Any]):
    """The connectors, actions or formats of a :class:`LazyRegistry`, by name.

    A built-in name is answered without loading anything else; any other name,
    and listing the names, loads the registry.
    """

    def __init__(self, registry: LazyRegistry, kind: str) -> None:
        self._registry = registry
        self._kind = kind
        self._builtins: dict[str, Any] = {}

    def _table(self) -> Mapping[str, Any]:
        """The loaded registry's items of this kind; the built-ins when plugins cannot load."""
        registry = self._registry.loaded()
        if registry is not None:
            return getattr(registry, self._kind)
        return {name: self._builtin(name) for name in BUILTIN_ITEMS[self._kind]}

    def _builtin(self, name: str) -> Any:
        if name not in self._builtins:
            self._builtins[name] = builtin_item(self._kind, name)
        return self._builtins[name]

    def __getitem__(self, name: str) -> Any:
        if not self._registry.is_loaded and name in BUILTIN_ITEMS[self._kind]:
            return self._builtin(name)
        return self._table()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


class KnownNames(Collection[str]):
    """Action names a rule file may call: built-in, configured, or a plugin's.

    ``in`` answers a built-in or configured name without loading plugins; only
    another name loads the registry. When plugins cannot be loaded at all,
    every name is taken as known, so that no rule is warned about an action
    that a plugin which failed to load may provide.
    """

    def __init__(self, registry: LazyRegistry, configured: Callable[[], Iterable[str]]) -> None:
        self._registry = registry
        self._configured = configured
        self._names: set[str] | None = None

    def _configured_names(self) -> set[str]:
        if self._names is None:
            self._names = set(self._configured())
        return self._names

    def __contains__(self, name: object) -> bool:
        if name in BUILTIN_ITEMS["actions"] or name in self._configured_names():
            return True
        if self._registry.loaded() is None:
            return True
        return name in self._registry.actions

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self._registry.actions, *self._configured_names()}))

    def __len__(self) -> int:
        return len({*self._registry.actions, *self._configured_names()})


def _functions(registry: Registry | None) -> FunctionRegistry | None:
    return registry.functions if registry is not None else None
