"""How many periods back a value reads: the window a "why" must rebuild.

To split a KPI's change among its metrics, the KPI is recomputed with some
metrics at their old values and some at their new ones. A KPI that reads
``previous(revenue)`` or ``rolling_avg(visits, 3)`` needs each metric's values
over a few periods before the compared one, not only that period: this module
says how many, from the expressions (``None``: the whole history, for
``ytd``, status recovery or a plugin function, whose window cannot be known).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from kpirules.lang import ast
from kpirules.lang.functions import FunctionRegistry
from kpirules.lang.model import Ruleset
from kpirules.lang.nodes import Node, NodeId, status_node

_SHIFTS = {"previous", "change", "growth"}
_WINDOWS = {"rolling_sum", "rolling_avg", "rolling_min", "rolling_max"}


class _Unbounded(Exception):
    """The value reads the whole history."""


def lookback(ruleset: Ruleset, name: str, params: dict[str, float | str] | None = None) -> int | None:
    """Periods before the evaluated one that the value of ``name`` reads (``None``: all)."""
    try:
        return _Reader(ruleset, params or {}).name(name)
    except _Unbounded:
        return None


def judgement_lookback(ruleset: Ruleset, judged: Collection[Node], params: dict[str, float | str]) -> int | None:
    """Periods before a judged one that the ``judged`` statuses and decisions and every rule read.

    Every other node (the KPIs, and what they read) is known at every period
    already, so it reads only its own period here. ``None``: the whole
    history — a recovery, ``ytd``, a plugin function, or a rolling window,
    whose floating-point sums depend on where the window started and so could
    differ in their last digits from those of the whole history. A rule firing
    ``for N periods`` reads N - 1 periods more, and one more tells whether it
    starts or stops firing.
    """
    chosen = set(judged)
    reader = _Reader(ruleset, params, known=lambda node: node not in chosen, exact=True)
    try:
        found = max((reader.name(node) for node in chosen), default=0)
        for rule in ruleset.rules.values():
            found = max(found, reader.expr(rule.condition) + rule.for_periods - 1)
        return found + 1
    except _Unbounded:
        return None


class _Reader:
    def __init__(self, ruleset: Ruleset, params: dict[str, float | str],
                 known: Callable[[Node], bool] | None = None, exact: bool = False) -> None:
        self.ruleset = ruleset
        self.params = params
        self.functions = ruleset.functions or FunctionRegistry()
        self.seen: dict[Node, int] = {}
        self.known = known  # nodes whose values are at hand at every period: they read nothing more
        self.exact = exact  # a rolling window reads the whole history (see judgement_lookback)

    def name(self, name: Node) -> int:
        if name in self.seen:
            return self.seen[name]
        if self.known is not None and (name in self.ruleset.kpis or name in self.ruleset.decisions
                                       or isinstance(name, NodeId)) and self.known(name):
            return 0
        rs = self.ruleset
        exprs: list[ast.Expr] = []
        if isinstance(name, NodeId):  # a status: what its thresholds read
            target = name.name
            for threshold in rs.thresholds.get(target, []):
                if any(getattr(c, "recover", None) is not None for c in threshold.clauses):
                    raise _Unbounded  # a level in force depends on every earlier period
                exprs += [c.value for c in threshold.clauses]
                exprs += [threshold.where] if threshold.where is not None else []
            exprs.append(ast.Name(target))
        elif name in rs.kpis:
            exprs = [rs.kpis[name].expr]
        elif name in rs.decisions:
            exprs = [b.condition for b in rs.decisions[name].branches if b.condition is not None]
        found = max((self.expr(e) for e in exprs), default=0)
        self.seen[name] = found
        return found + 1

    def expr(self, node: ast.Expr) -> int:
        if isinstance(node, ast.Name):
            return self.name(node.name)
        if isinstance(node, ast.IsStatus):
            assert isinstance(node.operand, ast.Name)
            return self.name(status_node(node.operand.name))
        if isinstance(node, ast.Call):
            return self.call(node)
        return max((self.expr(c) for c in ast.children(node)), default=0)

    def call(self, node: ast.Call) -> int:
        spec = self.functions.get(node.func)
        if node.func == "ytd" or (spec is not None and spec.build is not None) \
                or (self.exact and node.func in _WINDOWS):
            raise _Unbounded
        args = list(node.args) + [v for _, v in node.kwargs]
        inner = max((self.expr(a) for a in args[:1]), default=0)
        others = max((self.expr(a) for a in args[1:]), default=0)
        if node.func in _SHIFTS or node.func in _WINDOWS:
            periods = self._count(node)
            extra = periods if node.func in _SHIFTS else periods - 1
            return max(inner + extra, others)
        return max(inner, others)

    def _count(self, node: ast.Call) -> int:
        argument: ast.Expr | None = node.args[1] if len(node.args) > 1 else None
        for key, value in node.kwargs:
            if key == "n":
                argument = value
        if argument is None:
            return 1
        if isinstance(argument, ast.Number):
            return int(argument.value)
        if isinstance(argument, ast.Name) and argument.name in self.params:
            return int(float(self.params[argument.name]))
        if isinstance(argument, ast.Name) and argument.name in self.ruleset.params:
            return int(float(self.ruleset.params[argument.name].value))
        raise _Unbounded
