"""Every hook a kpirules plugin may implement, one docstring each.

A plugin is a module (or any object) with functions decorated by
:data:`hookimpl` and named after these specifications. The hooks take no
arguments and are named by what they return, so that a plugin says *what it
adds* and kpirules decides when to ask: each hook is called once, when the
plugin registry is loaded (:func:`kpirules.plugins.load_registry`), and what it
returns is registered under the plugin's name. None of them is
``firstresult``: every plugin's answer counts, and two plugins claiming one
name is an error naming both.

The built-in connectors, actions and formats are registered through these same
hooks (:mod:`kpirules.builtin`). The plugin author guide is ``docs/plugins.md``;
a test keeps it in step with this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from kpirules.lang.functions import FunctionSpec
    from kpirules.plugin_api import ActionType, Connector
    from kpirules.report.base import OutputFormat

PROJECT = "kpirules"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = [
    "hookimpl",
    "hookspec",
    "kpirules_actions",
    "kpirules_connectors",
    "kpirules_formats",
    "kpirules_functions",
]


@hookspec
def kpirules_connectors() -> list[Connector]:  # type: ignore[empty-body]
    """Return the connectors this plugin adds.

    Called once when the registry is loaded. Takes no parameters. Returns a
    list of :class:`kpirules.plugin_api.Connector` instances; each
    ``connector.name`` is what a source's ``connector = "…"`` setting names
    in the job configuration. The job calls ``connector.validate(settings)``
    before reading anything, then ``connector.read(settings, ctx)`` which
    returns a :class:`kpirules.plugin_api.RawTable`.
    """


@hookspec
def kpirules_actions() -> list[ActionType]:  # type: ignore[empty-body]
    """Return the action types this plugin adds.

    Called once when the registry is loaded. Takes no parameters. Returns a
    list of :class:`kpirules.plugin_api.ActionType` instances; each
    ``action.name`` is both the ``type = "…"`` of an ``[actions.NAME]`` table
    and an action name a rule may call directly (``then log()``). ``kpirules
    run`` calls ``action.deliver(firing, settings)`` once per new firing and
    retries a failed delivery at the next run.
    """


@hookspec
def kpirules_functions() -> list[FunctionSpec]:  # type: ignore[empty-body]
    """Return the functions of the rule language this plugin adds.

    Called once when the registry is loaded. Takes no parameters. Returns a
    list of :class:`kpirules.plugin_api.FunctionSpec`, each with a
    ``build`` callable that receives its arguments as Polars expressions and
    returns one Polars expression (functions work on whole columns, never row
    by row). A name already taken, by the core language or another plugin,
    is an error.
    """


@hookspec
def kpirules_formats() -> list[OutputFormat]:  # type: ignore[empty-body]
    """Return the output formats this plugin adds.

    Called once when the registry is loaded. Takes no parameters. Returns a
    list of :class:`kpirules.plugin_api.OutputFormat`; each ``name`` becomes
    a value of ``--format`` for ``eval`` and ``run`` and of ``formats`` in the
    ``[report]`` table of the job configuration. A format renders the JSON
    document of an evaluation, nothing else.
    """
