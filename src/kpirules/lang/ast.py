"""The syntax tree of a rule file: frozen attrs nodes that know where they are.

Every node carries a :class:`Span` so that the checker, the formatter and the
engine's explanations can point at the source. Nodes are plain data: the
meaning lives in :mod:`kpirules.lang.checker` and :mod:`kpirules.engine`.

The classes share one ``__repr__`` (:class:`SharedRepr`) instead of one that attrs
writes and compiles for each: making the 29 classes is a fixed cost of every
command that reads a rule file, and the generated reprs were a fifth of it.
"""

from __future__ import annotations

from typing import Any, Literal

from attrs import field, frozen


class SharedRepr:
    """What every node shares: the repr attrs would write, ``Name(field=value, …)``.

    Fields declared with ``repr=False`` (spans) are left out, as attrs leaves
    them out. No guard against cycles: nodes are frozen and built children
    first, so a node never contains itself.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        fields: Any = self.__attrs_attrs__  # type: ignore[attr-defined]
        shown = ", ".join(f"{f.name}={(f.repr if callable(f.repr) else repr)(getattr(self, f.name))}"
                          for f in fields if f.repr)
        return f"{self.__class__.__qualname__.rsplit('>.', 1)[-1]}({shown})"


@frozen(order=True, repr=False)
class Span(SharedRepr):
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


@frozen(repr=False)
class Number(SharedRepr):
    """A number; ``percent`` marks a literal written with ``%`` (already / 100)."""

    value: float
    percent: bool = False
    text: str = ""
    span: Span = _span()


@frozen(repr=False)
class String(SharedRepr):
    value: str
    span: Span = _span()


@frozen(repr=False)
class Bool(SharedRepr):
    value: bool
    span: Span = _span()


@frozen(repr=False)
class Null(SharedRepr):
    span: Span = _span()


@frozen(repr=False)
class Name(SharedRepr):
    """A reference to a metric, KPI, parameter, dimension or decision."""

    name: str
    span: Span = _span()


@frozen(repr=False)
class Unary(SharedRepr):
    """``-x`` or ``not x``."""

    op: Literal["-", "not"]
    operand: Expr
    span: Span = _span()


@frozen(repr=False)
class Binary(SharedRepr):
    """Arithmetic, comparison or logic; ``op`` is the operator as written."""

    op: str
    left: Expr
    right: Expr
    span: Span = _span()


@frozen(repr=False)
class InList(SharedRepr):
    """``x in [...]`` / ``x not in [...]``."""

    operand: Expr
    items: tuple[Expr, ...]
    negated: bool = False
    span: Span = _span()


@frozen(repr=False)
class IsStatus(SharedRepr):
    """``x is ok`` / ``x is not critical``: the threshold status of ``x``."""

    operand: Expr
    status: str
    negated: bool = False
    span: Span = _span()


@frozen(repr=False)
class Call(SharedRepr):
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


@frozen(repr=False)
class Ident(SharedRepr):
    """A name where it is defined, with its own position."""

    name: str
    span: Span = _span()


@frozen(repr=False)
class RulesetStmt(SharedRepr):
    name: Ident
    title: str | None = None
    grain: Ident | None = None
    span: Span = _span()
    #: ``locale en|fr`` (language §2); ``None`` when not written (English).
    locale: Ident | None = None


@frozen(repr=False)
class ParamStmt(SharedRepr):
    name: Ident
    value: Number | String
    span: Span = _span()


@frozen(repr=False)
class DimensionStmt(SharedRepr):
    name: Ident
    label: str | None = None
    span: Span = _span()


@frozen(repr=False)
class Option(SharedRepr):
    """``unit EUR``, ``agg last``, ``missing 0``, ``label "…"``, ``better lower``."""

    key: str
    value: Ident | Number | String
    span: Span = _span()


@frozen(repr=False)
class MetricStmt(SharedRepr):
    """``metric NAME [= AGGREGATE [where CONDITION]] OPTIONS``: a column, or an
    aggregate of raw rows (``aggregate`` and its row condition ``where``)."""

    name: Ident
    options: tuple[Option, ...] = ()
    span: Span = _span()
    aggregate: Call | None = None
    where: Expr | None = None


@frozen(repr=False)
class KpiStmt(SharedRepr):
    name: Ident
    expr: Expr
    options: tuple[Option, ...] = ()
    span: Span = _span()


@frozen(repr=False)
class ThresholdClause(SharedRepr):
    """``LEVEL OP VALUE [recover OP VALUE]`` (language §8: recovery keeps a level in force)."""

    level: Literal["critical", "warning"]
    op: str
    value: Expr
    span: Span = _span()
    recover_op: str | None = None
    recover: Expr | None = None


@frozen(repr=False)
class ThresholdStmt(SharedRepr):
    target: Ident
    where: Expr | None = None
    clauses: tuple[ThresholdClause, ...] = ()
    span: Span = _span()


@frozen(repr=False)
class DecisionBranch(SharedRepr):
    """``"LABEL" when CONDITION``; ``condition`` is None for ``otherwise``."""

    label: str
    condition: Expr | None
    span: Span = _span()


@frozen(repr=False)
class DecisionStmt(SharedRepr):
    name: Ident
    title: str | None = None
    branches: tuple[DecisionBranch, ...] = ()
    span: Span = _span()


@frozen(repr=False)
class PeriodLit(SharedRepr):
    """A period literal exactly as written (``2026-03``)."""

    text: str
    span: Span = _span()


@frozen(repr=False)
class ObjectiveStmt(SharedRepr):
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


@frozen(repr=False)
class ActionArg(SharedRepr):
    name: Ident
    value: Number | String | Bool | Null
    span: Span = _span()


@frozen(repr=False)
class ActionCallStmt(SharedRepr):
    name: Ident
    args: tuple[ActionArg, ...] = ()
    span: Span = _span()


@frozen(repr=False)
class RuleOption(SharedRepr):
    """``for N periods`` (value: Number), ``scope X`` (Ident), ``severity X`` (Ident)."""

    key: Literal["for", "scope", "severity"]
    value: Number | Ident
    span: Span = _span()


@frozen(repr=False)
class RuleStmt(SharedRepr):
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


@frozen(repr=False)
class RuleFile(SharedRepr):
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
