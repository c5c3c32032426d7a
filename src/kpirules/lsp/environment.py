"""What a rule file is checked against: plugin functions and known action names.

``kpirules check`` warns about an action that no plugin and no configuration
provides. In an editor the rule file usually sits below the project's
``kpirules.toml`` (``rulesets/funnel.kpi``), so the server looks for the
configuration in the file's folder and then in each folder above it, loads
the plugins that configuration lists (as ``check --config`` does) and counts
its ``[actions.NAME]`` as known. Loaded plugins are kept per configuration,
and reloaded only when the configuration file changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from attrs import frozen

from kpirules.errors import KpirulesError
from kpirules.lang.functions import FunctionRegistry


@frozen
class Environment:
    """The functions and action names one rule file is checked with.

    ``known_actions`` is ``None`` when the plugin system could not be loaded:
    then, as in ``check``, no action is reported as unknown.
    """

    functions: FunctionRegistry | None
    known_actions: frozenset[str] | None
    config: Path | None


def find_nearby_config(folder: Path) -> Path | None:
    """The configuration of ``folder`` or of the nearest folder above it."""
    from kpirules.config import find_config
    from kpirules.errors import ConfigError

    for candidate in (folder, *folder.parents):
        try:
            return find_config(candidate)
        except ConfigError:
            continue
        except OSError:  # an unreadable folder on the way up
            return None
    return None


class Environments:
    """Environments per configuration, loaded once and refreshed when the file changes."""

    def __init__(self, warn: Callable[[str], None] = lambda _message: None) -> None:
        self._warn = warn
        self._cache: dict[Path | None, tuple[float, Environment]] = {}

    def for_file(self, path: Path | None) -> Environment:
        """The environment of a rule file (``None``: an unsaved document, the default one)."""
        config = find_nearby_config(path.parent) if path is not None else None
        stamp = _mtime(config)
        cached = self._cache.get(config)
        if cached is None or cached[0] != stamp:
            cached = (stamp, self._load(config))
            self._cache[config] = cached
        return cached[1]

    def _load(self, config: Path | None) -> Environment:
        from kpirules.config import configured_action_names, configured_plugins
        from kpirules.plugins import load_registry

        try:
            if config is None:
                registry = load_registry()
            else:
                registry = load_registry(configured_plugins(config), base_dir=config.parent)
        except KpirulesError as err:
            self._warn(f"kpirules: {err}")
            if config is None:
                return Environment(None, None, None)
            # the configuration's plugins failed: check with the installed ones and its action names
            fallback = self._load(None)
            if fallback.known_actions is None:
                return Environment(fallback.functions, None, config)
            configured = configured_action_names(path=config) or set()
            return Environment(fallback.functions, fallback.known_actions | configured, config)
        known = set(registry.actions)
        if config is not None:
            known |= configured_action_names(path=config) or set()
        return Environment(registry.functions, frozenset(known), config)


def _mtime(path: Path | None) -> float:
    if path is None:
        return 0.0
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0
