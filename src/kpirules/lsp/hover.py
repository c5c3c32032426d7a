"""What the editor shows when the pointer rests on a name or a function.

A KPI shows its formula, unit, label, direction and thresholds; a metric its
column and how it rolls up; a function its signature and what it computes.
The statements are shown in the formatter's canonical style, so a hover reads
like the file would after ``kpirules fmt``.
"""

from __future__ import annotations

from kpirules.lang import ast
from kpirules.lang.formatter import INDENT, format_expr, statement_lines
from kpirules.lang.functions import CORE_FUNCTIONS, FunctionSpec
from kpirules.lsp.analysis import Analysis
from kpirules.lsp.symbols import Symbol

FENCE = "```"


def hover_text(analysis: Analysis, line: int, column: int) -> tuple[str, ast.Span] | None:
    """Markdown for the parser position, and the span it is about; ``None`` over nothing."""
    index = analysis.index
    occurrence = index.occurrence_at(line, column)
    if occurrence is not None:
        symbol = index.definition(occurrence.name)
        if symbol is not None:
            return describe_symbol(analysis, symbol), occurrence.span
        return None
    call = index.call_at(line, column)
    if call is not None:
        spec = functions_of(analysis).get(call.name)
        if spec is not None:
            return describe_function(spec), call.span
    return None


def inline_code(text: str) -> str:
    """``text`` as Markdown inline code, even when it holds backticks (a quoted name)."""
    if "`" not in text:
        return f"`{text}`"
    fence = "`" * (_longest_run(text) + 1)
    return f"{fence} {text} {fence}"


def _longest_run(text: str) -> int:
    longest = current = 0
    for ch in text:
        current = current + 1 if ch == "`" else 0
        longest = max(longest, current)
    return longest


def functions_of(analysis: Analysis) -> dict[str, FunctionSpec]:
    """The functions the document may call: the core ones and its plugins'."""
    registry = analysis.environment.functions
    return dict(registry) if registry is not None else dict(CORE_FUNCTIONS)


def statement_text(stmt: ast.Statement) -> str:
    """The statement as ``kpirules fmt`` writes it."""
    return "\n".join(INDENT * ln.indent + ln.text for ln in statement_lines(stmt))


def describe_symbol(analysis: Analysis, symbol: Symbol) -> str:
    stmt = symbol.statement
    title = getattr(stmt, "title", None)
    head = f"**{symbol.kind}** {inline_code(symbol.name)}" + (f" — {title}" if title else "")
    parts = [head, f"{FENCE}kpi\n{statement_text(stmt)}\n{FENCE}"]
    facts = _facts(symbol)
    if facts:
        parts.append("\n".join(f"- {fact}" for fact in facts))
    thresholds = [s for s in analysis.statements
                  if isinstance(s, ast.ThresholdStmt) and s.target.name == symbol.name]
    if thresholds and symbol.kind in ("kpi", "metric"):
        lines = []
        for threshold in thresholds:
            where = f" (where {format_expr(threshold.where)})" if threshold.where is not None else ""
            for clause in threshold.clauses:
                lines.append(f"- {clause.level} {clause.op} {format_expr(clause.value)}{where}")
        parts.append("**thresholds**\n" + "\n".join(lines))
    return "\n\n".join(parts)


def _facts(symbol: Symbol) -> list[str]:
    """The statement's settings in words, defaults included (``agg sum`` when not written)."""
    stmt = symbol.statement
    options = {opt.key: opt.value for opt in getattr(stmt, "options", ())
               if isinstance(opt, ast.Option)}
    facts = []
    if symbol.kind == "kpi" and isinstance(stmt, ast.KpiStmt):
        facts.append(f"formula: {inline_code(format_expr(stmt.expr))}")
    if symbol.kind == "metric":
        expr = getattr(stmt, "expr", None) or getattr(stmt, "aggregate", None)
        if expr is not None and hasattr(expr, "span"):
            facts.append(f"aggregate of the raw rows: {inline_code(format_expr(expr))}")
        else:
            facts.append(f"column: {inline_code(symbol.name)} in the data")
            facts.append(f"agg: {_word(options.get('agg')) or 'sum'}")
    for key in ("unit", "better", "missing", "label"):
        value = _word(options.get(key))
        if value is not None:
            facts.append(f"{key}: {value}")
    if isinstance(stmt, ast.ParamStmt):
        param = stmt.value
        facts.append("value: " + (param.text if isinstance(param, ast.Number) else f'"{param.value}"'))
    if isinstance(stmt, ast.DimensionStmt) and stmt.label:
        facts.append(f"label: {stmt.label}")
    if isinstance(stmt, ast.DecisionStmt):
        facts.append("labels: " + ", ".join(f'"{b.label}"' for b in stmt.branches))
    return facts


def _word(value: object) -> str | None:
    if isinstance(value, ast.Ident):
        return value.name
    if isinstance(value, ast.Number):
        return value.text
    if isinstance(value, ast.String):
        return value.value
    return None


def signature(spec: FunctionSpec) -> str:
    """``round(x, [digits])``, ``min(a, …)``: how a function is called."""
    params = []
    for i, param in enumerate(spec.params):
        params.append(param if i < spec.min_args else f"[{param}]")
    if spec.max_args is None:
        params.append("…")
    return f"{spec.name}({', '.join(params)})"


def describe_function(spec: FunctionSpec) -> str:
    origin = "" if spec.plugin == "kpirules" else f"\n\nfrom the plugin `{spec.plugin}`"
    return f"{FENCE}kpi\n{signature(spec)}\n{FENCE}\n\n{spec.doc}{origin}"
