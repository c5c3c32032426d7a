"""The built-in connectors, handed to the registry through the connectors hook."""

from __future__ import annotations

from kpirules.builtin import builtin_items
from kpirules.hookspecs import hookimpl
from kpirules.plugin_api import Connector


@hookimpl
def kpirules_connectors() -> list[Connector]:
    """``csv``, ``jsonl``, ``json``, ``parquet`` and ``sql``."""
    return builtin_items("connectors")
