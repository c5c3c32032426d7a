"""kpirules-xlsx: the ``xlsx`` connector, reading Excel workbooks.

The module kpirules loads through the entry point ``xlsx`` of the group
``kpirules`` (see ``pyproject.toml``). It only implements hooks; the work is
in :mod:`kpirules_xlsx.connector`.
"""

from __future__ import annotations

import kpirules
from kpirules.plugin_api import Connector

from kpirules_xlsx.connector import XlsxConnector

__version__ = "0.1.0"
__all__ = ["XlsxConnector", "kpirules_connectors"]


@kpirules.hookimpl
def kpirules_connectors() -> list[Connector]:
    """The ``xlsx`` connector."""
    return [XlsxConnector()]
