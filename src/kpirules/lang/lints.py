"""Warnings about values that are valid but most likely not what was meant (language §12)."""

from __future__ import annotations

from kpirules.lang import ast


def plain_percent(unit: str | None, target: str, value: ast.Expr, where: str) -> tuple[str, str] | None:
    """(message, hint) when a threshold or objective value on a percent is a plain number above 1.

    ``critical < 1.5`` on a percent KPI means 150%, so every row would be
    critical: most likely ``1.5%`` was meant.
    """
    if unit != "percent":
        return None
    number, sign = value, ""
    if isinstance(value, ast.Unary) and value.op == "-":
        number, sign = value.operand, "-"
    if not isinstance(number, ast.Number) or number.percent or abs(number.value) <= 1:
        return None
    written = f"{sign}{number.text or number.value}"
    return (f'{where} {written} on "{target}", a percent: {written} is {float(written) * 100:g}% '
            "(a percent is a fraction: 30% is 0.3)", f"did you mean {written}%?")
