"""The syntax tree of a rule file: frozen attrs nodes that know where they are.

Every node carries a :class:`Span` so that the checker, the formatter and the
engine's explanations can point at the source. Nodes are plain data: the
meaning lives in :mod:`kpirules.lang.checker` and :mod:`kpirules.engine`.
"""

from __future__ import annotations

from typing import Literal

from attrs import field, frozen


@frozen(order=True)
class Span:
    """A position in a rule file (1-based line and column)."""

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def at(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NOWHERE = Span("<generated>", 0, 0)


def _span() -> Span:
    return field(default=NOWHERE, eq=False, repr=False)


# ───────────────────────── Expressions ─────────────────────────


@frozen
class Number:
    """A number; ``percent`` marks a literal written with ``%`` (already / 100)."""

    value: float
    percent: bool = False
    text: str = ""
    span: Span = _span()


@frozen
class String:
    value: str
    span: Span = _span()


@frozen
class Bool:
    value: bool
    span: Span = _span()


@frozen
class Null:
    span: Span = _span()


@frozen
class Name:
    """A reference to a metric, KPI, parameter, dimension or decision."""

    name: str
    span: Span = _span()


@frozen
class Unary:
    """``-x`` or ``not x``."""

    op: Literal["-", "not"]
    operand: Expr
    span: Span = _span()


@frozen
class Binary:
    """Arithmetic, comparison or logic; ``op`` is the operator as written."""

    op: str
    left: Expr
    right: Expr
    span: Span = _span()


@frozen
class InList:
    """``x in [...]`` / ``x not in [...]``."""

    operand: Expr
    items: tuple[Expr, ...]
    negated: bool = False
    span: Span = _span()


@frozen
class IsStatus:
    """``x is ok`` / ``x is not critical``: the threshold status of ``x``."""

    operand: Expr
    status: str
    negated: bool = False
    span: Span = _span()


@frozen
class Call:
    """A function call; keyword arguments are kept in the order written."""

    func: str
    args: tuple[Expr, ...]
    kwargs: tuple[tuple[str, Expr], ...] = ()
    span: Span = _span()
    func_span: Span = _span()


Expr = Number | String | Bool | Null | Name | Unary | Binary | InList | IsStatus | Call

ARITHMETIC_OPS = frozenset({"+", "-", "*", "/", "^"})
COMPARISON_OPS = frozenset({"<", "<=", ">", ">=", "==", "!="})
LOGIC_OPS = frozenset({"and", "or"})


# ───────────────────────── Statements ─────────────────────────


@frozen
class Ident:
    """A name where it is defined, with its own position."""

    name: str
    span: Span = _span()


@frozen
class RulesetStmt:
    name: Ident
    title: str | None = None
    grain: Ident | None = None
    span: Span = _span()
    #: ``locale en|fr`` (language §2); ``None`` when not written (English).
    locale: Ident | None = None


@frozen
class ParamStmt:
    name: Ident
    value: Number | String
    span: Span = _span()


@frozen
class DimensionStmt:
    name: Ident
    label: str | None = None
    span: Span = _span()


@frozen
class Option:
    """``unit EUR``, ``agg last``, ``missing 0``, ``label "…"``, ``better lower``."""

    key: str
    value: Ident | Number | String
    span: Span = _span()


@frozen
class MetricStmt:
    """``metric NAME [= AGGREGATE [where CONDITION]] OPTIONS``: a column, or an
    aggregate of raw rows (``aggregate`` and its row condition ``where``)."""

    name: Ident
    options: tuple[Option, ...] = ()
    span: Span = _span()
    aggregate: Call | None = None
    where: Expr | None = None


@frozen
class KpiStmt:
    name: Ident
    expr: Expr
    options: tuple[Option, ...] = ()
    span: Span = _span()


@frozen
class ThresholdClause:
    """``LEVEL OP VALUE [recover OP VALUE]`` (language §8: recovery keeps a level in force)."""

    level: Literal["critical", "warning"]
    op: str
    value: Expr
    span: Span = _span()
    recover_op: str | None = None
    recover: Expr | None = None


@frozen
class ThresholdStmt:
    target: Ident
    where: Expr | None = None
    clauses: tuple[ThresholdClause, ...] = ()
    span: Span = _span()


@frozen
class DecisionBranch:
    """``"LABEL" when CONDITION``; ``condition`` is None for ``otherwise``."""

    label: str
    condition: Expr | None
    span: Span = _span()


@frozen
class DecisionStmt:
    name: Ident
    title: str | None = None
    branches: tuple[DecisionBranch, ...] = ()
    span: Span = _span()


@frozen
class PeriodLit:
    """A period literal exactly as written (``2026-03``)."""

    text: str
    span: Span = _span()


@frozen
class ObjectiveStmt:
    """``kind`` is ``increase``, ``decrease`` or ``compare`` (then ``op`` is set)."""

    name: Ident
    title: str | None
    target: Ident
    kind: Literal["increase", "decrease", "compare"]
    amount: Expr
    deadline: PeriodLit
    start: PeriodLit | None = None
    op: str | None = None
    span: Span = _span()


@frozen
class ActionArg:
    name: Ident
    value: Number | String | Bool | Null
    span: Span = _span()


@frozen
class ActionCallStmt:
    name: Ident
    args: tuple[ActionArg, ...] = ()
    span: Span = _span()


@frozen
class RuleOption:
    """``for N periods`` (value: Number), ``scope X`` (Ident), ``severity X`` (Ident)."""

    key: Literal["for", "scope", "severity"]
    value: Number | Ident
    span: Span = _span()


@frozen
class RuleStmt:
    name: Ident
    title: str | None
    condition: Expr
    options: tuple[RuleOption, ...] = ()
    actions: tuple[ActionCallStmt, ...] = ()
    span: Span = _span()
    renotify: Number | None = None  # renotify every N periods
    resolve: tuple[ActionCallStmt, ...] = ()  # resolve ACTION(…) …


Statement = (
    RulesetStmt
    | ParamStmt
    | DimensionStmt
    | MetricStmt
    | KpiStmt
    | ThresholdStmt
    | DecisionStmt
    | ObjectiveStmt
    | RuleStmt
)


@frozen
class RuleFile:
    """A parsed rule file: its statements in file order."""

    path: str
    statements: tuple[Statement, ...]


def children(expr: Expr) -> list[Expr]:
    """The direct sub-expressions of ``expr``, in source order."""
    if isinstance(expr, Unary | IsStatus):
        return [expr.operand]
    if isinstance(expr, Binary):
        return [expr.left, expr.right]
    if isinstance(expr, InList):
        return [expr.operand, *expr.items]
    if isinstance(expr, Call):
        return [*expr.args, *(value for _, value in expr.kwargs)]
    return []


def walk(expr: Expr):  # type: ignore[no-untyped-def]
    """Yield ``expr`` and every sub-expression, parents first."""
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.right, node.left))
        elif isinstance(node, InList):
            stack.extend(reversed(node.items))
            stack.append(node.operand)
        elif isinstance(node, IsStatus):
            stack.append(node.operand)
        elif isinstance(node, Call):
            stack.extend(reversed([v for _, v in node.kwargs]))
            stack.extend(reversed(node.args))
