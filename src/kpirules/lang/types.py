"""The kinds of values: a small type inference for the checker.

Every expression has a kind: ``number``, ``string``, ``boolean`` or
``unknown`` (when it cannot be known: a ``null`` literal, an unknown name, a
plugin function that declares no kinds). The checker reports an operand of the
wrong kind where the engine could not compute it: arithmetic on a string or a
boolean, ``<`` on anything but numbers, ``==``/``in`` between different kinds,
a condition that is not a boolean, a function argument of the wrong kind, a
KPI that is a string. ``unknown`` is compatible with everything, so the checker
never guesses.

Metrics are numbers, dimensions strings, decisions strings (their labels),
parameters numbers or strings (as written), KPIs the kind of their expression,
status tests (``x is ok``) booleans.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Literal

from kpirules.lang import ast
from kpirules.lang.functions import FunctionRegistry, FunctionSpec
from kpirules.lang.model import DecisionDef, DimensionDef, KpiDef, MetricDef, ParamDef

Kind = Literal["number", "string", "boolean", "unknown"]
NUMBER: Kind = "number"
STRING: Kind = "string"
BOOLEAN: Kind = "boolean"
UNKNOWN: Kind = "unknown"

MAX_DIGITS = 15  # a float holds 15–17 significant digits: rounding further means nothing
ORDER_OPS = frozenset({"<", "<=", ">", ">="})
EQUALITY_OPS = frozenset({"==", "!="})

# (span, code, message, hint)
Report = Callable[[ast.Span, str, str, str | None], None]


def _a(kind: str) -> str:
    return f"a {kind}"


class TypeChecker:
    """Infers kinds in the expressions of one ruleset and reports mismatches."""

    def __init__(self, *, params: Mapping[str, ParamDef], dimensions: Mapping[str, DimensionDef],
                 metrics: Mapping[str, MetricDef], kpis: Mapping[str, KpiDef],
                 decisions: Mapping[str, DecisionDef], functions: FunctionRegistry,
                 report: Report) -> None:
        self.params = params
        self.dimensions = dimensions
        self.metrics = metrics
        self.kpis = kpis
        self.decisions = decisions
        self.functions = functions
        self._report = report
        self._kpi_kinds: dict[str, Kind] = {}
        self._visiting: set[str] = set()
        self._fallback = ast.NOWHERE

    def at(self, span: ast.Span) -> TypeChecker:
        """Where to point when an expression has no position of its own (the statement)."""
        self._fallback = span
        return self

    # ───────────────────────── entry points (reporting) ─────────────────────────

    def kpi(self, name: str, expr: ast.Expr) -> None:
        """A KPI is a number or a boolean (a condition)."""
        kind = self._kind(expr, True)
        if kind == STRING:
            self._error(expr, "type-mismatch",
                        f'KPI "{name}" must be a number or a boolean, but {self._subject(expr)} is a string',
                        "a KPI measures something; to label segments, use a decision")

    def condition(self, expr: ast.Expr, what: str) -> None:
        """``what`` (a rule's condition, a ``where`` guard…) must be a boolean."""
        kind = self._kind(expr, True)
        if kind not in (BOOLEAN, UNKNOWN):
            self._error(expr, "type-mismatch",
                        f"{what} must be true or false, but {self._subject(expr)} is {_a(kind)}",
                        self._condition_hint(expr, kind))

    def number(self, expr: ast.Expr, what: str) -> None:
        """``what`` (an objective's value) must be a number."""
        kind = self._kind(expr, True)
        if kind not in (NUMBER, UNKNOWN):
            self._error(expr, "type-mismatch",
                        f"{what} must be a number, but {self._subject(expr)} is {_a(kind)}",
                        self._number_hint(expr, kind))

    def threshold_clause(self, target: str, clause: ast.ThresholdClause) -> None:
        """``critical OP VALUE`` compares the target with the value."""
        target_kind = self.kind_of_name(target)
        value_kind = self._kind(clause.value, True)
        subject = self._name_subject(target)
        if clause.op in ORDER_OPS:
            if target_kind not in (NUMBER, UNKNOWN):
                self._report(clause.span if clause.span.line else self._fallback, "type-mismatch",
                             f'"{clause.op}" compares numbers, but {subject} is {_a(target_kind)}',
                             "test a boolean with == true or == false")
            elif value_kind not in (NUMBER, UNKNOWN):
                self._error(clause.value, "type-mismatch",
                            f'"{clause.op}" compares numbers, but {self._subject(clause.value)} '
                            f"is {_a(value_kind)}", self._number_hint(clause.value, value_kind))
        elif _differ(target_kind, value_kind):
            self._error(clause.value, "type-mismatch",
                        f'"{clause.op}" compares values of one kind, but {subject} is {_a(target_kind)} '
                        f"and {self._subject(clause.value)} is {_a(value_kind)}",
                        self._equality_hint(ast.Name(target), target_kind, clause.value, value_kind))

    def kind(self, expr: ast.Expr) -> Kind:
        """The kind of ``expr``, reporting the mismatches inside it (any kind is fine)."""
        return self._kind(expr, True)

    # ───────────────────────── inference ─────────────────────────

    def infer(self, expr: ast.Expr) -> Kind:
        """The kind of ``expr``, without reporting anything."""
        return self._kind(expr, False)

    def kind_of_name(self, name: str) -> Kind:
        if name in self.metrics:
            return NUMBER
        if name in self.dimensions or name in self.decisions:
            return STRING
        if name in self.params:
            value = self.params[name].value
            return STRING if isinstance(value, str) else NUMBER
        if name in self.kpis:
            if name not in self._kpi_kinds:
                if name in self._visiting:  # a cycle, reported by the checker
                    return UNKNOWN
                self._visiting.add(name)
                kind = self.infer(self.kpis[name].expr)
                self._visiting.discard(name)
                # a KPI that is a string is reported once, where it is defined
                self._kpi_kinds[name] = UNKNOWN if kind == STRING else kind
            return self._kpi_kinds[name]
        return UNKNOWN

    def _kind(self, expr: ast.Expr, report: bool) -> Kind:
        if isinstance(expr, ast.Number):
            return NUMBER
        if isinstance(expr, ast.String):
            return STRING
        if isinstance(expr, ast.Bool):
            return BOOLEAN
        if isinstance(expr, ast.Null):
            return UNKNOWN
        if isinstance(expr, ast.Name):
            return self.kind_of_name(expr.name)
        if isinstance(expr, ast.Unary):
            return self._unary(expr, report)
        if isinstance(expr, ast.Binary):
            return self._binary(expr, report)
        if isinstance(expr, ast.InList):
            self._inlist(expr, report)
            return BOOLEAN
        if isinstance(expr, ast.IsStatus):
            return BOOLEAN
        if isinstance(expr, ast.Call):
            return self._call(expr, report)
        return UNKNOWN  # pragma: no cover - every expression is handled above

    def _unary(self, expr: ast.Unary, report: bool) -> Kind:
        kind = self._kind(expr.operand, report)
        if expr.op == "not":
            if report and kind not in (BOOLEAN, UNKNOWN):
                self._error(expr.operand, "type-mismatch",
                            f'"not" negates a condition, but {self._subject(expr.operand)} is {_a(kind)}',
                            self._condition_hint(expr.operand, kind))
            return BOOLEAN
        if report and kind not in (NUMBER, UNKNOWN):
            self._error(expr.operand, "type-mismatch",
                        f'"-" works on numbers, but {self._subject(expr.operand)} is {_a(kind)}',
                        self._number_hint(expr.operand, kind))
        return NUMBER

    def _binary(self, expr: ast.Binary, report: bool) -> Kind:
        left = self._kind(expr.left, report)
        right = self._kind(expr.right, report)
        op = expr.op
        if op in ast.LOGIC_OPS:
            if report:
                for operand, kind in ((expr.left, left), (expr.right, right)):
                    if kind not in (BOOLEAN, UNKNOWN):
                        self._error(operand, "type-mismatch",
                                    f'"{op}" combines conditions, but {self._subject(operand)} is {_a(kind)}',
                                    self._condition_hint(operand, kind))
            return BOOLEAN
        if op in ast.ARITHMETIC_OPS or op in ORDER_OPS:
            if report:
                verb = "compares" if op in ORDER_OPS else "works on"
                for operand, kind in ((expr.left, left), (expr.right, right)):
                    if kind not in (NUMBER, UNKNOWN):
                        self._error(operand, "type-mismatch",
                                    f'"{op}" {verb} numbers, but {self._subject(operand)} is {_a(kind)}',
                                    self._number_hint(operand, kind, ordering=op in ORDER_OPS))
            return BOOLEAN if op in ORDER_OPS else NUMBER
        if op in EQUALITY_OPS:
            if report and _differ(left, right):
                blamed = expr.left if _is_literal(expr.left) and not _is_literal(expr.right) else expr.right
                self._error(blamed, "type-mismatch",
                            f'"{op}" compares values of one kind, but {self._subject(expr.left)} is {_a(left)} '
                            f"and {self._subject(expr.right)} is {_a(right)}",
                            self._equality_hint(expr.left, left, expr.right, right))
            return BOOLEAN
        return UNKNOWN  # pragma: no cover - the grammar has no other operator

    def _inlist(self, expr: ast.InList, report: bool) -> None:
        kind = self._kind(expr.operand, report)
        reference: ast.Expr = expr.operand
        for item in expr.items:
            item_kind = self._kind(item, report)
            if kind == UNKNOWN:
                kind, reference = item_kind, item
            elif report and _differ(kind, item_kind):
                keyword = "not in" if expr.negated else "in"
                self._error(item, "type-mismatch",
                            f'"{keyword}" compares values of one kind, but {self._subject(reference)} '
                            f"is {_a(kind)} and {self._subject(item)} is {_a(item_kind)}",
                            self._equality_hint(reference, kind, item, item_kind))

    # ───────────────────────── functions ─────────────────────────

    def _call(self, expr: ast.Call, report: bool) -> Kind:
        spec = self.functions.get(expr.func)
        bound = _bind(expr, spec) if spec is not None else None
        if spec is None or bound is None or not spec.arg_kinds:
            # unknown function or wrong arguments (reported by the checker), or a
            # plugin function without kinds: only look inside the arguments
            for each in [*expr.args, *(v for _, v in expr.kwargs)]:
                self._kind(each, report)
            if spec is None or spec.returns == "same":
                return UNKNOWN
            return _as_kind(spec.returns)
        same: Kind = UNKNOWN
        same_arg: ast.Expr | None = None
        for index, maybe in enumerate(bound):
            if maybe is None:
                continue
            arg: ast.Expr = maybe
            wanted = spec.arg_kinds[min(index, len(spec.arg_kinds) - 1)]
            kind = self._kind(arg, report)
            if wanted == "digits":
                if report and not self._whole_constant(arg):
                    self._error(arg, "bad-argument",
                                f"{expr.func}(): {_param(spec, index)} must be a constant whole number "
                                f"from -{MAX_DIGITS} to {MAX_DIGITS}, not {self._subject(arg)}",
                                f"write for instance {expr.func}(x, 2) for two decimals")
            elif wanted == "same":
                if same == UNKNOWN:
                    same, same_arg = kind, arg
                elif report and _differ(same, kind):
                    assert same_arg is not None
                    self._error(arg, "bad-argument",
                                f"{expr.func}(): the values must be of one kind, but {self._subject(same_arg)} "
                                f"is {_a(same)} and {self._subject(arg)} is {_a(kind)}",
                                self._equality_hint(same_arg, same, arg, kind))
            elif wanted in (NUMBER, STRING, BOOLEAN) and report and _differ(wanted, kind):
                if wanted == BOOLEAN:
                    self._error(arg, "bad-argument",
                                f"{expr.func}(): the condition {_param(spec, index)} must be true or false, "
                                f"but {self._subject(arg)} is {_a(kind)}",
                                self._condition_hint(arg, kind))
                else:
                    self._error(arg, "bad-argument",
                                f"{expr.func}(): {_param(spec, index)} must be {_a(wanted)}, "
                                f"but {self._subject(arg)} is {_a(kind)}",
                                self._number_hint(arg, kind) if wanted == NUMBER else None)
        return same if spec.returns == "same" else _as_kind(spec.returns)

    def _whole_constant(self, expr: ast.Expr) -> bool:
        value: object = None
        if isinstance(expr, ast.Number) and not expr.percent:
            value = expr.value
        elif isinstance(expr, ast.Name) and expr.name in self.params:
            value = self.params[expr.name].value
        return (isinstance(value, int | float) and math.isfinite(value)
                and value == int(value) and abs(value) <= MAX_DIGITS)

    # ───────────────────────── messages ─────────────────────────

    def _error(self, expr: ast.Expr, code: str, message: str, hint: str | None) -> None:
        span = _span(expr)
        self._report(span if span.line else self._fallback, code, message, hint)

    def _name_subject(self, name: str) -> str:
        if name in self.metrics:
            return f'metric "{name}"'
        if name in self.kpis:
            return f'KPI "{name}"'
        if name in self.dimensions:
            return f'dimension "{name}"'
        if name in self.decisions:
            return f'decision "{name}"'
        if name in self.params:
            return f'parameter "{name}"'
        return f'"{name}"'

    def _subject(self, expr: ast.Expr) -> str:
        if isinstance(expr, ast.Name):
            return self._name_subject(expr.name)
        from kpirules.lang.formatter import format_expr

        text = format_expr(expr)
        if isinstance(expr, ast.Call):
            return text if len(text) <= 30 else f"the value of {expr.func}()"
        if isinstance(expr, ast.Binary) and expr.op in ast.COMPARISON_OPS:
            what = "the comparison"
        elif isinstance(expr, ast.InList | ast.IsStatus):
            what = "the test"
        elif isinstance(expr, ast.Binary | ast.Unary) and expr.op in ("and", "or", "not"):
            what = "the condition"
        elif isinstance(expr, ast.Binary | ast.Unary):
            what = "the result of"
        else:
            return text  # a literal
        return what if len(text) > 30 else f"{what} {text}"

    def _number_hint(self, expr: ast.Expr, kind: Kind, ordering: bool = False) -> str | None:
        if kind == BOOLEAN:
            if ordering:
                return "a condition is tested as it is: write it alone, or with not"
            return "turn a condition into a number with if(CONDITION, 1, 0)"
        if kind != STRING:
            return None
        if isinstance(expr, ast.String) and _looks_numeric(expr.value):
            return f"write the number without quotes: {expr.value.strip()}"
        if isinstance(expr, ast.Name) and expr.name in self.dimensions:
            return 'the values of a dimension are strings: test them with ==, != or in ["…"]'
        if isinstance(expr, ast.Name) and expr.name in self.decisions:
            return "a decision's value is one of its labels: " + self._labels(expr.name)
        if isinstance(expr, ast.Name) and expr.name in self.params:
            return f'give the parameter a number: param {expr.name} = …'
        return 'strings can only be tested with ==, != or in ["…"]'

    def _condition_hint(self, expr: ast.Expr, kind: Kind) -> str | None:
        from kpirules.lang.formatter import format_expr

        text: str | None = format_expr(expr)
        if text is not None and len(text) > 30:
            text = None
        if kind == NUMBER:
            return f"compare it to make a condition, e.g. {text or '…'} > 0"
        if kind == STRING and isinstance(expr, ast.Name) and expr.name in self.decisions:
            first = self.decisions[expr.name].labels[:1]
            return f'compare it with a label, e.g. {text} == "{first[0] if first else "…"}"'
        if kind == STRING:
            return f'compare it to make a condition, e.g. {text or "…"} == "…"'
        return None

    def _equality_hint(self, left: ast.Expr, left_kind: Kind, right: ast.Expr, right_kind: Kind) -> str | None:
        for string, string_kind, other, other_kind in ((left, left_kind, right, right_kind),
                                                       (right, right_kind, left, left_kind)):
            if string_kind != STRING:
                continue
            if isinstance(string, ast.String) and _looks_numeric(string.value) and other_kind == NUMBER:
                return f"write the number without quotes: {string.value.strip()}"
            if isinstance(string, ast.Name) and string.name in self.decisions:
                return "a decision's value is one of its labels: " + self._labels(string.name)
            if isinstance(string, ast.Name) and string.name in self.dimensions and isinstance(other, ast.Number):
                return f'the values of a dimension are strings: write "{other.text}"'
            if isinstance(string, ast.String) and other_kind == NUMBER:
                return "only dimensions, decisions and string parameters hold strings"
        return None

    def _labels(self, decision: str) -> str:
        return ", ".join(f'"{label}"' for label in self.decisions[decision].labels) or "none yet"


def _differ(left: Kind, right: Kind) -> bool:
    return UNKNOWN not in (left, right) and left != right


def _as_kind(text: str) -> Kind:
    for kind in (NUMBER, STRING, BOOLEAN):
        if text == kind:
            return kind
    return UNKNOWN


def _is_literal(expr: ast.Expr) -> bool:
    return isinstance(expr, ast.Number | ast.String | ast.Bool | ast.Null)


def _looks_numeric(text: str) -> bool:
    try:
        float(text.strip().rstrip("%"))
    except ValueError:
        return False
    return bool(text.strip())


def _param(spec: FunctionSpec, index: int) -> str:
    return spec.params[index] if index < len(spec.params) else f"argument {index + 1}"


def _bind(expr: ast.Call, spec: FunctionSpec) -> list[ast.Expr | None] | None:
    """The arguments in parameter order, or None when they do not fit (the checker says why)."""
    args: list[ast.Expr | None] = list(expr.args)
    for key, value in expr.kwargs:
        if spec.max_args is None or key not in spec.params:
            return None
        index = spec.params.index(key)
        while len(args) <= index:
            args.append(None)
        if args[index] is not None:
            return None
        args[index] = value
    if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
        return None
    if any(a is None for a in args[: spec.min_args]):
        return None
    return args


def _span(expr: ast.Expr) -> ast.Span:
    """The position of ``expr``, or of its first sub-expression that has one."""
    for node in ast.walk(expr):
        if node.span.line:
            return node.span
        if isinstance(node, ast.Call) and node.func_span.line:
            return node.func_span
    return ast.NOWHERE
