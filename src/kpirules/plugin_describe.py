"""``kpirules plugins --verbose``: everything a plugin adds, as its author and users need it.

For each plugin: its summary (the distribution's), how long it took to
import, and for each item what a user writes — a connector's or an action's
settings (required and optional, with what each takes and its default from
``settings_help``), a function's signature and documentation,
a format's extension. Problems an author wants to hear about early come
last: an import slow enough to be felt by every ``kpirules check``, and
``kpirules_*`` functions that lack ``@kpirules.hookimpl`` (pluggy ignores
them, so the plugin silently adds nothing).
"""

from __future__ import annotations

import importlib.metadata
import inspect
from types import ModuleType
from typing import Any

#: an import slower than this is felt by every `check` and every editor keystroke
SLOW_IMPORT_SECONDS = 0.3
_HOOK_PREFIX = "kpirules_"


def describe_verbose(registry: Any) -> list[dict[str, Any]]:
    """Each plugin in load order, with its items described; failed plugins last."""
    described = []
    for plugin in registry.plugins:
        entry: dict[str, Any] = {
            "name": plugin.name, "version": plugin.version, "origin": plugin.origin,
            "summary": _summary(plugin.name) if plugin.origin != "built-in" else "built in",
            "import_seconds": round(plugin.import_seconds, 3),
            "connectors": [_settings_item(registry.connectors[n]) for n in plugin.connectors],
            "actions": [_settings_item(registry.actions[n]) for n in plugin.actions],
            "functions": [_function_item(registry.functions[n]) for n in plugin.functions],
            "formats": [_format_item(registry.formats[n]) for n in plugin.formats],
            "warnings": plugin_warnings(plugin),
        }
        described.append(entry)
    described.extend(f.to_dict() for f in registry.failures)
    return described


def describe_verbose_text(registry: Any) -> str:
    """:func:`describe_verbose` as indented text."""
    lines: list[str] = []
    for entry in describe_verbose(registry):
        label = f"{entry['name']} {entry['version']}" if entry.get("version") else entry["name"]
        if "error" in entry:
            lines += [f"{entry['name']}  ({entry['origin']})", f"  FAILED TO LOAD: {entry['error']}"]
            continue
        timing = "" if entry["origin"] == "built-in" else f"; imported in {entry['import_seconds']:.3f} s"
        lines.append(f"{label}  ({entry['origin']}{timing})")
        if entry["summary"]:
            lines.append(f"  {entry['summary']}")
        for item in entry["connectors"] + entry["actions"]:
            lines.append(f"  {item['kind']} {item['name']}: {item['description']}")
            lines.append(f"    settings: {_settings_text(item)}")
            lines += [f"      {name}: {text}" for name, text in item["settings_help"].items()]
        for item in entry["functions"]:
            lines.append(f"  function {item['signature']}" + (f": {item['doc']}" if item["doc"] else ""))
        for item in entry["formats"]:
            lines.append(f"  format {item['name']} (.{item['extension']})"
                         + (f": {item['description']}" if item["description"] else ""))
        lines += [f"  warning: {w}" for w in entry["warnings"]]
    return "\n".join(lines)


def plugin_warnings(plugin: Any) -> list[str]:
    """An author's early warnings for one plugin: slow import, undecorated hooks."""
    warnings = []
    if plugin.origin != "built-in" and plugin.import_seconds > SLOW_IMPORT_SECONDS:
        warnings.append(
            f"importing it took {plugin.import_seconds:.2f} s, paid by every command that loads plugins "
            "(`check` of a file calling a plugin's function, `eval --format` of a plugin's format): "
            "import heavy libraries (Polars, drivers, SDKs) inside the methods that use them")
    warnings += [f"{name}() has no @kpirules.hookimpl: kpirules ignores it"
                 for name in plugin.undecorated]
    return warnings


def undecorated_hooks(obj: object) -> list[str]:
    """The ``kpirules_*`` functions of a plugin module that pluggy will not call."""
    if not isinstance(obj, ModuleType):
        return []
    return sorted(name for name, value in vars(obj).items()
                  if name.startswith(_HOOK_PREFIX) and inspect.isfunction(value)
                  and not hasattr(value, "kpirules_impl"))


def _summary(dist: str) -> str:
    try:
        return str(importlib.metadata.metadata(dist)["Summary"] or "")
    except importlib.metadata.PackageNotFoundError:
        return ""


def _settings_item(item: Any) -> dict[str, Any]:
    from kpirules.plugin_api import ActionType

    settings = [*item.required, *item.optional]
    given = dict(getattr(item, "settings_help", None) or {})
    return {"kind": "action" if isinstance(item, ActionType) else "connector",
            "name": item.name, "description": item.description,
            "required": list(item.required), "optional": list(item.optional),
            # in the order of the settings: what each takes and its default
            "settings_help": {name: str(given[name]) for name in settings if name in given}}


def _settings_text(item: dict[str, Any]) -> str:
    parts = [*item["required"], *(f"[{s}]" for s in item["optional"])]
    return ", ".join(parts) if parts else "none"


def _function_item(spec: Any) -> dict[str, Any]:
    params = list(spec.params)
    if spec.max_args is not None:
        shown = [p if i < spec.min_args else f"{p}?" for i, p in enumerate(params)]
    else:
        shown = [*params, "…"]
    return {"name": spec.name, "signature": f"{spec.name}({', '.join(shown)})", "doc": spec.doc}


def _format_item(fmt: Any) -> dict[str, Any]:
    return {"name": fmt.name, "extension": fmt.extension, "description": fmt.description,
            "needs_history": fmt.needs_history}
