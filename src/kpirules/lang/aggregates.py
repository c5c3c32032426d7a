"""Aggregate metrics (language §4.1): the aggregates, and the checks of row expressions.

``metric orders = count_distinct(order_id) where status != "test"`` reads raw
rows. Inside the aggregate's argument and its ``where`` condition every name
is a column of the data, except a declared parameter; metrics, KPIs and
decisions computed by the ruleset, time functions and status tests have no
meaning on one row, so they are errors here. The engine
(:mod:`kpirules.engine.aggregates`) and the SQL push-down read the same
tables below, so that what the checker accepts, both compute.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from attrs import frozen

from kpirules.lang import ast
from kpirules.lang.functions import FunctionRegistry
from kpirules.lang.model import DimensionDef, MetricDef, ParamDef
from kpirules.lang.types import TypeChecker

if TYPE_CHECKING:
    from kpirules.lang.checker import Checker


@frozen
class AggregateSpec:
    """One aggregate: how many arguments, whether the argument must be a number,
    and whether an empty cell gives 0 (counts) or null (the others)."""

    name: str
    min_args: int
    max_args: int
    numeric: bool
    counts: bool
    doc: str


AGGREGATES: dict[str, AggregateSpec] = {
    a.name: a for a in [
        AggregateSpec("count", 0, 1, False, True, "the number of rows (where e is not null)"),
        AggregateSpec("count_distinct", 1, 1, False, True, "the number of distinct non-null values"),
        AggregateSpec("sum", 1, 1, True, False, "the sum of the non-null values"),
        AggregateSpec("avg", 1, 1, True, False, "the mean of the non-null values"),
        AggregateSpec("min", 1, 1, True, False, "the smallest non-null value"),
        AggregateSpec("max", 1, 1, True, False, "the largest non-null value"),
        AggregateSpec("median", 1, 1, True, False, "the median of the non-null values"),
        AggregateSpec("first", 1, 1, True, False, "the value at the earliest row (by date)"),
        AggregateSpec("last", 1, 1, True, False, "the value at the latest row (by date)"),
        AggregateSpec("count_new", 1, 1, False, True,
                      "distinct values whose first period in the data is this one"),
        AggregateSpec("count_returning", 1, 1, False, True,
                      "distinct values also seen in an earlier period of the data"),
    ]
}

ROW_FUNCTIONS = frozenset({"abs", "round", "min", "max", "clamp", "coalesce", "if", "sqrt", "ln", "exp"})
"""The functions a row expression may call (language §4.1)."""

# (span, code, message, hint)
Report = Callable[[ast.Span, str, str, str | None], None]


def row_columns(*exprs: ast.Expr | None, params: Mapping[str, object]) -> tuple[str, ...]:
    """The data columns that row expressions read, in order of appearance (parameters aside)."""
    seen: dict[str, None] = {}
    for expr in exprs:
        if expr is None:
            continue
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and node.name not in params:
                seen.setdefault(node.name, None)
    return tuple(seen)


def row_params(*exprs: ast.Expr | None, params: Mapping[str, object]) -> tuple[str, ...]:
    """The parameters that row expressions read (edges of the dependency graph)."""
    return tuple(dict.fromkeys(node.name for expr in exprs if expr is not None for node in ast.walk(expr)
                               if isinstance(node, ast.Name) and node.name in params))


def value_key(metric: MetricDef) -> str:
    """An aggregate's argument and condition as text: equal keys, equal values on every row
    (count_new and count_returning of the same customers share one first-period computation)."""
    from kpirules.lang.formatter import format_expr

    assert metric.aggregate is not None and metric.aggregate.args
    where = "" if metric.where is None else format_expr(metric.where)
    return f"{format_expr(metric.aggregate.args[0])} where {where}"


def fold(text: str) -> str:
    """A name compared without case or accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


class AggregateChecker:
    """Checks one aggregate metric's call and ``where`` condition.

    ``names`` maps each name the ruleset defines to its kind (``kpi``,
    ``metric``…), so that a KPI or decision inside a row expression is named as
    such; metrics are columns there (a metric may share its column's name).
    """

    def __init__(self, *, params: Mapping[str, ParamDef], dimensions: Mapping[str, DimensionDef],
                 metric_names: Mapping[str, ast.Span], names: Mapping[str, str],
                 functions: FunctionRegistry, report: Report, warn: Report) -> None:
        self.params = params
        self.metric_names = metric_names
        self.names = names
        self.functions = functions
        self.report = report
        self.warn = warn
        # columns are of unknown kind; declared dimensions hold text, parameters their value
        self.types = TypeChecker(params=params, dimensions=dimensions, metrics={}, kpis={},
                                 decisions={}, functions=functions, report=report)

    def check(self, metric: str, call: ast.Call, where: ast.Expr | None) -> None:
        spec = AGGREGATES.get(call.func)
        if spec is None:
            from kpirules.lang.diagnostics import did_you_mean

            self.report(call.func_span, "unknown-aggregate", f'unknown aggregate "{call.func}"',
                        did_you_mean(call.func, AGGREGATES)
                        or "use count, count_distinct, sum, avg, min, max, median, first, last, "
                           "count_new or count_returning")
            return
        if call.kwargs:
            key, value = call.kwargs[0]
            self.report(_span(value, call.span), "bad-argument",
                        f'{call.func}() takes no keyword argument ("{key}")', None)
        count = len(call.args)
        if not spec.min_args <= count <= spec.max_args:
            expected = (f"{spec.min_args} or {spec.max_args}" if spec.min_args != spec.max_args
                        else str(spec.min_args))
            self.report(call.func_span, "bad-argument-count",
                        f"{call.func}() takes {expected} argument{'s' if expected != '1' else ''}, not {count}",
                        f"{call.func}: {spec.doc}")
        for arg in call.args:
            if not self._scope(arg, f"{call.func}()"):
                continue
            if spec.numeric:
                self.types.at(call.span).number(arg, f"the argument of {call.func}()")
            else:  # any kind, but "a" + 1 inside is still wrong
                self.types.at(call.span).kind(arg)
        if where is not None and self._scope(where, f'the "where" condition of metric "{metric}"'):
            self.types.at(where.span).condition(where, f'the "where" condition of metric "{metric}"')
        self._near_metric_names(call, where)

    def _scope(self, expr: ast.Expr, where: str) -> bool:
        """Names are columns or parameters, calls row functions; False when something is out of place."""
        ok = True
        for node in ast.walk(expr):
            if isinstance(node, ast.Name):
                kind = self.names.get(node.name)
                if kind in ("kpi", "decision"):
                    self.report(node.span, "not-a-column",
                                f'{where} reads columns of the data, but "{node.name}" is a {kind.upper() if kind == "kpi" else kind}',
                                "a row expression works on one row; compute ratios in a KPI")
                    ok = False
            elif isinstance(node, ast.IsStatus):
                self.report(node.span, "not-a-column",
                            f"{where}: a status test has no meaning on one row of data", None)
                ok = False
            elif isinstance(node, ast.Call):
                if node.func in AGGREGATES and node.func not in ROW_FUNCTIONS:
                    self.report(node.func_span, "nested-aggregate",
                                f"{where}: an aggregate cannot hold another aggregate ({node.func})",
                                "combine aggregate metrics in a KPI")
                    ok = False
                elif node.func not in ROW_FUNCTIONS:
                    known = node.func in self.functions
                    self.report(node.func_span, "not-a-row-function",
                                f'{where}: {node.func}() ' + ("works on periods and segments, not on one row"
                                                              if known else "is not a function of row expressions"),
                                "row expressions take abs, round, min, max, clamp, coalesce, if, sqrt, ln, exp")
                    ok = False
        return ok

    def _near_metric_names(self, call: ast.Call, where: ast.Expr | None) -> None:
        """A column that differs from a metric's name only by case or accents is probably that metric."""
        folded: dict[str, str] = {fold(m): m for m in self.metric_names}
        for node in [n for e in (call, where) if e is not None for n in ast.walk(e)]:
            if isinstance(node, ast.Name) and node.name not in self.params \
                    and node.name not in self.metric_names:
                twin = folded.get(fold(node.name))
                if twin is not None:
                    self.warn(node.span, "column-like-metric",
                              f'column "{node.name}" differs from metric "{twin}" only by case or accents',
                              f"inside a row expression a name is a column; did you mean `{twin}`?")


def aggregate_metric(checker: Checker, stmt: ast.MetricStmt) -> MetricDef:
    """The definition of ``metric NAME = AGGREGATE …`` (first pass: options and columns)."""
    assert stmt.aggregate is not None
    for option in stmt.options:
        if option.key == "agg":
            checker.error(option.span, "bad-option",
                          f'"agg" is not allowed on metric "{stmt.name.name}": an aggregate is computed '
                          "from the rows of each cell, never combined", "remove the agg option")
    opts = checker._options(tuple(o for o in stmt.options if o.key != "agg"), ("unit", "missing", "label"))
    missing = opts.get("missing")
    return MetricDef(stmt.name.name, None if opts.get("unit") is None else str(opts["unit"]), "sum",
                     float(missing) if isinstance(missing, int | float) else None,
                     None if opts.get("label") is None else str(opts["label"]), stmt.span,
                     stmt.aggregate, stmt.where, row_columns(stmt.aggregate, stmt.where, params=checker.params))


def check_aggregate_metric(checker: Checker, stmt: ast.MetricStmt) -> None:
    """Second pass, once every name is defined: the row expressions, and the parameters they read."""
    metric = checker.metrics.get(stmt.name.name)
    if stmt.aggregate is None or metric is None or metric.span is not stmt.span:
        return  # a metric defined twice is reported once
    kinds = {name: str(data.get("kind")) for name, data in checker.graph.nodes.items() if isinstance(name, str)}
    AggregateChecker(params=checker.params, dimensions=checker.dimensions,
                     metric_names={m: d.span for m, d in checker.metrics.items()}, names=kinds,
                     functions=checker.functions, report=checker.error,
                     warn=checker.warning).check(stmt.name.name, stmt.aggregate, stmt.where)
    for param in row_params(stmt.aggregate, stmt.where, params=checker.params):
        checker.graph.add_edge(param, stmt.name.name)


def _span(expr: ast.Expr, default: ast.Span) -> ast.Span:
    span = getattr(expr, "span", None)
    return span if isinstance(span, ast.Span) and span.line else default
