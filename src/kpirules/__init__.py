"""kpirules: rule-based KPI evaluation for marketing and sales teams.

The public API::

    import kpirules
    rs = kpirules.load("rulesets/funnel.kpi")   # raises kpirules.RuleFileError
    result = rs.evaluate("data/funnel.csv", by=["channel"], period="2026-06")

Only the names below are public; everything else may change. Imports are lazy
so that ``kpirules --version`` and ``kpirules check`` never load Polars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kpirules.errors import (
    ConfigError,
    DataError,
    KpirulesError,
    PluginError,
    RuleFileError,
    UsageError,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DataError",
    "KpirulesError",
    "PluginError",
    "RuleFileError",
    "UnknownNameError",
    "UsageError",
    "__version__",
    "hookimpl",
    "load",
    "loads",
]

if TYPE_CHECKING:
    from kpirules.lang.model import Ruleset


def load(path: str | Any, *, functions: Any = None) -> Ruleset:
    """Parse and check the rule file at ``path``; raise RuleFileError on any error."""
    from kpirules.lang.loader import load_file

    return load_file(path, functions=functions)


def loads(text: str, path: str = "<string>", *, functions: Any = None) -> Ruleset:
    """Parse and check rule text; ``path`` names it in diagnostics."""
    from kpirules.lang.loader import load_text

    return load_text(text, path, functions=functions)


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        from kpirules.hookspecs import hookimpl

        return hookimpl
    if name == "UnknownNameError":  # Result.value of a name the ruleset does not define
        from kpirules.engine.result import UnknownNameError

        return UnknownNameError
    raise AttributeError(f"module 'kpirules' has no attribute {name!r}")
