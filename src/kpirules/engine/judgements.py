"""Statuses, decisions and rules, judged only at the periods someone reads.

The KPIs must be computed at every period (a window reads the history), but
a judgement — a status, a decision, a rule firing, its streak — is read at
the reported periods only: the as-of period (and the one before, where a
streak ends and a status worsens), or every period with ``--history``. So
the evaluation computes the KPIs once for the whole history (the *values*
frame, kept by the :class:`~kpirules.engine.result.Result`) and judges only
those periods, from the values frame, with the rows of the few periods
before them that the judgements read (:func:`judgement_lookback`). Any other
period is judged the same way when a reader asks for it (``status(period=…)``,
``explain``, ``why``, scenarios), with the same expressions: the result is
identical to judging the whole history at once.

Two things reach further back than any fixed number of periods:

* the *age* of a rule's streak (``renotify``, the streak's first period):
  a streak that goes back past the rows judged is judged again over the whole
  history, for those segments only when the judgements read nothing across
  segments (``overall``, ``share``), else for all;
* a recovery threshold, ``ytd``, a rolling window or a plugin function in a
  judgement: then every period is judged, as before.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from kpirules.engine.compile import Compiler, segment_shift
from kpirules.engine.frame_columns import (
    OVERALL,
    SEG,
    YEAR,
    P,
    age_col,
    new_col,
    rule_col,
    status_col,
)
from kpirules.engine.lifecycle import streak_exprs
from kpirules.engine.lookback import judgement_lookback
from kpirules.lang import ast
from kpirules.lang.model import Ruleset
from kpirules.lang.nodes import Node, NodeId, status_node

#: Functions that read other segments' rows of the same period.
_ACROSS_SEGMENTS = {"overall", "share"}


def value_nodes(ruleset: Ruleset) -> set[Node]:
    """The KPIs, and every status or decision some KPI reads (computed at every period)."""
    needed: set[Node] = set(ruleset.kpis)
    stack: list[ast.Expr] = [k.expr for k in ruleset.kpis.values()]
    while stack:
        for node in ast.walk(stack.pop()):
            found: Node | None = None
            if isinstance(node, ast.Name) and node.name in ruleset.decisions:
                found = node.name
                more = [b.condition for b in ruleset.decisions[node.name].branches if b.condition is not None]
            elif isinstance(node, ast.IsStatus) and isinstance(node.operand, ast.Name):
                found = status_node(node.operand.name)
                more = _threshold_exprs(ruleset, node.operand.name)
            if found is not None and found not in needed:
                needed.add(found)
                stack += more
    return needed


def _threshold_exprs(ruleset: Ruleset, target: str) -> list[ast.Expr]:
    out: list[ast.Expr] = [ast.Name(target)]
    for threshold in ruleset.thresholds.get(target, []):
        out += [c.value for c in threshold.clauses]
        out += [c.recover for c in threshold.clauses if c.recover is not None]
        out += [threshold.where] if threshold.where is not None else []
    return out


def _judgement_exprs(ruleset: Ruleset, judged: list[Node]) -> list[ast.Expr]:
    out: list[ast.Expr] = [r.condition for r in ruleset.rules.values()]
    for node in judged:
        if isinstance(node, NodeId):
            out += _threshold_exprs(ruleset, node.name)
        elif node in ruleset.decisions:
            out += [b.condition for b in ruleset.decisions[node].branches if b.condition is not None]
    return out


class Judge:
    """Computes the judgement columns of the periods asked for, from the values frame."""

    def __init__(self, ruleset: Ruleset, compiler: Compiler, first: int,
                 node_expr: Callable[[Ruleset, Compiler, Node], pl.Expr]) -> None:
        computed = value_nodes(ruleset)
        self.ruleset = ruleset
        self.compiler = compiler
        self.first = first
        self.node_expr = node_expr
        self.judged = [n for n in ruleset.order if n not in computed]
        self.margin = judgement_lookback(ruleset, self.judged, dict(compiler.params))
        self.segment_local = not any(
            isinstance(n, ast.Call) and n.func in _ACROSS_SEGMENTS
            for e in _judgement_exprs(ruleset, self.judged) for n in ast.walk(e))

    @property
    def value_nodes(self) -> list[Node]:
        """The nodes the values frame holds, in computation order."""
        judged = set(self.judged)
        return [n for n in self.ruleset.order if n not in judged]

    @property
    def needs_whole_history(self) -> bool:
        """Whether a judgement reads back further than can be told (then every period is judged)."""
        return self.margin is None

    def judge(self, frame: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
        """``frame`` (whole segments, periods in order) with every judgement column added."""
        lazy = frame.lazy()
        for generation in self.ruleset.generations(self.judged):
            lazy = lazy.with_columns([self.node_expr(self.ruleset, self.compiler, n) for n in generation])
        rules = self.ruleset.rules
        if rules:
            lazy = lazy.with_columns(self._rule_exprs())
            lazy = lazy.with_columns([
                (pl.col(rule_col(n)) & ~segment_shift(pl.col(rule_col(n)), 1).fill_null(False)).alias(new_col(n))
                for n in rules])
            lazy = lazy.with_columns(streak_exprs(rules))
        return lazy.collect()

    def _rule_exprs(self) -> list[pl.Expr]:
        out = []
        for name, rule in self.ruleset.rules.items():
            cond = self.compiler.compile(rule.condition).fill_null(False)
            if rule.for_periods > 1:
                n = rule.for_periods
                held = cond.cast(pl.Int32).rolling_sum(window_size=n, min_samples=n)
                cond = (pl.when(pl.col(SEG).shift(n - 1) == pl.col(SEG)).then(held) == n).fill_null(False)
            if rule.scope == "segments":
                cond = cond & ~pl.col(OVERALL)
            elif rule.scope == "overall":
                cond = cond & pl.col(OVERALL)
            out.append(cond.alias(rule_col(name)))
        return out

    def _read_columns(self, values: pl.DataFrame) -> list[str]:
        """The columns of ``values`` the judgements read (the others are only carried to the output)."""
        names = {P, SEG, OVERALL, YEAR}
        for expr in _judgement_exprs(self.ruleset, self.judged):
            for node in ast.walk(expr):
                if isinstance(node, ast.Name):
                    names.add(node.name)
                elif isinstance(node, ast.IsStatus) and isinstance(node.operand, ast.Name):
                    names.add(status_col(node.operand.name))
        return [c for c in values.columns if c in names]

    def between(self, values: pl.DataFrame, low: int, high: int) -> pl.DataFrame:
        """The rows of periods ``low``..``high`` with their judgements, as judging every period gives them.

        Sorted by segment then period, like ``values``. Only the columns the
        judgements read go through the periods before ``low``.
        """
        low = max(low, self.first)
        if self.margin is None or low - self.margin <= self.first:
            return self.judge(values.lazy().filter(pl.col(P) <= high)).filter(pl.col(P) >= low)
        read = values.lazy().select(self._read_columns(values))
        judged = self.judge(read.filter(pl.col(P).is_between(low - self.margin, high))).filter(pl.col(P) >= low)
        exact_from = low - 1  # conditions are exact from here on (the margin covers what they read)
        unsure = [pl.col(rule_col(n)) & (pl.col(age_col(n)) >= pl.col(P) - exact_from) for n in self.ruleset.rules]
        longer = judged.filter(pl.any_horizontal(unsure))[SEG].unique() if unsure else pl.Series([], dtype=pl.Int64)
        if longer.len() and not self.segment_local:
            return self.judge(values.lazy().filter(pl.col(P) <= high)).filter(pl.col(P) >= low)
        if longer.len():  # a streak older than the rows judged: those segments over their whole history
            again = self.judge(read.filter(pl.col(SEG).is_in(longer.implode()) & (pl.col(P) <= high)))
            judged = pl.concat([judged.filter(~pl.col(SEG).is_in(longer.implode())),
                                again.filter(pl.col(P) >= low)]).sort([SEG, P])
        made = [c for c in judged.columns if c not in values.columns]
        # lazily: an eager filter of the many-chunked values frame costs several times more
        reported = values.lazy().filter(pl.col(P).is_between(low, high)).collect()
        return reported.hstack(judged.select(made).get_columns())
