"""Lark parse tree → frozen AST nodes (one method per grammar rule)."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args
from lark.tree import Meta

from kpirules.lang import ast
from kpirules.lang.diagnostics import Diagnostic

KEYWORDS = frozenset(
    ["ruleset", "grain", "param", "dimension", "metric", "kpi", "threshold", "where", "decision", "when", "otherwise", "objective", "increase", "decrease", "from", "to", "by", "rule", "for", "periods", "scope", "severity", "then", "unit", "agg", "label", "better", "missing", "is", "and", "or", "not", "in", "true", "false", "null", "ok", "warning", "critical", "no_data", "skipped", "info"]
)


def unescape(text: str) -> str:
    """The value of a string literal: quotes removed, ``\\"`` and ``\\\\`` undone."""
    body = text[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def number_value(text: str) -> float:
    return float(text.rstrip("%").replace("_", ""))


@v_args(meta=True)
class ToAst(Transformer):
    """Build AST nodes; reserved words used as names become diagnostics."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    # ── positions ──
    def _span(self, meta: Meta) -> ast.Span:
        if getattr(meta, "empty", True):
            return ast.Span(self.path, 0, 0)
        return ast.Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tspan(self, tok: Token) -> ast.Span:
        return ast.Span(self.path, tok.line or 0, tok.column or 0,
                        tok.end_line or 0, tok.end_column or 0)

    # ── names and literals ──
    def name(self, meta: Meta, children: list[Token]) -> ast.Ident:
        tok = children[0]
        span = self._tspan(tok)
        if tok.type == "QUOTED_NAME":
            return ast.Ident(str(tok)[1:-1], span)
        if str(tok) in KEYWORDS:
            self.diagnostics.append(Diagnostic.at(
                span, "error", "reserved-word",
                f'"{tok}" is a reserved word and cannot be used as a name',
                f"write it between backticks: `{tok}`"))
        return ast.Ident(str(tok), span)

    def number(self, meta: Meta, c: list[Token]) -> ast.Number:
        return ast.Number(number_value(c[0]), False, str(c[0]), self._tspan(c[0]))

    def percent(self, meta: Meta, c: list[Token]) -> ast.Number:
        return ast.Number(number_value(c[0]) / 100, True, str(c[0]), self._tspan(c[0]))

    def neg_number(self, meta: Meta, c: list[Token]) -> ast.Number:
        return ast.Number(-number_value(c[1]), False, "-" + str(c[1]), self._span(meta))

    def neg_percent(self, meta: Meta, c: list[Token]) -> ast.Number:
        return ast.Number(-number_value(c[1]) / 100, True, "-" + str(c[1]), self._span(meta))

    def signed_number(self, meta: Meta, c: list[Any]) -> ast.Number:
        sign, tok = c
        value = number_value(tok)
        is_percent = tok.type == "PERCENT"
        if is_percent:
            value /= 100
        if sign is not None:
            return ast.Number(-value, is_percent, "-" + str(tok), self._span(meta))
        return ast.Number(value, is_percent, str(tok), self._tspan(tok))

    def string(self, meta: Meta, c: list[Token]) -> ast.String:
        return ast.String(unescape(str(c[0])), self._tspan(c[0]))

    def true(self, meta: Meta, c: list[Any]) -> ast.Bool:
        return ast.Bool(True, self._span(meta))

    def false(self, meta: Meta, c: list[Any]) -> ast.Bool:
        return ast.Bool(False, self._span(meta))

    def null(self, meta: Meta, c: list[Any]) -> ast.Null:
        return ast.Null(self._span(meta))

    # ── expressions ──
    def ref(self, meta: Meta, c: list[ast.Ident]) -> ast.Name:
        return ast.Name(c[0].name, c[0].span)

    def group(self, meta: Meta, c: list[ast.Expr]) -> ast.Expr:
        return c[0]

    def binary(self, meta: Meta, c: list[Any]) -> ast.Binary:
        left, op, right = c
        return ast.Binary(str(op), left, right, self._span(meta))

    def compare(self, meta: Meta, c: list[Any]) -> ast.Binary:
        return self.binary(meta, c)

    def and_(self, meta: Meta, c: list[Any]) -> ast.Binary:
        return ast.Binary("and", c[0], c[1], self._span(meta))

    def or_(self, meta: Meta, c: list[Any]) -> ast.Binary:
        return ast.Binary("or", c[0], c[1], self._span(meta))

    def not_(self, meta: Meta, c: list[Any]) -> ast.Unary:
        return ast.Unary("not", c[0], self._span(meta))

    def neg(self, meta: Meta, c: list[Any]) -> ast.Expr:
        operand = c[1]
        if isinstance(operand, ast.Number) and not operand.text.startswith("-"):
            # fold "-20%" into one literal so objectives see a relative amount
            return ast.Number(-operand.value, operand.percent, "-" + operand.text, self._span(meta))
        return ast.Unary("-", operand, self._span(meta))

    def list_(self, meta: Meta, c: list[Any]) -> tuple[ast.Expr, ...]:
        return tuple(x for x in c if x is not None)

    def in_(self, meta: Meta, c: list[Any]) -> ast.InList:
        return ast.InList(c[0], c[1], False, self._span(meta))

    def not_in(self, meta: Meta, c: list[Any]) -> ast.InList:
        return ast.InList(c[0], c[1], True, self._span(meta))

    def status(self, meta: Meta, c: list[Token]) -> str:
        return str(c[0])

    def is_(self, meta: Meta, c: list[Any]) -> ast.IsStatus:
        return ast.IsStatus(c[0], c[1], False, self._span(meta))

    def is_not(self, meta: Meta, c: list[Any]) -> ast.IsStatus:
        return ast.IsStatus(c[0], c[1], True, self._span(meta))

    def call_arg(self, meta: Meta, c: list[Any]) -> ast.Expr:
        return c[0]

    def keyword_arg(self, meta: Meta, c: list[Any]) -> tuple[ast.Ident, ast.Expr]:
        return (c[0], c[1])

    def call(self, meta: Meta, c: list[Any]) -> ast.Call:
        ident: ast.Ident = c[0]
        args: list[ast.Expr] = []
        kwargs: list[tuple[str, ast.Expr]] = []
        for arg in c[1:]:
            if arg is None:
                continue
            if isinstance(arg, tuple):
                kwargs.append((arg[0].name, arg[1]))
            else:
                if kwargs:
                    self.diagnostics.append(Diagnostic.at(
                        _expr_span(arg, self._span(meta)), "error", "positional-after-keyword",
                        f"in {ident.name}(): a positional argument follows a keyword argument"))
                args.append(arg)  # kept, so that the argument count is not reported as well
        return ast.Call(ident.name, tuple(args), tuple(kwargs), self._span(meta), ident.span)

    # ── statements ──
    def grain_clause(self, meta: Meta, c: list[Any]) -> ast.Ident:
        return c[0]

    def ruleset_stmt(self, meta: Meta, c: list[Any]) -> ast.RulesetStmt:
        name, title, grain = c
        return ast.RulesetStmt(name, _opt_str(title), grain, self._span(meta))

    def param_stmt(self, meta: Meta, c: list[Any]) -> ast.ParamStmt:
        value = c[1]
        if isinstance(value, Token):
            value = ast.String(unescape(str(value)), self._tspan(value))
        return ast.ParamStmt(c[0], value, self._span(meta))

    def dimension_stmt(self, meta: Meta, c: list[Any]) -> ast.DimensionStmt:
        return ast.DimensionStmt(c[0], _opt_str(c[1]), self._span(meta))

    def _option(self, key: str, meta: Meta, c: list[Any]) -> ast.Option:
        value = c[0]
        if isinstance(value, Token):
            value = ast.String(unescape(str(value)), self._tspan(value))
        return ast.Option(key, value, self._span(meta))

    def opt_unit(self, meta: Meta, c: list[Any]) -> ast.Option:
        return self._option("unit", meta, c)

    def opt_agg(self, meta: Meta, c: list[Any]) -> ast.Option:
        return self._option("agg", meta, c)

    def opt_missing(self, meta: Meta, c: list[Any]) -> ast.Option:
        return self._option("missing", meta, c)

    def opt_label(self, meta: Meta, c: list[Any]) -> ast.Option:
        return self._option("label", meta, c)

    def opt_better(self, meta: Meta, c: list[Any]) -> ast.Option:
        return self._option("better", meta, c)

    def metric_stmt(self, meta: Meta, c: list[Any]) -> ast.MetricStmt:
        return ast.MetricStmt(c[0], tuple(c[1:]), self._span(meta))

    def kpi_stmt(self, meta: Meta, c: list[Any]) -> ast.KpiStmt:
        return ast.KpiStmt(c[0], c[1], tuple(c[2:]), self._span(meta))

    def where_clause(self, meta: Meta, c: list[Any]) -> ast.Expr:
        return c[0]

    def level(self, meta: Meta, c: list[Token]) -> str:
        return str(c[0])

    def threshold_clause(self, meta: Meta, c: list[Any]) -> ast.ThresholdClause:
        return ast.ThresholdClause(c[0], str(c[1]), c[2], self._span(meta))

    def threshold_stmt(self, meta: Meta, c: list[Any]) -> ast.ThresholdStmt:
        return ast.ThresholdStmt(c[0], c[1], tuple(c[2:]), self._span(meta))

    def branch_when(self, meta: Meta, c: list[Any]) -> ast.DecisionBranch:
        return ast.DecisionBranch(unescape(str(c[0])), c[1], self._span(meta))

    def branch_otherwise(self, meta: Meta, c: list[Any]) -> ast.DecisionBranch:
        return ast.DecisionBranch(unescape(str(c[0])), None, self._span(meta))

    def decision_stmt(self, meta: Meta, c: list[Any]) -> ast.DecisionStmt:
        return ast.DecisionStmt(c[0], _opt_str(c[1]), tuple(c[2:]), self._span(meta))

    def direction(self, meta: Meta, c: list[Token]) -> str:
        return str(c[0])

    def _period(self, tok: Token | None) -> ast.PeriodLit | None:
        return None if tok is None else ast.PeriodLit(str(tok), self._tspan(tok))

    def target_change(self, meta: Meta, c: list[Any]) -> dict[str, Any]:
        target, direction, amount, start, deadline = c
        return {"target": target, "kind": direction, "amount": amount,
                "start": self._period(start), "deadline": self._period(deadline), "op": None}

    def target_compare(self, meta: Meta, c: list[Any]) -> dict[str, Any]:
        target, op, amount, deadline, start = c
        return {"target": target, "kind": "compare", "amount": amount,
                "start": self._period(start), "deadline": self._period(deadline), "op": str(op)}

    def objective_stmt(self, meta: Meta, c: list[Any]) -> ast.ObjectiveStmt:
        name, title, target = c
        return ast.ObjectiveStmt(name=name, title=_opt_str(title), span=self._span(meta), **target)

    def opt_for(self, meta: Meta, c: list[Token]) -> ast.RuleOption:
        tok = c[0]
        return ast.RuleOption("for", ast.Number(number_value(tok), False, str(tok), self._tspan(tok)),
                              self._span(meta))

    def opt_scope(self, meta: Meta, c: list[Any]) -> ast.RuleOption:
        return ast.RuleOption("scope", c[0], self._span(meta))

    def severity(self, meta: Meta, c: list[Token]) -> ast.Ident:
        return ast.Ident(str(c[0]), self._tspan(c[0]))

    def opt_severity(self, meta: Meta, c: list[Any]) -> ast.RuleOption:
        return ast.RuleOption("severity", c[0], self._span(meta))

    def action_arg(self, meta: Meta, c: list[Any]) -> ast.ActionArg:
        return ast.ActionArg(c[0], c[1], self._span(meta))

    def action_call(self, meta: Meta, c: list[Any]) -> ast.ActionCallStmt:
        return ast.ActionCallStmt(c[0], tuple(a for a in c[1:] if a is not None), self._span(meta))

    def then_clause(self, meta: Meta, c: list[Any]) -> tuple[ast.ActionCallStmt, ...]:
        return tuple(c)

    def rule_option(self, meta: Meta, c: list[Any]) -> Any:
        return c[0]

    def rule_stmt(self, meta: Meta, c: list[Any]) -> ast.RuleStmt:
        name, title, condition, *rest = c
        options = tuple(x for x in rest if isinstance(x, ast.RuleOption))
        # "then a(…) b(…)" and "then a(…) then b(…)" mean the same
        actions = tuple(a for x in rest if isinstance(x, tuple) for a in x)
        return ast.RuleStmt(name, _opt_str(title), condition, options, actions, self._span(meta))


def _opt_str(tok: Token | None) -> str | None:
    return None if tok is None else unescape(str(tok))


def _expr_span(expr: Any, default: ast.Span) -> ast.Span:
    span = getattr(expr, "span", None)
    return span if isinstance(span, ast.Span) and span.line else default
