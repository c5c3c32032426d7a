"""kpirules-xlsx: the ``xlsx`` connector, reading Excel workbooks.

The module kpirules loads through the entry point ``xlsx`` of the group
``kpirules`` (see ``pyproject.toml``). It only implements hooks; the work is
in :mod:`kpirules_xlsx.connector`.
"""

from __future__ import annotations

from kpirules.plugin_api import Connector, hookimpl

from kpirules_xlsx.connector import XlsxConnector

__version__ = "0.1.0"
#: the plugin API versions this plugin is written for (checked by kpirules at load)
KPIRULES_PLUGIN_API = ">=1.0,<2"
__all__ = ["XlsxConnector", "kpirules_connectors"]


@hookimpl
def kpirules_connectors() -> list[Connector]:
    """The ``xlsx`` connector."""
    return [XlsxConnector()]
