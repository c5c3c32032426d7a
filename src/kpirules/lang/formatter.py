"""Rule text → the same rule text in canonical style, comments kept.

``kpirules fmt`` promises two things: formatting twice changes nothing, and the
meaning never changes. So the formatter works from the AST (which fixes the
meaning) and not from the text, and it checks its own output: the formatted
text must parse back to the same statements, or formatting fails loudly rather
than silently rewriting what a rule means.

The parser drops comments, so they are found here by scanning the text (a
``#`` outside strings and backtick names) and put back by position:

- a comment alone on its line goes before the statement or clause that
  follows it (or before the statement or clause it sits inside);
- a comment after code goes at the end of the output line of the statement or
  clause it follows.

Canonical style, in short: one statement per line; clauses (threshold levels,
decision branches, rule clauses, an objective's target, the ruleset's grain)
on their own lines indented by two spaces; metric options in the order
``unit agg missing label``, KPI options ``unit better label``, rule options
``for scope severity``; expressions with single spaces around operators and
only the parentheses that precedence needs; numbers as written. A blank line
separates groups of statements of different kinds and surrounds every
multi-line statement; blank lines the author left between single-line
statements of the same kind (and around comment blocks) are kept, at most one.

Consecutive parameters, dimensions, metrics and KPIs (no blank line between
them) are aligned in columns, as analysts write them: the name, then the
value or formula, then the first option, each padded to the widest of the run
(a cell wider than ``ALIGN_UP_TO`` is not padded, so that one long formula
does not push the whole run to the right).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from typing import cast

import attrs
from attrs import define, evolve, field

from kpirules.errors import RuleFileError
from kpirules.lang import ast
from kpirules.lang.diagnostics import has_errors
from kpirules.lang.parser import parse
from kpirules.lang.transform import KEYWORDS

INDENT = "  "
ALIGN_UP_TO = 48
METRIC_OPTION_ORDER = ("unit", "agg", "missing", "label")
KPI_OPTION_ORDER = ("unit", "better", "label")
RULE_OPTION_ORDER = ("for", "scope", "severity")
MULTI_LINE = (ast.RulesetStmt, ast.ThresholdStmt, ast.DecisionStmt, ast.ObjectiveStmt, ast.RuleStmt)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Strings and backtick names are skipped so that a "#" inside them is not a comment.
_COMMENT_SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|`[^`\n]*`?|#[^\n]*')


class FormatterBug(AssertionError):
    """The formatted text would not mean the same as the original (a bug, never a user error)."""


def format_text(text: str, path: str = "<string>") -> str:
    """``text`` in canonical style; raises RuleFileError when it has syntax errors."""
    rule_file, diagnostics = parse(text, path)
    if has_errors(diagnostics):
        raise RuleFileError(diagnostics)
    formatted = _Layout(text, rule_file.statements, scan_comments(text)).render()
    _check_same_meaning(rule_file, formatted, path)
    return formatted


# ───────────────────────── comments ─────────────────────────


@define
class Comment:
    """A comment as written (``text`` starts with ``#``), and whether code precedes it."""

    line: int
    column: int
    text: str
    trailing: bool


def scan_comments(text: str) -> list[Comment]:
    """Every comment of ``text`` in file order (1-based line and column)."""
    comments: list[Comment] = []
    for m in _COMMENT_SCAN.finditer(text):
        if not m.group(0).startswith("#"):
            continue
        start = m.start()
        line_start = text.rfind("\n", 0, start) + 1
        comments.append(Comment(
            line=text.count("\n", 0, start) + 1,
            column=start - line_start + 1,
            text=m.group(0).rstrip(),
            trailing=bool(text[line_start:start].strip()),
        ))
    return comments


# ───────────────────────── names, literals and expressions ─────────────────────────


def quote_name(name: str) -> str:
    """A name as it must be written: between backticks when it is a keyword or not an identifier."""
    if name in KEYWORDS or not _IDENTIFIER.fullmatch(name):
        return f"`{name}`"
    return name


def quote_string(value: str) -> str:
    """A string literal whose value is ``value`` (the inverse of the parser's unescape)."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


def format_number(number: ast.Number) -> str:
    """A number exactly as written (``1_000``, ``30%``, ``2.5e6``)."""
    if number.text:
        return number.text
    # Built by code rather than parsed: write a literal of the same value.
    value = number.value * 100 if number.percent else number.value
    text = repr(int(value)) if value == int(value) else repr(value)
    return text + ("%" if number.percent else "")


# Binding strength, loosest first: or, and, not, comparisons (also in / is),
# + -, * /, unary minus, ^, atoms.
_BINARY_PRECEDENCE = {
    "or": (1, 1, 2),
    "and": (2, 2, 3),
    "+": (5, 5, 6),
    "-": (5, 5, 6),
    "*": (6, 6, 7),
    "/": (6, 6, 7),
    "^": (8, 9, 7),  # the left of ^ is an atom; its right may be a unary minus
}
_COMPARISON = (4, 5, 5)  # non-associative: both sides are sums
_NOT, _NEG, _ATOM = 3, 7, 9


def _precedence(expr: ast.Expr) -> int:
    if isinstance(expr, ast.Binary):
        return _BINARY_PRECEDENCE.get(expr.op, _COMPARISON)[0]
    if isinstance(expr, ast.Unary):
        return _NOT if expr.op == "not" else _NEG
    if isinstance(expr, ast.InList | ast.IsStatus):
        return _COMPARISON[0]
    if isinstance(expr, ast.Number) and format_number(expr).startswith("-"):
        return _NEG  # "-2" reads as a unary minus: "(-2) ^ x" needs its parentheses
    return _ATOM


def format_expr(expr: ast.Expr, context: int = 0) -> str:
    """``expr`` with the fewest parentheses that keep its tree, inside an operand slot
    that needs at least binding strength ``context``.

    The tree is walked with an explicit stack, children before parents, so that
    however deep an expression the parser accepts, printing it cannot hit
    Python's recursion limit.
    """
    done: dict[int, str] = {}
    stack: list[tuple[ast.Expr, bool]] = [(expr, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in done:
            continue
        if children_done:
            done[id(node)] = _format_node(node, lambda child, ctx: _wrap(child, done[id(child)], ctx))
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    return _wrap(expr, done[id(expr)], context)


def _wrap(expr: ast.Expr, text: str, context: int) -> str:
    return f"({text})" if _precedence(expr) < context else text


_children = ast.children


def _format_node(expr: ast.Expr, sub: Callable[[ast.Expr, int], str]) -> str:
    """One node's text; ``sub(child, context)`` gives a child's text, parenthesised as needed."""
    if isinstance(expr, ast.Number):
        return format_number(expr)
    if isinstance(expr, ast.String):
        return quote_string(expr.value)
    if isinstance(expr, ast.Bool):
        return "true" if expr.value else "false"
    if isinstance(expr, ast.Null):
        return "null"
    if isinstance(expr, ast.Name):
        return quote_name(expr.name)
    if isinstance(expr, ast.Unary):
        if expr.op == "not":
            return "not " + sub(expr.operand, _NOT)
        return "-" + sub(expr.operand, _NEG)
    if isinstance(expr, ast.Binary):
        _, left, right = _BINARY_PRECEDENCE.get(expr.op, _COMPARISON)
        return f"{sub(expr.left, left)} {expr.op} {sub(expr.right, right)}"
    if isinstance(expr, ast.InList):
        items = ", ".join(sub(item, 0) for item in expr.items)
        keyword = "not in" if expr.negated else "in"
        return f"{sub(expr.operand, _COMPARISON[1])} {keyword} [{items}]"
    if isinstance(expr, ast.IsStatus):
        keyword = "is not" if expr.negated else "is"
        return f"{sub(expr.operand, _COMPARISON[1])} {keyword} {expr.status}"
    if isinstance(expr, ast.Call):
        args = [sub(arg, 0) for arg in expr.args]
        args += [f"{quote_name(key)}={sub(value, 0)}" for key, value in expr.kwargs]
        return f"{quote_name(expr.func)}({', '.join(args)})"
    raise TypeError(f"not an expression: {expr!r}")


# ───────────────────────── statements ─────────────────────────


def sort_options(options: Sequence[ast.Option], order: Sequence[str]) -> tuple[ast.Option, ...]:
    """Options in canonical order; repeated keys keep their relative order (the
    checker reports the second, so which one counts does not change)."""
    rank = {key: i for i, key in enumerate(order)}
    return tuple(sorted(options, key=lambda opt: rank.get(opt.key, len(rank))))


def _option_text(opt: ast.Option) -> str:
    value = opt.value
    if isinstance(value, ast.Ident):
        return f"{opt.key} {quote_name(value.name)}"
    if isinstance(value, ast.String):
        return f"{opt.key} {quote_string(value.value)}"
    return f"{opt.key} {format_number(value)}"


def _title(title: str | None) -> str:
    return "" if title is None else " " + quote_string(title)


@define
class _Line:
    """One output line and where its construct starts and ends in the source."""

    indent: int
    text: str
    start: tuple[int, int]
    end_line: int
    before: list[Comment] = field(factory=list)
    after: list[Comment] = field(factory=list)
    cells: list[str] | None = None  # columns a run of similar statements aligns


def _cells_line(cells: list[str], span: ast.Span) -> _Line:
    return _Line(0, _join_cells(cells, None), _pos(span), _end(span), cells=cells)


def _join_cells(cells: list[str], widths: list[int] | None) -> str:
    """Cells padded to ``widths``: one space after the name, two between the others."""
    out = ""
    for i, cell in enumerate(cells):
        if i:
            out += " " if i == 1 else "  "
        last = i == len(cells) - 1
        width = widths[i] if widths is not None and i < len(widths) and not last else 0
        out += cell.ljust(width) if len(cell) <= ALIGN_UP_TO else cell
    return out


def align(lines: list[_Line]) -> None:
    """Pad the first columns of a run of single-line statements to a common width."""
    rows = [ln.cells for ln in lines if ln.cells is not None]
    if len(rows) < 2:
        return
    columns = 3  # name, value or formula, first option
    widths = []
    for j in range(columns):
        cells = [r[j] for r in rows if len(r) > j + 1 and len(r[j]) <= ALIGN_UP_TO]
        widths.append(max((len(c) for c in cells), default=0))
    for ln in lines:
        if ln.cells is not None:
            ln.text = _join_cells(ln.cells, widths)


def _pos(span: ast.Span) -> tuple[int, int]:
    return (span.line, span.column)


def _end(*spans: ast.Span | None) -> int:
    return max((s.end_line or s.line) for s in spans if s is not None)


def _expr_span(expr: ast.Expr | None, default: ast.Span) -> ast.Span:
    span = getattr(expr, "span", None)
    return span if isinstance(span, ast.Span) and span.line else default


def statement_lines(stmt: ast.Statement) -> list[_Line]:
    """The output lines of one statement in canonical style."""
    span = stmt.span
    if isinstance(stmt, ast.RulesetStmt):
        lines = [_Line(0, f"ruleset {quote_name(stmt.name.name)}{_title(stmt.title)}",
                       _pos(span), _end(stmt.name.span))]
        if stmt.grain is not None:
            lines.append(_Line(1, f"grain {quote_name(stmt.grain.name)}",
                               _pos(stmt.grain.span), _end(stmt.grain.span)))
        if stmt.locale is not None:
            lines.append(_Line(1, f"locale {quote_name(stmt.locale.name)}",
                               _pos(stmt.locale.span), _end(stmt.locale.span)))
        return lines
    if isinstance(stmt, ast.ParamStmt):
        value = (format_number(stmt.value) if isinstance(stmt.value, ast.Number)
                 else quote_string(stmt.value.value))
        return [_cells_line([f"param {quote_name(stmt.name.name)}", f"= {value}"], span)]
    if isinstance(stmt, ast.DimensionStmt):
        cells = [f"dimension {quote_name(stmt.name.name)}"]
        if stmt.label is not None:
            cells.append(quote_string(stmt.label))
        return [_cells_line(cells, span)]
    if isinstance(stmt, ast.MetricStmt):
        cells = [f"metric {quote_name(stmt.name.name)}"]
        if stmt.aggregate is not None:  # aligned as a KPI's formula
            where = "" if stmt.where is None else f" where {format_expr(stmt.where)}"
            cells.append(f"= {format_expr(stmt.aggregate)}{where}")
        cells += [_option_text(o) for o in sort_options(stmt.options, METRIC_OPTION_ORDER)]
        return [_cells_line(cells, span)]
    if isinstance(stmt, ast.KpiStmt):
        cells = [f"kpi {quote_name(stmt.name.name)}", f"= {format_expr(stmt.expr)}"]
        cells += [_option_text(o) for o in sort_options(stmt.options, KPI_OPTION_ORDER)]
        return [_cells_line(cells, span)]
    if isinstance(stmt, ast.ThresholdStmt):
        head = f"threshold {quote_name(stmt.target.name)}"
        if stmt.where is not None:
            head += f" where {format_expr(stmt.where)}"
        where_span = _expr_span(stmt.where, stmt.target.span) if stmt.where is not None else None
        lines = [_Line(0, head, _pos(span), _end(stmt.target.span, where_span))]
        lines += _clause_lines(stmt.clauses)
        return lines
    if isinstance(stmt, ast.DecisionStmt):
        lines = [_Line(0, f"decision {quote_name(stmt.name.name)}{_title(stmt.title)}",
                       _pos(span), _end(stmt.name.span))]
        for branch in stmt.branches:
            tail = "otherwise" if branch.condition is None else f"when {format_expr(branch.condition)}"
            lines.append(_Line(1, f"{quote_string(branch.label)} {tail}",
                               _pos(branch.span), _end(branch.span)))
        return lines
    if isinstance(stmt, ast.ObjectiveStmt):
        return _objective_lines(stmt)
    return _rule_lines(stmt)


def _clause_lines(clauses: tuple[ast.ThresholdClause, ...]) -> list[_Line]:
    """Threshold levels; with ``recover``, in columns (level, comparison, recovery)."""
    aligned = any(c.recover is not None for c in clauses)
    level_width = max((len(c.level) for c in clauses), default=0) if aligned else 0
    tests = [f"{c.op} {format_expr(c.value)}" for c in clauses]
    test_width = max((len(t) for t, c in zip(tests, clauses, strict=True) if c.recover is not None),
                     default=0)
    lines = []
    for clause, test in zip(clauses, tests, strict=True):
        text = f"{clause.level.ljust(level_width)} {test}"
        if clause.recover is not None:
            text = f"{text.ljust(level_width + 1 + test_width)}  recover {clause.recover_op} " \
                   f"{format_expr(clause.recover)}"
        lines.append(_Line(1, text, _pos(clause.span), _end(clause.span)))
    return lines


def _objective_lines(stmt: ast.ObjectiveStmt) -> list[_Line]:
    target = quote_name(stmt.target.name)
    if stmt.kind == "compare":
        body = f"{target} {stmt.op} {format_expr(stmt.amount)} by {stmt.deadline.text}"
        if stmt.start is not None:
            body += f" from {stmt.start.text}"
    else:
        start = stmt.start.text if stmt.start is not None else ""
        body = f"{target} {stmt.kind} {format_expr(stmt.amount)} from {start} to {stmt.deadline.text}"
    return [
        _Line(0, f"objective {quote_name(stmt.name.name)}{_title(stmt.title)}",
              _pos(stmt.span), _end(stmt.name.span)),
        _Line(1, body, _pos(stmt.target.span), _end(stmt.span)),
    ]


def _rule_lines(stmt: ast.RuleStmt) -> list[_Line]:
    cond_span = _expr_span(stmt.condition, stmt.name.span)
    lines = [
        _Line(0, f"rule {quote_name(stmt.name.name)}{_title(stmt.title)}",
              _pos(stmt.span), _end(stmt.name.span)),
        _Line(1, f"when {format_expr(stmt.condition)}", _pos(cond_span), _end(cond_span)),
    ]
    rank = {key: i for i, key in enumerate(RULE_OPTION_ORDER)}
    for opt in sorted(stmt.options, key=lambda o: rank[o.key]):
        value = opt.value
        if opt.key == "for":
            assert isinstance(value, ast.Number)
            text = f"for {format_number(value)} periods"
        elif opt.key == "scope":
            assert isinstance(value, ast.Ident)
            text = f"scope {quote_name(value.name)}"
        else:
            assert isinstance(value, ast.Ident)
            text = f"severity {value.name}"  # info, warning or critical: keywords as written
        lines.append(_Line(1, text, _pos(opt.span), _end(opt.span)))
    lines += _call_lines("then", stmt.actions)
    if stmt.renotify is not None:
        lines.append(_Line(1, f"renotify every {format_number(stmt.renotify)} periods",
                           _pos(stmt.renotify.span), _end(stmt.renotify.span)))
    lines += _call_lines("resolve", stmt.resolve)
    return lines


def _call_lines(keyword: str, calls: tuple[ast.ActionCallStmt, ...]) -> list[_Line]:
    """``then a(…)`` / ``resolve a(…)``, further calls on their own lines below."""
    lines = []
    for i, call in enumerate(calls):
        args = ", ".join(f"{quote_name(a.name.name)}={format_expr(a.value)}" for a in call.args)
        text = f"{quote_name(call.name.name)}({args})"
        if i == 0:
            lines.append(_Line(1, f"{keyword} {text}", _pos(call.span), _end(call.span)))
        else:
            lines.append(_Line(2, text, _pos(call.span), _end(call.span)))
    return lines


# ───────────────────────── layout ─────────────────────────


def _group(stmt: ast.Statement, index: int) -> tuple[str, int]:
    """Statements of one group sit together; every multi-line statement is its own group."""
    if isinstance(stmt, MULTI_LINE):
        return (type(stmt).__name__, index)
    return (type(stmt).__name__, -1)


class _Layout:
    """Places comments on the output lines and joins everything with blank lines."""

    def __init__(self, text: str, statements: Sequence[ast.Statement], comments: Iterable[Comment]) -> None:
        self.source_lines = text.split("\n")
        self.statements = list(statements)
        self.blocks = [statement_lines(s) for s in self.statements]
        self.tail: list[Comment] = []
        self._attach(list(comments))
        self._align()

    def _align(self) -> None:
        """Align each run of same-kind single-line statements not separated by a blank line."""
        run: list[_Line] = []
        previous: ast.Statement | None = None
        for stmt, block in zip(self.statements, self.blocks, strict=True):
            joined = (previous is not None and type(stmt) is type(previous)
                      and block[0].cells is not None
                      and not self._blank_before(previous, block[0]))
            if not joined:
                align(run)
                run = []
            if block[0].cells is not None:
                run.append(block[0])
            previous = stmt
        align(run)

    def _attach(self, comments: list[Comment]) -> None:
        """Give each comment to an output line (see the module docstring).

        Statements do not overlap and come in file order, so a comment is first
        placed in the last statement starting on or before its line (found by
        bisection); only that statement's few lines are then searched.
        """
        starts = [stmt.span.line for stmt in self.statements]
        for comment in comments:
            index = bisect_right(starts, comment.line) - 1
            lines = self.blocks[index] if index >= 0 else []
            if comment.trailing:
                before = [ln for ln in lines if ln.start <= (comment.line, comment.column)]
                if before:
                    max(before, key=lambda ln: ln.start).after.append(comment)
                    continue
            inside = [ln for ln in lines if ln.start[0] < comment.line <= ln.end_line]
            if inside:
                max(inside, key=lambda ln: ln.start).before.append(comment)
                continue
            after = [ln for ln in lines if ln.start[0] > comment.line]
            if after:
                min(after, key=lambda ln: ln.start).before.append(comment)
            elif index + 1 < len(self.blocks):
                self.blocks[index + 1][0].before.append(comment)
            else:
                self.tail.append(comment)

    def _blank_before(self, previous: ast.Statement, line: _Line) -> bool:
        """Whether render() puts a blank line between ``previous`` and ``line`` (comments included)."""
        last = previous.span.end_line or previous.span.line
        for position in [*sorted(c.line for c in line.before), line.start[0]]:
            if self._blank_between(last, position):
                return True
            last = position
        return False

    def _blank_between(self, first_line: int, last_line: int) -> bool:
        """Whether the source has an empty line strictly between two lines."""
        return any(not self.source_lines[i - 1].strip()
                   for i in range(first_line + 1, last_line)
                   if 1 <= i <= len(self.source_lines))

    def render(self) -> str:
        out: list[str] = []
        prev_line: int | None = None  # last source line of the previous top-level item
        prev_group: tuple[str, int] | None = None

        def emit(text: str, first: int, last: int, forced: bool = False) -> None:
            nonlocal prev_line
            if prev_line is not None and (forced or self._blank_between(prev_line, first)):
                out.append("")
            out.append(text)
            prev_line = last

        for index, (stmt, block) in enumerate(zip(self.statements, self.blocks, strict=True)):
            group = _group(stmt, index)
            forced = prev_group is not None and group != prev_group
            prev_group = group
            for comment in sorted(block[0].before, key=lambda c: c.line):
                emit(comment.text, comment.line, comment.line, forced)
                forced = False
            start = block[0].start[0]
            end = max(stmt.span.end_line or stmt.span.line, start)
            emit(self._line_text(block[0]), start, end, forced)
            for line in block[1:]:
                for comment in sorted(line.before, key=lambda c: c.line):
                    out.append(INDENT * line.indent + comment.text)
                out.append(self._line_text(line))
        for comment in self.tail:
            emit(comment.text, comment.line, comment.line)
        return "\n".join(out) + "\n" if out else ""

    @staticmethod
    def _line_text(line: _Line) -> str:
        text = INDENT * line.indent + line.text
        if line.after:
            text += "  " + "  ".join(c.text for c in sorted(line.after, key=lambda c: (c.line, c.column)))
        return text


# ───────────────────────── meaning check ─────────────────────────


def canonical_statements(rule_file: ast.RuleFile) -> tuple[ast.Statement, ...]:
    """The statements with options in canonical order: what formatting must preserve
    (AST equality already ignores positions)."""
    out: list[ast.Statement] = []
    rank = {key: i for i, key in enumerate(RULE_OPTION_ORDER)}
    for stmt in rule_file.statements:
        if isinstance(stmt, ast.MetricStmt):
            stmt = evolve(stmt, options=sort_options(stmt.options, METRIC_OPTION_ORDER))
        elif isinstance(stmt, ast.KpiStmt):
            stmt = evolve(stmt, options=sort_options(stmt.options, KPI_OPTION_ORDER))
        elif isinstance(stmt, ast.RuleStmt):
            stmt = evolve(stmt, options=tuple(sorted(stmt.options, key=lambda o: rank[o.key])))
        out.append(stmt)
    return tuple(out)


def _check_same_meaning(original: ast.RuleFile, formatted: str, path: str) -> None:
    again, diagnostics = parse(formatted, path)
    if has_errors(diagnostics) or not same_tree(canonical_statements(again), canonical_statements(original)):
        raise FormatterBug(
            f"formatting {path} would change its meaning; please report this bug with the file")


def same_tree(left: object, right: object) -> bool:
    """AST equality (positions aside, as ``==`` on nodes), with an explicit stack:
    attrs' ``__eq__`` recurses once per level and deep expressions would overflow it."""
    stack = [(left, right)]
    while stack:
        a, b = stack.pop()
        if type(a) is not type(b):
            return False
        if isinstance(a, tuple | list):
            assert isinstance(b, tuple | list)
            if len(a) != len(b):
                return False
            stack.extend(zip(a, b, strict=True))
        elif attrs.has(type(a)):
            node_type = cast("type[attrs.AttrsInstance]", type(a))
            stack.extend((getattr(a, f.name), getattr(b, f.name))
                         for f in attrs.fields(node_type) if f.eq)
        elif a != b:
            return False
    return True
