"""kpirules-spark: the ``spark`` connector, aggregating raw rows where they live.

The module kpirules loads through the entry point ``spark`` of the group
``kpirules`` (see ``pyproject.toml``). It only implements hooks; the work is
in :mod:`kpirules_spark.connector` (the source's settings, the session) and
:mod:`kpirules_spark.pushdown` (what Spark computes). Importing it loads
neither Spark nor Polars: ``kpirules check`` stays fast with it installed.
"""

from __future__ import annotations

from kpirules.plugin_api import Connector, hookimpl

from kpirules_spark.connector import SparkConnector

__version__ = "0.1.0"
#: the plugin API versions this plugin is written for (checked by kpirules at load)
KPIRULES_PLUGIN_API = ">=1.3,<2"
__all__ = ["SparkConnector", "kpirules_connectors"]


@hookimpl
def kpirules_connectors() -> list[Connector]:
    """The ``spark`` connector."""
    return [SparkConnector()]
