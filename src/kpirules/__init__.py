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
    "Diagnostic",
    "KpirulesError",
    "PluginError",
    "Result",
    "RuleFileError",
    "Ruleset",
    "UnknownNameError",
    "UsageError",
    "__version__",
    "evaluate",
    "hookimpl",
    "load",
    "loads",
    "plugin_api",
    "whatif",
]

if TYPE_CHECKING:
    from kpirules.engine.result import Result
    from kpirules.engine.scenarios import Scenario
    from kpirules.facade import Ruleset
    from kpirules.lang.model import Ruleset as CheckedRuleset


def load(path: str | Any, *, functions: Any = None) -> Ruleset:
    """Parse and check the rule file at ``path``; raise RuleFileError on any error."""
    from kpirules.facade import Ruleset
    from kpirules.lang.loader import load_file

    return Ruleset.of(load_file(path, functions=functions))


def loads(text: str, path: str = "<string>", *, functions: Any = None) -> Ruleset:
    """Parse and check rule text; ``path`` names it in diagnostics."""
    from kpirules.facade import Ruleset
    from kpirules.lang.loader import load_text

    return Ruleset.of(load_text(text, path, functions=functions))


def evaluate(ruleset: CheckedRuleset, data: Any, **options: Any) -> Result:
    """Evaluate ``ruleset`` on ``data`` (a path, a table or a list of them).

    The options are those of :func:`kpirules.engine.evaluate.evaluate`
    (``by``, ``period``, ``params``, ``history``…). ``ruleset.evaluate(data,
    …)`` on what :func:`load` returns is the same call (interfaces §5).
    """
    from kpirules.engine.evaluate import evaluate as run_evaluation

    return run_evaluation(ruleset, data, **options)


def whatif(ruleset: CheckedRuleset, data: Any, edits: Any, **options: Any) -> Scenario:
    """Evaluate ``data``, apply ``edits`` (``["spend*=1.2"]``) and compare the two results.

    The options are those of :func:`kpirules.engine.scenarios.whatif`
    (``where``, ``all_periods``) and of :func:`evaluate`.
    """
    from kpirules.engine.scenarios import whatif as run_scenario

    return run_scenario(ruleset, data, edits, **options)


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        from kpirules.hookspecs import hookimpl

        return hookimpl
    if name == "UnknownNameError":  # Result.value of a name the ruleset does not define
        from kpirules.engine.result import UnknownNameError

        return UnknownNameError
    if name == "Result":
        from kpirules.engine.result import Result

        return Result
    if name == "Ruleset":
        from kpirules.facade import Ruleset

        return Ruleset
    if name == "Diagnostic":
        from kpirules.lang.diagnostics import Diagnostic

        return Diagnostic
    if name == "plugin_api":  # everything a plugin author needs (docs/plugins.md)
        import kpirules.plugin_api as plugin_api

        return plugin_api
    raise AttributeError(f"module 'kpirules' has no attribute {name!r}")
