"""AST → :class:`~kpirules.lang.model.Ruleset`, finding every problem at once.

The checker resolves names, validates options, function calls and period
literals, checks the kinds of values (:mod:`kpirules.lang.types`), records the
dependency graph (networkx orders it and names its cycles; see
:mod:`kpirules.lang.depgraph`), and lints units. It never stops at the first
problem: every diagnostic of the file is collected, and a Ruleset is returned
only when none is an error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable
from pathlib import Path

from kpirules.errors import Phrase
from kpirules.lang import ast
from kpirules.lang.aggregates import aggregate_metric, check_aggregate_metric
from kpirules.lang.call_checks import check_call, span_of
from kpirules.lang.depgraph import DependencyGraph
from kpirules.lang.diagnostics import Diagnostic, did_you_mean, has_errors, sort_key
from kpirules.lang.file_names import ruleset_name_warnings
from kpirules.lang.functions import FunctionRegistry
from kpirules.lang.lifecycle_checks import check_lifecycle, check_recover
from kpirules.lang.model import (
    MAX_PERIODS,
    ActionCall,
    ActionValue,
    DecisionDef,
    DimensionDef,
    KpiDef,
    MetricDef,
    ObjectiveDef,
    ParamDef,
    RuleDef,
    Ruleset,
    ThresholdDef,
)
from kpirules.lang.nodes import Node, is_status, name_of, objective_node, rule_node, status_node
from kpirules.lang.periods import GRAINS, PeriodError, first_index, last_index
from kpirules.lang.suggest import DEFAULT_BUDGET, NameIndex
from kpirules.lang.types import TypeChecker
from kpirules.lang.units import lint_compare, lint_plain_percent, unit_of, unit_of_name

AGGS = ("sum", "avg", "min", "max", "first", "last")
#: The languages of reports and action texts (language §2).
LOCALES = ("en", "fr")


class Checker:
    """Collects definitions and diagnostics for one rule file."""

    def __init__(self, rule_file: ast.RuleFile, functions: FunctionRegistry | None = None,
                 known_actions: Iterable[str] | None = None) -> None:
        self.file = rule_file
        self.functions = functions if functions is not None else FunctionRegistry()
        # a Collection is kept as given: a lazy one loads plugins only for a name it does not know
        self.known_actions: Collection[str] | None = (
            None if known_actions is None
            else known_actions if isinstance(known_actions, Collection) else set(known_actions))
        self.diags: list[Diagnostic] = []
        self.params: dict[str, ParamDef] = {}
        self.dimensions: dict[str, DimensionDef] = {}
        self.metrics: dict[str, MetricDef] = {}
        self.kpis: dict[str, KpiDef] = {}
        self.thresholds: dict[str, list[ThresholdDef]] = {}
        self.decisions: dict[str, DecisionDef] = {}
        self.objectives: dict[str, ObjectiveDef] = {}
        self.rules: dict[str, RuleDef] = {}
        self.defined_at: dict[str, ast.Span] = {}
        self.graph = DependencyGraph()
        self.grain = "month"
        self.locale = "en"
        self.header: ast.RulesetStmt | None = None
        self._threshold_targets: set[str] | None = None
        self.types = TypeChecker(params=self.params, dimensions=self.dimensions, metrics=self.metrics,
                                 kpis=self.kpis, decisions=self.decisions, functions=self.functions,
                                 report=self.error)

    # ── reporting ──
    def error(self, span: ast.Span, code: str, message: str, hint: str | Phrase | None = None) -> None:
        self.diags.append(Diagnostic.at(span, "error", code, message, hint))

    def warning(self, span: ast.Span, code: str, message: str, hint: str | Phrase | None = None) -> None:
        self.diags.append(Diagnostic.at(span, "warning", code, message, hint))

    # ── driver ──
    def run(self, suppress_unknown: frozenset[str] = frozenset(),
            syntax_errors: bool = False) -> list[Diagnostic]:
        """Check everything; after syntax errors, stay quiet about what they may explain."""
        self.suppress_unknown = suppress_unknown
        self.syntax_errors = syntax_errors
        self._header()
        for stmt in self.file.statements:
            self._define(stmt)
        self.names = NameIndex(self.defined_at, budget=DEFAULT_BUDGET)
        for stmt in self.file.statements:
            self._check(stmt)
        self._cycles()
        self.diags.sort(key=sort_key)
        return self.diags

    def ruleset(self, source_path: Path | None, source_text: str | None) -> Ruleset:
        assert self.header is not None and not has_errors(self.diags)
        order = tuple(n for n in self.graph.lexicographic_order(self._file_order)
                      if n in self.kpis or n in self.decisions or is_status(n))
        return Ruleset(
            name=self.header.name.name,
            title=self.header.title,
            grain=self.grain,
            locale=self.locale,
            params=self.params,
            dimensions=self.dimensions,
            metrics=self.metrics,
            kpis=self.kpis,
            thresholds=self.thresholds,
            decisions=self.decisions,
            objectives=self.objectives,
            rules=self.rules,
            order=order,
            graph=self.graph,
            source_path=source_path,
            source_text=source_text,
            warnings=tuple(d for d in self.diags if d.severity == "warning"),
            functions=self.functions,
        )

    def _file_order(self, node: Node) -> str:
        span = self.defined_at.get(name_of(node))
        return f"{span.line:09d}:{span.column:05d}:{node}" if span else f"~{node}"

    # ── header ──
    def _header(self) -> None:
        headers = [s for s in self.file.statements if isinstance(s, ast.RulesetStmt)]
        if not headers:
            if self.syntax_errors:
                return  # the ruleset line itself is probably the one that did not parse
            first = self.file.statements[0].span if self.file.statements else ast.Span(self.file.path, 1, 1)
            self.error(first, "no-ruleset", "the file has no ruleset statement",
                       'start the file with: ruleset NAME "Title"')
            return
        self.header = headers[0]
        if self.file.statements[0] is not headers[0]:
            self.error(headers[0].span, "ruleset-not-first", "the ruleset statement must come first")
        for extra in headers[1:]:
            self.error(extra.span, "duplicate-ruleset", "a file holds exactly one ruleset statement",
                       f"the first is at line {headers[0].span.line}")
        self.diags.extend(ruleset_name_warnings(headers[0].name))
        if headers[0].grain is not None:
            grain = headers[0].grain
            if grain.name not in GRAINS:
                self.error(grain.span, "bad-grain", f'unknown grain "{grain.name}"',
                           did_you_mean(grain.name, GRAINS) or "use day, week, month, quarter or year")
            else:
                self.grain = grain.name
        if headers[0].locale is not None:
            locale = headers[0].locale
            if locale.name not in LOCALES:
                self.error(locale.span, "bad-locale", f'unknown locale "{locale.name}"',
                           did_you_mean(locale.name, LOCALES) or "use en or fr")
            else:
                self.locale = locale.name

    # ── definitions (first pass, so that order does not matter) ──
    def _claim(self, ident: ast.Ident, what: str) -> bool:
        if ident.name.startswith("__"):
            self.error(ident.span, "reserved-name",
                       f'"{ident.name}": names starting with "__" are reserved for kpirules',
                       "choose another name")
            return False
        if ident.name in self.defined_at:
            first = self.defined_at[ident.name]
            self.error(ident.span, "duplicate-name", f'"{ident.name}" is defined twice',
                       f"first defined at line {first.line}, column {first.column}")
            return False
        self.defined_at[ident.name] = ident.span
        self.graph.add_node(ident.name, kind=what, name=ident.name)
        return True

    def _define(self, stmt: ast.Statement) -> None:
        if isinstance(stmt, ast.ParamStmt):
            if self._claim(stmt.name, "param"):
                value = stmt.value
                if isinstance(value, ast.Number) and not math.isfinite(value.value):
                    self.error(value.span, "bad-number", f"{value.text} is too large for a number",
                               "numbers go up to about 1.8e308")
                if isinstance(value, ast.Number):
                    self.params[stmt.name.name] = ParamDef(stmt.name.name, value.value, value.percent, stmt.span)
                else:
                    self.params[stmt.name.name] = ParamDef(stmt.name.name, value.value, False, stmt.span)
        elif isinstance(stmt, ast.DimensionStmt):
            if self._claim(stmt.name, "dimension"):
                self.dimensions[stmt.name.name] = DimensionDef(stmt.name.name, stmt.label, stmt.span)
        elif isinstance(stmt, ast.MetricStmt):
            if self._claim(stmt.name, "metric"):
                self.metrics[stmt.name.name] = self._metric(stmt)
        elif isinstance(stmt, ast.KpiStmt):
            if self._claim(stmt.name, "kpi"):
                opts = self._options(stmt.options, ("unit", "better", "label"))
                better = opts.get("better")
                if better is not None and better not in ("higher", "lower"):
                    self.error(self._opt_span(stmt.options, "better"), "bad-option",
                               f'"better" is higher or lower, not "{better}"',
                               did_you_mean(str(better), ["higher", "lower"]))
                    better = None
                self.kpis[stmt.name.name] = KpiDef(
                    stmt.name.name, stmt.expr, _str(opts.get("unit")), better,
                    _str(opts.get("label")), stmt.span)
        elif isinstance(stmt, ast.DecisionStmt) and self._claim(stmt.name, "decision"):
            self.decisions[stmt.name.name] = DecisionDef(
                stmt.name.name, stmt.title, stmt.branches, stmt.span)

    def _opt_span(self, options: tuple[ast.Option, ...], key: str) -> ast.Span:
        for opt in options:
            if opt.key == key:
                return opt.value.span
        return ast.NOWHERE

    def _options(self, options: tuple[ast.Option, ...], allowed: tuple[str, ...]) -> dict[str, object]:
        seen: dict[str, object] = {}
        for opt in options:
            if opt.key not in allowed:
                self.error(opt.span, "bad-option", f'"{opt.key}" is not an option here')
                continue
            if opt.key in seen:
                self.error(opt.span, "duplicate-option", f'"{opt.key}" is given twice')
                continue
            value = opt.value
            seen[opt.key] = (value.name if isinstance(value, ast.Ident)
                             else value.value if isinstance(value, ast.String | ast.Number) else None)
        return seen

    def _metric(self, stmt: ast.MetricStmt) -> MetricDef:
        if stmt.aggregate is not None:  # language §4.1: no agg, computed from the rows of each cell
            return aggregate_metric(self, stmt)
        opts = self._options(stmt.options, ("unit", "agg", "missing", "label"))
        agg = str(opts.get("agg", "sum"))
        if agg not in AGGS:
            self.error(self._opt_span(stmt.options, "agg"), "bad-option", f'unknown agg "{agg}"',
                       did_you_mean(agg, AGGS) or "use sum, avg, min, max, first or last")
            agg = "sum"
        missing = opts.get("missing")
        return MetricDef(stmt.name.name, _str(opts.get("unit")), agg,
                         float(missing) if isinstance(missing, int | float) else None,
                         _str(opts.get("label")), stmt.span)

    # ── second pass ──
    def _check(self, stmt: ast.Statement) -> None:
        if isinstance(stmt, ast.KpiStmt) and stmt.name.name in self.kpis:
            if self.kpis[stmt.name.name].span is stmt.span:
                self._expr(stmt.expr, stmt.name.name)
                self.types.at(stmt.span).kpi(stmt.name.name, stmt.expr)
        elif isinstance(stmt, ast.MetricStmt) and stmt.aggregate is not None:
            check_aggregate_metric(self, stmt)
        elif isinstance(stmt, ast.ThresholdStmt):
            self._threshold(stmt)
        elif isinstance(stmt, ast.DecisionStmt) and stmt.name.name in self.decisions:
            if self.decisions[stmt.name.name].span is stmt.span:
                self._decision(stmt)
        elif isinstance(stmt, ast.ObjectiveStmt):
            self._objective(stmt)
        elif isinstance(stmt, ast.RuleStmt):
            self._rule(stmt)

    def _threshold(self, stmt: ast.ThresholdStmt) -> None:
        target = stmt.target.name
        if target not in self.kpis and target not in self.metrics:
            self.error(stmt.target.span, "unknown-name",
                       f'threshold on "{target}", which is not a KPI or metric of this ruleset',
                       did_you_mean(target, [*self.kpis, *self.metrics]))
            return
        if not stmt.clauses:
            self.warning(stmt.span, "empty-threshold", f'the threshold on "{target}" has no level',
                         "add a line such as: critical < 10%")
        node = status_node(target)
        self.graph.add_node(node, kind="status", name=target)
        self.graph.add_edge(target, node)
        if stmt.where is not None:
            self._expr(stmt.where, node)
            self.types.at(stmt.span).condition(stmt.where, f'the "where" guard of the threshold on "{target}"')
        for clause in stmt.clauses:
            self._expr(clause.value, node)
            self.types.at(clause.span).threshold_clause(target, clause)
            lint_compare(self, clause.span, unit_of_name(self, target), unit_of(self, clause.value))
            lint_plain_percent(self, target, clause.value, clause.span, f"{clause.level} {clause.op}")
            check_recover(self, target, clause, node)
        self.thresholds.setdefault(target, []).append(
            ThresholdDef(target, stmt.where, stmt.clauses, stmt.span))

    def _decision(self, stmt: ast.DecisionStmt) -> None:
        seen: set[str] = set()
        for i, branch in enumerate(stmt.branches):
            if branch.label in seen:
                self.warning(branch.span, "duplicate-label",
                             f'"{branch.label}" appears twice in decision "{stmt.name.name}"')
            seen.add(branch.label)
            if branch.condition is None:
                if i != len(stmt.branches) - 1:
                    self.error(branch.span, "otherwise-not-last",
                               '"otherwise" must be the last branch of a decision')
            else:
                self._expr(branch.condition, stmt.name.name)
                self.types.at(branch.span).condition(
                    branch.condition, f'the condition of "{branch.label}" in decision "{stmt.name.name}"')
        if not stmt.branches:
            self.error(stmt.span, "empty-decision", f'decision "{stmt.name.name}" has no branch',
                       'add a line such as: "keep" when roi >= 50%')

    def _period(self, lit: ast.PeriodLit, first: bool) -> int | None:
        try:
            return first_index(lit.text, self.grain) if first else last_index(lit.text, self.grain)
        except PeriodError as err:
            self.error(lit.span, "bad-period", str(err))
            return None

    def _objective(self, stmt: ast.ObjectiveStmt) -> None:
        name = stmt.name.name
        if name in self.objectives:
            self.error(stmt.name.span, "duplicate-name", f'objective "{name}" is defined twice')
            return
        target = stmt.target.name
        ok = True
        if target not in self.kpis and target not in self.metrics:
            self.error(stmt.target.span, "unknown-name",
                       f'objective on "{target}", which is not a KPI or metric of this ruleset',
                       did_you_mean(target, [*self.kpis, *self.metrics]))
            ok = False
        relative = False
        if not self._constant(stmt.amount):
            self.error(span_of(stmt.amount, stmt.span), "not-constant",
                       f'the value of objective "{name}" must be constant (numbers, percents, parameters)')
            ok = False
        else:
            self._expr(stmt.amount, None)
            self.types.at(stmt.span).number(stmt.amount, f'the value of objective "{name}"')
            if target in self.kpis or target in self.metrics:
                lint_plain_percent(self, target, stmt.amount, span_of(stmt.amount, stmt.span),
                                         f'objective "{name}"')
            if stmt.kind != "compare":
                relative = _is_percent(stmt.amount, self.params)
        deadline = self._period(stmt.deadline, first=False)
        start = self._period(stmt.start, first=True) if stmt.start is not None else None
        if deadline is None or (stmt.start is not None and start is None):
            ok = False
        elif start is not None and start > deadline:
            self.error(stmt.start.span if stmt.start else stmt.span, "bad-period",
                       f"the objective starts ({stmt.start.text if stmt.start else ''}) after its deadline ({stmt.deadline.text})")
            ok = False
        if ok and deadline is not None:
            self.objectives[name] = ObjectiveDef(
                name, stmt.title, target, stmt.kind, stmt.amount, relative, deadline,
                stmt.deadline.text, start, stmt.op, stmt.span)
            node = objective_node(name)
            self.graph.add_node(node, kind="objective", name=name)
            self.graph.add_edge(target, node)

    def _rule(self, stmt: ast.RuleStmt) -> None:
        name = stmt.name.name
        if name in self.rules:
            self.error(stmt.name.span, "duplicate-name", f'rule "{name}" is defined twice')
            return
        node = rule_node(name)
        self.graph.add_node(node, kind="rule", name=name)
        self._expr(stmt.condition, node)
        self.types.at(stmt.span).condition(stmt.condition, f'the condition of rule "{name}"')
        for_periods, scope, severity = 1, "both", "warning"
        seen: set[str] = set()
        for opt in stmt.options:
            if opt.key in seen:
                self.error(opt.span, "duplicate-option", f'"{opt.key}" is given twice')
            seen.add(opt.key)
            if opt.key == "for":
                assert isinstance(opt.value, ast.Number)
                count = opt.value.value
                if not math.isfinite(count) or count != int(count) or not 1 <= count <= MAX_PERIODS:
                    self.error(opt.value.span, "bad-for",
                               f"a rule holds for 1 to {MAX_PERIODS:,} periods, not {opt.value.text}",
                               "write: for 2 periods")
                else:
                    for_periods = int(count)
            elif opt.key == "scope":
                assert isinstance(opt.value, ast.Ident)
                if opt.value.name not in ("segments", "overall"):
                    self.error(opt.value.span, "bad-option", f'unknown scope "{opt.value.name}"',
                               did_you_mean(opt.value.name, ["segments", "overall"])
                               or "use segments or overall")
                else:
                    scope = opt.value.name
            else:
                assert isinstance(opt.value, ast.Ident)
                severity = opt.value.name
        renotify = check_lifecycle(self, stmt, MAX_PERIODS)
        self.rules[name] = RuleDef(name, stmt.title, stmt.condition, for_periods, scope,  # type: ignore[arg-type]
                                   severity, self._action_calls(stmt.actions), stmt.span,  # type: ignore[arg-type]
                                   renotify, self._action_calls(stmt.resolve))

    def _action_calls(self, calls: tuple[ast.ActionCallStmt, ...]) -> tuple[ActionCall, ...]:
        """``then`` or ``resolve`` calls: known actions, arguments given once, templates."""
        actions = []
        for call in calls:
            if self.known_actions is not None and call.name.name not in self.known_actions:
                self.warning(call.name.span, "unknown-action",
                             f'no plugin or configuration provides the action "{call.name.name}"',
                             did_you_mean(call.name.name, self.known_actions)
                             or "kpirules run will refuse to start until one does")
            args: dict[str, ActionValue] = {}
            for arg in call.args:
                if arg.name.name in args:
                    self.error(arg.name.span, "duplicate-option", f'argument "{arg.name.name}" is given twice')
                value = arg.value
                args[arg.name.name] = _action_value(value)
                if isinstance(value, ast.String):
                    self._template(value)
            actions.append(ActionCall(call.name.name, args, call.span))
        return tuple(actions)

    def _template(self, value: ast.String) -> None:
        """Warn about ``{name}`` placeholders that name nothing known."""
        text = value.value.replace("{{", "").replace("}}", "")
        for m in re.finditer(r"\{([^{}]*)\}", text):
            key = m.group(1)
            if key in ("period", "count", "firings") or key in self.defined_at:  # count, firings: digests
                continue
            self.warning(value.span, "unknown-placeholder",
                         f'"{{{key}}}" names no metric, KPI, decision or parameter; '
                         "it is filled only if the data has such a column",
                         did_you_mean(key, [*self.defined_at, "period"]))

    # ── expressions ──
    def _constant(self, expr: ast.Expr) -> bool:
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and node.name not in self.params:
                return False
            if isinstance(node, ast.Call | ast.IsStatus | ast.InList | ast.String):
                return False
        return True

    def _expr(self, expr: ast.Expr, owner: Node | None) -> None:
        """Resolve names and calls in ``expr``; add graph edges into ``owner``."""
        for node in ast.walk(expr):
            if isinstance(node, ast.Name):
                self._name(node, owner)
            elif isinstance(node, ast.IsStatus):
                self._status(node, owner)
            elif isinstance(node, ast.Call):
                check_call(self, node)
            elif isinstance(node, ast.Number) and not math.isfinite(node.value):
                self.error(node.span, "bad-number", f"{node.text} is too large for a number",
                           "numbers go up to about 1.8e308")
        unit_of(self, expr)

    def _name(self, node: ast.Name, owner: Node | None) -> None:
        if node.name not in self.defined_at:
            if node.name in self.suppress_unknown:
                return
            hint = self.names.hint(node.name)
            if hint is None and node.name in self.functions:
                hint = f"{node.name} is a function: write {node.name}(…)"
            self.error(node.span, "unknown-name", f'unknown name "{node.name}"', hint)
            return
        if owner is not None:
            self.graph.add_edge(node.name, owner)

    def _status(self, node: ast.IsStatus, owner: Node | None) -> None:
        operand = node.operand
        if not isinstance(operand, ast.Name):
            self.error(node.span, "bad-status-test",
                       '"is ok/warning/critical/…" tests the status of a KPI or metric by name')
            return
        if operand.name in self.defined_at and not self._has_threshold(operand.name):
            self.error(operand.span, "no-threshold",
                       f'"{operand.name}" has no threshold, so it has no status to test',
                       f"add: threshold {operand.name} …")
            return
        if owner is not None and operand.name in self.defined_at:
            self.graph.add_edge(status_node(operand.name), owner)

    def _has_threshold(self, name: str) -> bool:
        if self._threshold_targets is None:
            self._threshold_targets = {s.target.name for s in self.file.statements
                                       if isinstance(s, ast.ThresholdStmt)}
        return name in self._threshold_targets

    # ── cycles ──
    def _cycles(self) -> None:
        if not self.graph.has_cycle():
            return
        import networkx as nx

        graph = self.graph.to_networkx()
        for component in nx.strongly_connected_components(graph):
            if len(component) == 1:
                node = next(iter(component))
                if not graph.has_edge(node, node):
                    continue
            sub = graph.subgraph(component)
            start = min(component, key=self._file_order)
            edges = nx.find_cycle(sub, source=start)
            # edges go input -> dependent; report "depends on" order: a -> b means a uses b
            nodes = [u for u, _ in edges]
            nodes = list(reversed(nodes))
            first = min(range(len(nodes)), key=lambda i: self._file_order(nodes[i]))
            nodes = nodes[first:] + nodes[:first]
            names = [name_of(n) + (" (status)" if is_status(n) else "") for n in nodes]
            text = " -> ".join([*names, names[0]])
            anchor = name_of(nodes[0])
            self.error(self.defined_at.get(anchor, ast.NOWHERE), "cycle",
                       f"dependency cycle: {text}", "a KPI cannot depend on itself, even through previous()")


def _action_value(value: ast.Number | ast.String | ast.Bool | ast.Null) -> ActionValue:
    """An action argument as written: ``3`` is the int 3, ``1.5`` a float, ``30%`` 0.3."""
    if isinstance(value, ast.Null):
        return None
    if isinstance(value, ast.Number) and not value.percent:
        text = value.text.replace("_", "")
        if text.lstrip("+-").isdigit():
            return int(text)
    return value.value


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _is_percent(expr: ast.Expr, params: dict[str, ParamDef]) -> bool:
    if isinstance(expr, ast.Number):
        return expr.percent
    if isinstance(expr, ast.Name) and expr.name in params:
        return params[expr.name].percent
    if isinstance(expr, ast.Unary):
        return _is_percent(expr.operand, params)
    return False
