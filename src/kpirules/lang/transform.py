"""Parsed rules → frozen AST nodes (one method per grammar rule).

:class:`AstBuilder` does not depend on Lark: the fast path
(:mod:`kpirules.lang.fastpath`) calls its methods during the parse of a valid
file, without Lark imported; Lark's standard front end, for files with syntax
errors, calls them through :class:`kpirules.lang.grammar.ToAst`, a Lark
transformer over the same methods.
"""

from __future__ import annotations

from typing import Any

from attrs import evolve

from kpirules.lang import ast
from kpirules.lang.diagnostics import Diagnostic
from kpirules.lang.tokens import Token

KEYWORDS = frozenset(
    ["ruleset", "grain", "param", "dimension", "metric", "kpi", "threshold", "where", "decision", "when", "otherwise", "objective", "increase", "decrease", "from", "to", "by", "rule", "for", "periods", "scope", "severity", "then", "unit", "agg", "label", "better", "missing", "is", "and", "or", "not", "in", "true", "false", "null", "ok", "warning", "critical", "no_data", "skipped", "info", "recover", "resolve", "renotify", "every", "locale"]
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


# Punctuation and keywords that only serve positions: kept by the grammar's "!" rules
# so that a statement's span starts at its keyword and a group's at its "(".
_NOISE = frozenset({
    "RULESET", "PARAM", "DIMENSION", "METRIC", "KPI", "THRESHOLD", "DECISION", "OBJECTIVE",
    "RULE", "WHEN", "EQUAL", "LPAR", "RPAR", "LSQB", "RSQB", "COMMA", "NOT",
    "UNIT", "AGG", "MISSING", "LABEL", "BETTER", "FOR", "PERIODS", "SCOPE", "SEVERITY",
    "OTHERWISE",
})


def _pos(item: Any) -> tuple[int, int, int, int] | None:
    """(line, column, end line, end column) of a token, a node or a sequence of them."""
    if isinstance(item, Token):
        if item.line is None:
            return None
        return item.line, item.column or 0, item.end_line or 0, item.end_column or 0
    span = getattr(item, "span", None)
    if isinstance(span, ast.Span):
        return (span.line, span.column, span.end_line, span.end_column) if span.line else None
    if isinstance(item, tuple | list):
        # plain loops: this runs for every node of every file
        for child in item:
            first = _pos(child)
            if first:
                break
        else:
            return None
        for child in reversed(item):
            last = _pos(child)
            if last:
                return first[0], first[1], last[2], last[3]
    return None


def _strip(children: list[Any]) -> list[Any]:
    """Children without the tokens that were kept for positions only."""
    return [c for c in children if not (isinstance(c, Token) and c.type in _NOISE)]


class AstBuilder:
    """Build AST nodes from a rule's children; reserved words used as names become diagnostics.

    Positions come from the tokens (Lark's ``propagate_positions`` doubles the
    parse time): a node spans from its first to its last token. Each method
    is called with the values of its rule's children, innermost rules first
    (by the parse loop or by the iterative transformer), so deep nesting
    cannot overflow the stack.
    """

    def __init__(self, path: str) -> None:
        self.reset(path)

    def reset(self, path: str) -> None:
        """Start a new file (the builder embedded in the fast parser is reused)."""
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    # ── positions ──
    def _span(self, children: list[Any]) -> ast.Span:
        pos = _pos(children)
        if pos is None:
            return ast.Span(self.path, 0, 0)
        return ast.Span(self.path, *pos)

    def _tspan(self, tok: Token) -> ast.Span:
        return ast.Span(self.path, tok.line or 0, tok.column or 0,
                        tok.end_line or 0, tok.end_column or 0)

    # ── names and literals ──
    def name(self, children: list[Token]) -> ast.Ident:
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

    def number(self, c: list[Token]) -> ast.Number:
        return ast.Number(number_value(c[0]), False, str(c[0]), self._tspan(c[0]))

    def percent(self, c: list[Token]) -> ast.Number:
        return ast.Number(number_value(c[0]) / 100, True, str(c[0]), self._tspan(c[0]))

    def neg_number(self, c: list[Token]) -> ast.Number:
        return ast.Number(-number_value(c[1]), False, "-" + str(c[1]), self._span(c))

    def neg_percent(self, c: list[Token]) -> ast.Number:
        return ast.Number(-number_value(c[1]) / 100, True, "-" + str(c[1]), self._span(c))

    def signed_number(self, c: list[Any]) -> ast.Number:
        sign, tok = c
        value = number_value(tok)
        is_percent = tok.type == "PERCENT"
        if is_percent:
            value /= 100
        if sign is not None:
            return ast.Number(-value, is_percent, "-" + str(tok), self._span(c))
        return ast.Number(value, is_percent, str(tok), self._tspan(tok))

    def string(self, c: list[Token]) -> ast.String:
        return ast.String(unescape(str(c[0])), self._tspan(c[0]))

    def true(self, c: list[Any]) -> ast.Bool:
        return ast.Bool(True, self._span(c))

    def false(self, c: list[Any]) -> ast.Bool:
        return ast.Bool(False, self._span(c))

    def null(self, c: list[Any]) -> ast.Null:
        return ast.Null(self._span(c))

    # ── expressions ──
    def ref(self, c: list[ast.Ident]) -> ast.Name:
        return ast.Name(c[0].name, c[0].span)

    def group(self, c: list[Any]) -> ast.Expr:
        # the expression itself, spanning its parentheses (explanations quote it as written)
        return evolve(c[1], span=self._span(c))

    def binary(self, c: list[Any]) -> ast.Binary:
        left, op, right = c
        return ast.Binary(str(op), left, right, self._span(c))

    def compare(self, c: list[Any]) -> ast.Binary:
        return self.binary(c)

    def and_(self, c: list[Any]) -> ast.Binary:
        return ast.Binary("and", c[0], c[1], self._span(c))

    def or_(self, c: list[Any]) -> ast.Binary:
        return ast.Binary("or", c[0], c[1], self._span(c))

    def not_(self, c: list[Any]) -> ast.Unary:
        return ast.Unary("not", c[1], self._span(c))

    def neg(self, c: list[Any]) -> ast.Expr:
        operand = c[1]
        if isinstance(operand, ast.Number) and not operand.text.startswith("-"):
            # fold "-20%" into one literal so objectives see a relative amount
            return ast.Number(-operand.value, operand.percent, "-" + operand.text, self._span(c))
        return ast.Unary("-", operand, self._span(c))

    def list_(self, c: list[Any]) -> _Items:
        return _Items(tuple(x for x in _strip(c) if x is not None), self._span(c))

    def in_(self, c: list[Any]) -> ast.InList:
        return ast.InList(c[0], c[1].items, False, self._span(c))

    def not_in(self, c: list[Any]) -> ast.InList:
        return ast.InList(c[0], c[1].items, True, self._span(c))

    def status(self, c: list[Token]) -> Token:
        return c[0]  # the token, so that the test's span ends with it

    def is_(self, c: list[Any]) -> ast.IsStatus:
        return ast.IsStatus(c[0], str(c[1]), False, self._span(c))

    def is_not(self, c: list[Any]) -> ast.IsStatus:
        return ast.IsStatus(c[0], str(c[1]), True, self._span(c))

    def call_arg(self, c: list[Any]) -> ast.Expr:
        return c[0]

    def keyword_arg(self, c: list[Any]) -> tuple[ast.Ident, ast.Expr]:
        return (c[0], c[1])

    def call(self, c: list[Any]) -> ast.Call:
        ident: ast.Ident = c[0]
        args: list[ast.Expr] = []
        kwargs: list[tuple[str, ast.Expr]] = []
        for arg in _strip(c[1:]):
            if arg is None:
                continue
            if isinstance(arg, tuple):
                kwargs.append((arg[0].name, arg[1]))
            else:
                if kwargs:
                    self.diagnostics.append(Diagnostic.at(
                        _expr_span(arg, self._span(c)), "error", "positional-after-keyword",
                        f"in {ident.name}(): a positional argument follows a keyword argument"))
                args.append(arg)  # kept, so that the argument count is not reported as well
        return ast.Call(ident.name, tuple(args), tuple(kwargs), self._span(c), ident.span)

    # ── statements ──
    def grain_clause(self, c: list[Any]) -> tuple[str, ast.Ident]:
        return ("grain", c[0])

    def locale_clause(self, c: list[Any]) -> tuple[str, ast.Ident]:
        return ("locale", c[0])

    def ruleset_stmt(self, c: list[Any]) -> ast.RulesetStmt:
        name, title, *clauses = _strip(c)
        header: dict[str, ast.Ident] = {}
        for kind, ident in clauses:
            if kind in header:
                self.diagnostics.append(Diagnostic.at(
                    ident.span, "error", f"duplicate-{kind}",
                    f"the ruleset's {kind} is given twice",
                    f"the first is at line {header[kind].span.line}"))
            header.setdefault(kind, ident)
        return ast.RulesetStmt(name, _opt_str(title), header.get("grain"), self._span(c),
                               header.get("locale"))

    def param_stmt(self, c: list[Any]) -> ast.ParamStmt:
        name, value = _strip(c)
        if isinstance(value, Token):
            value = ast.String(unescape(str(value)), self._tspan(value))
        return ast.ParamStmt(name, value, self._span(c))

    def dimension_stmt(self, c: list[Any]) -> ast.DimensionStmt:
        name, label = _strip(c)
        return ast.DimensionStmt(name, _opt_str(label), self._span(c))

    def _option(self, key: str, c: list[Any]) -> ast.Option:
        value = _strip(c)[0]
        if isinstance(value, Token):
            value = ast.String(unescape(str(value)), self._tspan(value))
        return ast.Option(key, value, self._span(c))

    def opt_unit(self, c: list[Any]) -> ast.Option:
        return self._option("unit", c)

    def opt_agg(self, c: list[Any]) -> ast.Option:
        return self._option("agg", c)

    def opt_missing(self, c: list[Any]) -> ast.Option:
        return self._option("missing", c)

    def opt_label(self, c: list[Any]) -> ast.Option:
        return self._option("label", c)

    def opt_better(self, c: list[Any]) -> ast.Option:
        return self._option("better", c)

    def metric_stmt(self, c: list[Any]) -> ast.MetricStmt:
        # "metric" NAME ["=" CALL [where_clause]] OPTION*: the optional part is three children
        # (None each when absent)
        name, equal, aggregate, where, *options = c[1:]
        assert equal is None or isinstance(equal, Token)
        return ast.MetricStmt(name, tuple(options), self._span(c), aggregate=aggregate, where=where)

    def kpi_stmt(self, c: list[Any]) -> ast.KpiStmt:
        name, expr, *options = _strip(c)
        return ast.KpiStmt(name, expr, tuple(options), self._span(c))

    def where_clause(self, c: list[Any]) -> ast.Expr:
        return c[0]

    def level(self, c: list[Token]) -> Token:
        return c[0]  # the token, so that the clause's span starts with it

    def threshold_clause(self, c: list[Any]) -> ast.ThresholdClause:
        recover = c[3] if len(c) > 3 else None
        op, value = recover if recover is not None else (None, None)
        return ast.ThresholdClause(str(c[0]), str(c[1]), c[2], self._span(c),  # type: ignore[arg-type]
                                   op, value)

    def recover_clause(self, c: list[Any]) -> tuple[str, ast.Expr]:
        return str(c[0]), c[1]

    def threshold_stmt(self, c: list[Any]) -> ast.ThresholdStmt:
        target, where, *clauses = _strip(c)
        return ast.ThresholdStmt(target, where, tuple(clauses), self._span(c))

    def branch_when(self, c: list[Any]) -> ast.DecisionBranch:
        label, condition = _strip(c)
        return ast.DecisionBranch(unescape(str(label)), condition, self._span(c))

    def branch_otherwise(self, c: list[Any]) -> ast.DecisionBranch:
        return ast.DecisionBranch(unescape(str(c[0])), None, self._span(c))

    def decision_stmt(self, c: list[Any]) -> ast.DecisionStmt:
        name, title, *branches = _strip(c)
        return ast.DecisionStmt(name, _opt_str(title), tuple(branches), self._span(c))

    def direction(self, c: list[Token]) -> str:
        return str(c[0])

    def _period(self, tok: Token | None) -> ast.PeriodLit | None:
        return None if tok is None else ast.PeriodLit(str(tok), self._tspan(tok))

    def target_change(self, c: list[Any]) -> dict[str, Any]:
        target, direction, amount, start, deadline = c
        return {"target": target, "kind": direction, "amount": amount,
                "start": self._period(start), "deadline": self._period(deadline), "op": None}

    def target_compare(self, c: list[Any]) -> dict[str, Any]:
        target, op, amount, deadline, start = c
        return {"target": target, "kind": "compare", "amount": amount,
                "start": self._period(start), "deadline": self._period(deadline), "op": str(op)}

    def objective_stmt(self, c: list[Any]) -> ast.ObjectiveStmt:
        name, title, target = _strip(c)
        span = self._span([c[0], target["start"], target["deadline"]])
        return ast.ObjectiveStmt(name=name, title=_opt_str(title), span=span, **target)

    def opt_for(self, c: list[Token]) -> ast.RuleOption:
        tok = _strip(c)[0]
        return ast.RuleOption("for", ast.Number(number_value(tok), False, str(tok), self._tspan(tok)),
                              self._span(c))

    def opt_scope(self, c: list[Any]) -> ast.RuleOption:
        return ast.RuleOption("scope", _strip(c)[0], self._span(c))

    def severity(self, c: list[Token]) -> ast.Ident:
        return ast.Ident(str(c[0]), self._tspan(c[0]))

    def opt_severity(self, c: list[Any]) -> ast.RuleOption:
        return ast.RuleOption("severity", _strip(c)[0], self._span(c))

    def action_arg(self, c: list[Any]) -> ast.ActionArg:
        return ast.ActionArg(c[0], c[1], self._span(c))

    def action_call(self, c: list[Any]) -> ast.ActionCallStmt:
        return ast.ActionCallStmt(c[0], tuple(a for a in c[1:] if a is not None), self._span(c))

    def then_clause(self, c: list[Any]) -> tuple[ast.ActionCallStmt, ...]:
        return tuple(c)

    def rule_option(self, c: list[Any]) -> Any:
        return c[0]

    def renotify_clause(self, c: list[Token]) -> _Renotify:
        tok = c[2]
        return _Renotify(ast.Number(number_value(tok), False, str(tok), self._tspan(tok)),
                         self._span(c))

    def resolve_clause(self, c: list[Any]) -> _Resolve:
        return _Resolve(tuple(a for a in c if isinstance(a, ast.ActionCallStmt)), self._span(c))

    def rule_stmt(self, c: list[Any]) -> ast.RuleStmt:
        name, title, condition, *rest = _strip(c)
        options = tuple(x for x in rest if isinstance(x, ast.RuleOption))
        # "then a(…) b(…)" and "then a(…) then b(…)" mean the same
        actions = tuple(a for x in rest if isinstance(x, tuple) for a in x)
        renotify = [x.every for x in rest if isinstance(x, _Renotify)]
        resolve = tuple(a for x in rest if isinstance(x, _Resolve) for a in x.calls)
        if len(renotify) > 1:
            self.diagnostics.append(Diagnostic.at(
                renotify[1].span, "error", "duplicate-option", '"renotify" is given twice'))
        return ast.RuleStmt(name, _opt_str(title), condition, options, actions, self._span(c),
                            renotify[0] if renotify else None, resolve)


class _Renotify:
    """``renotify every N periods`` until the rule statement takes it."""

    __slots__ = ("every", "span")

    def __init__(self, every: ast.Number, span: ast.Span) -> None:
        self.every = every
        self.span = span


class _Resolve:
    """The calls of one ``resolve`` clause until the rule statement takes them."""

    __slots__ = ("calls", "span")

    def __init__(self, calls: tuple[ast.ActionCallStmt, ...], span: ast.Span) -> None:
        self.calls = calls
        self.span = span


class _Items:
    """The items of a ``[…]`` list, with the span of its brackets."""

    __slots__ = ("items", "span")

    def __init__(self, items: tuple[ast.Expr, ...], span: ast.Span) -> None:
        self.items = items
        self.span = span


def _opt_str(tok: Token | None) -> str | None:
    return None if tok is None else unescape(str(tok))


def _expr_span(expr: Any, default: ast.Span) -> ast.Span:
    span = getattr(expr, "span", None)
    return span if isinstance(span, ast.Span) and span.line else default
