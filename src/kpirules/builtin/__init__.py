"""The built-in connectors, actions and formats, registered as plugins.

Each module listed in :data:`BUILTIN_PLUGINS` implements the hooks of
:mod:`kpirules.hookspecs` exactly as a third-party plugin would, so the core
never special-cases a built-in: replacing the CSV connector, or listing what
is installed, works the same for everyone. (Functions of the core language are
compiled by the engine itself and listed under the ``kpirules`` plugin.)

:data:`BUILTIN_ITEMS` names each built-in item and where it is made, so that
a command can use one (the ``csv`` connector, the ``table`` format) without
loading the plugin registry, nor importing the other built-ins
(:mod:`kpirules.lazy_plugins`); the hooks hand the registry the same items.
"""

from __future__ import annotations

import importlib
from typing import Any

BUILTIN_PLUGINS: tuple[str, ...] = (
    "kpirules.builtin.connectors",
    "kpirules.builtin.actions",
    "kpirules.builtin.formats",
)

#: kind → name → ``module:class`` that makes it (a format: the function that gives it,
#: :func:`kpirules.report.builtin_format`), in the order the hooks return them.
BUILTIN_ITEMS: dict[str, dict[str, str]] = {
    "connectors": {
        "csv": "kpirules.builtin.files:CsvConnector",
        "jsonl": "kpirules.builtin.files:JsonlConnector",
        "json": "kpirules.builtin.files:JsonConnector",
        "parquet": "kpirules.builtin.files:ParquetConnector",
        "sql": "kpirules.builtin.sql:SqlConnector",
    },
    "actions": {
        "log": "kpirules.builtin.log_action:LogAction",
        "file": "kpirules.builtin.file_action:FileAction",
        "webhook": "kpirules.builtin.webhook:WebhookAction",
        "email": "kpirules.builtin.email_action:EmailAction",
    },
    "formats": {name: "kpirules.report:builtin_format"
                for name in ("table", "json", "csv", "csv-fr", "jsonl", "markdown", "html", "pdf")},
}


def builtin_item(kind: str, name: str) -> Any:
    """A new built-in connector or action, or the built-in format, ``name`` of ``kind``."""
    module, _, attribute = BUILTIN_ITEMS[kind][name].partition(":")
    maker = getattr(importlib.import_module(module), attribute)
    return maker(name) if kind == "formats" else maker()


def builtin_items(kind: str) -> list[Any]:
    """Every built-in item of ``kind``, as its hook returns them."""
    return [builtin_item(kind, name) for name in BUILTIN_ITEMS[kind]]
