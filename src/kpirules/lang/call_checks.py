"""Checks of function calls: the function, its arguments, and its numbers of periods.

Kept apart from :mod:`kpirules.lang.checker` (which calls :func:`check_call`
for every call of a formula, passing itself, as
:mod:`kpirules.lang.lifecycle_checks` does).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from kpirules.errors import OptionHint, phrase
from kpirules.lang import ast
from kpirules.lang.diagnostics import did_you_mean
from kpirules.lang.model import MAX_PERIODS

if TYPE_CHECKING:
    from kpirules.lang.checker import Checker


def check_call(checker: Checker, node: ast.Call) -> None:
    """A function call: the function exists, its arguments are known, counted, and periods whole."""
    spec = checker.functions.get(node.func)
    if spec is None:
        if node.func in checker.defined_at:
            checker.error(node.func_span, "not-a-function",
                       f'"{node.func}" is a {checker.graph.nodes[node.func].get("kind", "name")}, not a function')
        else:
            checker.error(node.func_span, "unknown-function", f'unknown function "{node.func}"',
                       did_you_mean(node.func, checker.functions)
                       or _unavailable_hint(checker.functions)
                       or phrase("if a plugin provides it: install the plugin, or give the job "
                                 "configuration that lists it",
                                 OptionHint("config", placeholder="kpirules.toml", lead=" with ")))
        return
    args: list[ast.Expr | None] = list(node.args)
    for key, value in node.kwargs:
        if spec.max_args is not None and key in spec.params:
            index = spec.params.index(key)
            while len(args) <= index:
                args.append(None)
            if args[index] is not None:
                checker.error(span_of(value, node.span), "bad-argument",
                           f'{node.func}(): "{key}" is given twice')
            args[index] = value
        else:
            checker.error(span_of(value, node.span), "bad-argument",
                       f'{node.func}() has no parameter "{key}"',
                       f"its parameters: {', '.join(spec.params)}")
    count = len(args)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        if spec.max_args is None:
            expected = f"at least {spec.min_args}"
        elif spec.min_args == spec.max_args:
            expected = str(spec.min_args)
        else:
            expected = f"{spec.min_args} to {spec.max_args}"
        plural = "" if expected in ("1", "at least 1") else "s"
        checker.error(node.func_span, "bad-argument-count",
                   f"{node.func}() takes {expected} argument{plural}, not {count}",
                   f"{node.func}({', '.join(spec.params)}): {spec.doc}" if spec.doc else None)
        return
    if any(a is None for a in args[: spec.min_args]):
        checker.error(node.func_span, "bad-argument", f"{node.func}(): a required argument is missing")
        return
    for index in spec.period_args:
        if index < len(args) and args[index] is not None:
            _period_count(checker, node.func, args[index])  # type: ignore[arg-type]


def _period_count(checker: Checker, func: str, arg: ast.Expr) -> None:
    """A number of periods (a window, a lag) is a whole number from 1 to MAX_PERIODS."""
    value: object = None
    if isinstance(arg, ast.Number) and not arg.percent:
        value = arg.value
    elif isinstance(arg, ast.Name) and arg.name in checker.params:
        value = checker.params[arg.name].value
    if (not isinstance(value, int | float) or not math.isfinite(value)
            or value != int(value) or not 1 <= value <= MAX_PERIODS):
        checker.error(span_of(arg, ast.NOWHERE), "bad-argument",
                   f"{func}(): the number of periods must be a whole number from 1 to {MAX_PERIODS:,}")


def span_of(expr: ast.Expr, default: ast.Span) -> ast.Span:
    """Where ``expr`` is, else ``default`` (a node built without a position)."""
    span = getattr(expr, "span", None)
    return span if isinstance(span, ast.Span) and span.line else default


def _unavailable_hint(functions: object) -> str | None:
    """Name the installed plugins that failed to load: the function may be theirs."""
    failed = list(getattr(functions, "unavailable", None) or ())
    if not failed:
        return None
    names = ", ".join(repr(label) for label in failed)
    return (f"the plugin {names} failed to load (see the warning above); "
            "the function may be one of its" if len(failed) == 1 else
            f"the plugins {names} failed to load (see the warnings above); "
            "the function may be one of theirs")
