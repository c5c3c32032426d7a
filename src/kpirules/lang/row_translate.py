"""Row expressions (language §4.1) translated into another engine's language.

A connector that pushes aggregate metrics down (the ``sql`` connector to a
database, the ``kpirules-spark`` plugin to Spark) has to write each
aggregate's argument and ``where`` condition in the language of the engine
that holds the rows. :class:`RowTranslator` walks the row expression once and
calls one method per kind of node, so a connector only says how a column, a
literal, an operator or a function is written there; the walk, the
parameters (a declared parameter keeps its value inside a row expression),
and what is not translatable are the same for every connector.

The class is offered to plugins as ``kpirules.plugin_api.RowTranslator``, so
that a plugin never reads the syntax tree's classes itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from kpirules.lang import ast

T = TypeVar("T")


class NotTranslatable(Exception):
    """A row expression the target engine cannot compute as kpirules does (the raw rows are read instead)."""


class RowTranslator(Generic[T]):
    """Translates row expressions into ``T`` (a SQLAlchemy expression, a Spark column…).

    Subclasses implement the abstract methods; :meth:`call` raises
    :class:`NotTranslatable` unless overridden, and :attr:`functions` lists
    the row functions a subclass translates, so that :meth:`translatable`
    can answer before anything is built.
    """

    #: the row functions (``abs``, ``coalesce``…) that :meth:`call` translates
    functions: frozenset[str] = frozenset()

    def __init__(self, params: Mapping[str, float | str]) -> None:
        self.params = params

    def translate(self, expr: Any) -> T:
        """``expr`` (a row expression of a metric definition) in the target language."""
        if isinstance(expr, ast.Number):
            return self.number(expr.value)
        if isinstance(expr, ast.String):
            return self.string(expr.value)
        if isinstance(expr, ast.Bool):
            return self.boolean(expr.value)
        if isinstance(expr, ast.Null):
            return self.null()
        if isinstance(expr, ast.Name):
            if expr.name in self.params:
                value = self.params[expr.name]
                return self.string(value) if isinstance(value, str) else self.number(float(value))
            return self.column(expr.name)
        if isinstance(expr, ast.Unary):
            operand = self.translate(expr.operand)
            return self.logical_not(operand) if expr.op == "not" else self.negate(operand)
        if isinstance(expr, ast.InList):
            return self.in_list(self.translate(expr.operand), [self.translate(i) for i in expr.items],
                                expr.negated)
        if isinstance(expr, ast.Binary):
            return self.binary(expr.op, self.translate(expr.left), self.translate(expr.right))
        if isinstance(expr, ast.Call) and not expr.kwargs:
            return self.call(expr.func, [self.translate(a) for a in expr.args])
        raise NotTranslatable(type(expr).__name__)

    def translatable(self, *exprs: Any) -> bool:
        """Whether every function the expressions call is one of :attr:`functions`."""
        return all(not isinstance(node, ast.Call) or (node.func in self.functions and not node.kwargs)
                   for expr in exprs if expr is not None for node in ast.walk(expr))

    def number(self, value: float) -> T:
        raise NotImplementedError

    def string(self, value: str) -> T:
        raise NotImplementedError

    def boolean(self, value: bool) -> T:
        raise NotImplementedError

    def null(self) -> T:
        raise NotImplementedError

    def column(self, name: str) -> T:
        raise NotImplementedError

    def negate(self, operand: T) -> T:
        raise NotImplementedError

    def logical_not(self, operand: T) -> T:
        raise NotImplementedError

    def in_list(self, operand: T, items: Sequence[T], negated: bool) -> T:
        raise NotImplementedError

    def binary(self, op: str, left: T, right: T) -> T:
        """``op`` is one of ``+ - * / ^ < <= > >= == != and or``; a division by zero is null."""
        raise NotImplementedError

    def call(self, func: str, args: Sequence[T]) -> T:
        raise NotTranslatable(func)


def aggregate_parts(metric: Any) -> tuple[str, Any | None, Any | None]:
    """``(aggregate, argument or None, where or None)`` of an aggregate metric's definition."""
    call = metric.aggregate
    if call is None:
        raise ValueError(f"metric {metric.name!r} is not an aggregate of raw rows")
    return call.func, (call.args[0] if call.args else None), metric.where

