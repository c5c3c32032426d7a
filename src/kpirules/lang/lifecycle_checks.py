"""Checks of the alert lifecycle clauses: ``recover``, ``renotify every``, ``resolve``.

Kept apart from :mod:`kpirules.lang.checker` (which calls these functions) so
that the lifecycle of an alert (language §8 and §10) reads in one place. The
checker passes itself; these functions only report through it and resolve
names through it, as its own methods do.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from attrs import evolve

from kpirules.lang import ast
from kpirules.lang.units import lint_compare, unit_of, unit_of_name

if TYPE_CHECKING:
    from kpirules.lang.checker import Checker
    from kpirules.lang.nodes import Node

UPWARD = frozenset({">", ">="})
DOWNWARD = frozenset({"<", "<="})


def check_recover(checker: Checker, target: str, clause: ast.ThresholdClause, node: Node) -> None:
    """The ``recover`` comparison of ``clause``: names, kinds, and a direction that can end it.

    A level triggered by ``> 150`` ends when its recovery comparison holds; a
    recovery comparison in the same direction (``recover > 120``) holds
    whenever the KPI is still high, so the level ends at once instead of being
    held: almost certainly an inverted comparison, hence a warning.
    """
    if clause.recover is None or clause.recover_op is None:
        return
    checker._expr(clause.recover, node)
    recovery = evolve(clause, op=clause.recover_op, value=clause.recover)
    checker.types.at(clause.span).threshold_clause(target, recovery)
    lint_compare(checker, clause.span, unit_of_name(checker, target), unit_of(checker, clause.recover))
    same = ({clause.op, clause.recover_op} <= UPWARD) or ({clause.op, clause.recover_op} <= DOWNWARD)
    if same:
        opposite = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}[clause.op]
        checker.warning(
            _span(clause.recover, clause.span), "recover-direction",
            f'"recover {clause.recover_op}" goes the same way as "{clause.level} {clause.op}": '
            f"it holds while the {clause.level} level does, so it never holds the level in force",
            f"a recovery goes the other way, such as: recover {opposite} …")


def check_lifecycle(checker: Checker, stmt: ast.RuleStmt, max_periods: int) -> int | None:
    """Check ``renotify every N periods`` and ``resolve``; return N (None without renotify).

    Both need ``then`` actions to mean something to a reader (a reminder of
    what? a resolution of which alert?), so their absence is a warning.
    """
    every: int | None = None
    if stmt.renotify is not None:
        count = stmt.renotify.value
        if not math.isfinite(count) or count != int(count) or not 1 <= count <= max_periods:
            checker.error(stmt.renotify.span, "bad-renotify",
                          f"a rule renotifies every 1 to {max_periods:,} periods, "
                          f"not {stmt.renotify.text}", "write: renotify every 3 periods")
        else:
            every = int(count)
        if not stmt.actions:
            checker.warning(stmt.renotify.span, "renotify-without-then",
                            f'rule "{stmt.name.name}" renotifies but has no "then" action to run again',
                            'add: then notify(text="…")')
    if stmt.resolve and not stmt.actions:
        checker.warning(stmt.resolve[0].span, "resolve-without-then",
                        f'rule "{stmt.name.name}" has "resolve" actions but no "then" action: '
                        "nobody was told the alert started",
                        'add: then notify(text="…")')
    return every


def _span(expr: ast.Expr, default: ast.Span) -> ast.Span:
    span = getattr(expr, "span", None)
    return span if isinstance(span, ast.Span) and span.line else default
