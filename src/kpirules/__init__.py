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
    "UsageError",
    "__version__",
    "evaluate",
    "hookimpl",
    "load",
    "loads",
    "plugin_api",
]

if TYPE_CHECKING:
    from kpirules.engine.result import Result
    from kpirules.lang.model import Ruleset


def load(path: str | Any, *, functions: Any = None) -> Ruleset:
    """Parse and check the rule file at ``path``; raise RuleFileError on any error."""
    from kpirules.lang.loader import load_file

    return load_file(path, functions=functions)


def loads(text: str, path: str = "<string>", *, functions: Any = None) -> Ruleset:
    """Parse and check rule text; ``path`` names it in diagnostics."""
    from kpirules.lang.loader import load_text

    return load_text(text, path, functions=functions)


def evaluate(ruleset: Ruleset, data: Any, **options: Any) -> Result:
    """Evaluate ``ruleset`` on ``data`` (a path, a table or a list of them).

    The options are those of :func:`kpirules.engine.evaluate.evaluate`
    (``by``, ``period``, ``params``, ``history``…). This is the entry point new
    code uses; ``Ruleset.evaluate`` stays for existing callers.
    """
    from kpirules.engine.evaluate import evaluate as run_evaluation

    return run_evaluation(ruleset, data, **options)


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        from kpirules.hookspecs import hookimpl

        return hookimpl
    if name == "plugin_api":  # everything a plugin author needs (docs/plugins.md)
        import kpirules.plugin_api as plugin_api

        return plugin_api
    raise AttributeError(f"module 'kpirules' has no attribute {name!r}")
