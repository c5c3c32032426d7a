"""Units: the currency pattern, and the checker's lints of units in formulas.

A currency unit is a three-capital-letter code (language §10); every layer
that formats or compares units asks :func:`is_currency`, so the pattern is
written once. The lints are kept apart from :mod:`kpirules.lang.checker`
(which calls them, passing itself, as :mod:`kpirules.lang.lifecycle_checks`
does) so that what the language knows of units reads in one place.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeGuard

from kpirules.lang import ast
from kpirules.lang.lints import plain_percent

if TYPE_CHECKING:
    from kpirules.lang.checker import Checker

CURRENCY = re.compile(r"^[A-Z]{3}$")


def is_currency(unit: str | None) -> TypeGuard[str]:
    """A currency unit is a three-capital-letter code, as in the language (§10)."""
    return unit is not None and bool(CURRENCY.match(unit))


def unit_of_name(checker: Checker, name: str) -> str | None:
    """The declared unit of a metric or KPI (None for anything else)."""
    if name in checker.metrics:
        return checker.metrics[name].unit
    if name in checker.kpis:
        return checker.kpis[name].unit
    return None


def unit_of(checker: Checker, expr: ast.Expr) -> str | None:
    """The unit of ``expr`` where it is clear; warns about suspicious mixes."""
    if isinstance(expr, ast.Number):
        return "percent" if expr.percent else None
    if isinstance(expr, ast.Name):
        return unit_of_name(checker, expr.name)
    if isinstance(expr, ast.Unary):
        return unit_of(checker, expr.operand) if expr.op == "-" else None
    if isinstance(expr, ast.Binary):
        left, right = unit_of(checker, expr.left), unit_of(checker, expr.right)
        if expr.op in ("+", "-"):
            if left and right and left != right and (is_currency(left) or is_currency(right)
                                                     or {left, right} <= {"count", "percent", "seconds", "days"}):
                verb = "adding" if expr.op == "+" else "subtracting"
                checker.warning(expr.span, "unit-mix",
                                f"{verb} {right} {'to' if expr.op == '+' else 'from'} {left}",
                                "check the formula: the units differ")
            return left or right
        if expr.op in ("<", "<=", ">", ">=", "==", "!="):
            lint_compare(checker, expr.span, left, right)
        return None
    if isinstance(expr, ast.Call):
        if expr.func in ("growth", "share"):
            return "percent"
        if expr.args and expr.func not in ("if", "sqrt", "ln", "exp"):
            return unit_of(checker, expr.args[0])
        if expr.func == "if" and len(expr.args) == 3:
            return unit_of(checker, expr.args[1])
    return None


def lint_plain_percent(checker: Checker, target: str, value: ast.Expr, span: ast.Span, where: str) -> None:
    """A threshold or objective of a percent KPI written as a plain number (``> 30``)."""
    found = plain_percent(unit_of_name(checker, target), target, value, where)
    if found:
        checker.warning(span, "percent-as-number", *found)


def lint_compare(checker: Checker, span: ast.Span, left: str | None, right: str | None) -> None:
    """A percent compared with a currency amount."""
    if left and right and left != right and "percent" in (left, right) and (
            is_currency(left) or is_currency(right)):
        checker.warning(span, "unit-mix", f"comparing {left} with {right}",
                        "a percent is a fraction (30% is 0.3); check the value")
