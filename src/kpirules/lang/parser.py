"""Rule text → :class:`~kpirules.lang.ast.RuleFile`, reporting every syntax error.

The whole file is parsed at once, on a fast path (a one-regex lexer, the AST
built during the parse, the garbage collector paused) that does not import
Lark. When that fails, the file is cut into statements (each starts with a
statement keyword) and each is parsed on its own by Lark's standard front end
(imported then), so that one typo does not hide the problems of the rest of
the file and every message comes from the same, well-tested machinery.
Syntax errors are put in words by :mod:`kpirules.lang.syntax_errors`.
"""

from __future__ import annotations

import gc
import re
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from kpirules.lang import ast
from kpirules.lang.diagnostics import Diagnostic
from kpirules.lang.fastpath import FastParser, FastPathRefused, fast_parser
from kpirules.lang.tokens import STATEMENT_KEYWORDS

if TYPE_CHECKING:
    from lark import Lark, Tree

# Statement starts for recovery: a keyword outside strings, backticks and comments.
_SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|`[^`\n]*`?|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*')


MAX_DEPTH = 200  # nesting of one statement's formulas; deeper is refused, never a crash
MAX_TERMS = 1_000  # operands of one chain (depth of the tree beyond its nesting): more is refused
# Operators that chain without nesting: a + b - c is one level, as a * b / c and a and b and c.
_CHAINS = {"+": "sum", "-": "sum", "*": "product", "/": "product", "and": "and", "or": "or", "^": "power"}
# The checker, the type checker, the compiler, the formatter and explain recurse once or a few
# times per level of a tree; MAX_TERMS levels need more frames than Python's default 1,000.
_FRAMES = 8_000
if sys.getrecursionlimit() < _FRAMES:
    sys.setrecursionlimit(_FRAMES)


def parse(text: str, path: str = "<string>") -> tuple[ast.RuleFile, list[Diagnostic]]:
    """Parse ``text``; return the statements that parsed and every diagnostic."""
    fast = fast_parser()
    try:
        with gc_paused():
            statements, builder_diagnostics = fast.parse(text, path)
    except FastPathRefused as err:
        from kpirules.lang.grammar import parser as lark_parser  # Lark: for errors only

        return _parse_by_statement(lark_parser(), text, path, fast, err.offset)
    return _accept(statements, builder_diagnostics, path, text)


def parse_standard(text: str, path: str = "<string>") -> tuple[ast.RuleFile, list[Diagnostic]]:
    """:func:`parse` with Lark's standard front end only: the reference the fast path must match."""
    from lark.exceptions import UnexpectedInput

    from kpirules.lang.grammar import parser as lark_parser

    lark = lark_parser()
    try:
        with gc_paused():
            tree = lark.parse(text)
    except UnexpectedInput:
        return _parse_by_statement(lark, text, path)
    return _build(tree, path)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No garbage collection while building a large tree of new objects.

    Parsing allocates hundreds of thousands of objects that all stay alive;
    the collector would scan them again and again for nothing (a fifth of the
    parse). Nor once more when it is back on: they would all be in its
    youngest generation, scanned whole by the next collection (30 ms after a
    7,000-line file), so they are first moved to the oldest one (freezing and
    unfreezing moves every tracked object there at once, and nothing is kept
    from the collector: a later full collection still frees any cycle).
    Restored afterwards, whatever happens.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _build(tree: Tree, path: str) -> tuple[ast.RuleFile, list[Diagnostic]]:
    """AST of a parse tree from the standard front end."""
    from kpirules.lang.grammar import ToAst

    builder = ToAst(path)
    statements = [builder.transform(child) for child in tree.children]
    return _accept(statements, builder.diagnostics, path)


def _accept(statements: list[Any], builder_diagnostics: list[Diagnostic],
            path: str, text: str | None = None) -> tuple[ast.RuleFile, list[Diagnostic]]:
    """The statements, refusing any nested deeper, or chained longer, than the later passes can go.

    Each level of nesting and each operand of a chain takes at least one character, so a
    statement of at most :data:`MAX_DEPTH` characters is not measured. With the file's
    ``text``, the characters of a statement over several lines are counted too (a
    generated file's thresholds and rules), else every such statement is measured.
    """
    starts = _line_starts(text) if text is not None else None
    accepted: list[ast.Statement] = []
    diagnostics: list[Diagnostic] = []
    for statement in statements:
        span = statement.span
        if span.end_line == span.line:
            long = span.end_column - span.column > MAX_DEPTH
        elif starts is not None and span.line > 0 and span.end_line <= len(starts):
            long = ((starts[span.end_line - 1] + span.end_column)
                    - (starts[span.line - 1] + span.column) > MAX_DEPTH)
        else:
            long = True
        problem = _too_deep(statement) if long else None
        if problem is not None:
            diagnostics.append(Diagnostic(path, span.line or 1, span.column or 1, "error", "too-deep",
                                          problem, "split the formula into several KPIs"))
            continue
        accepted.append(statement)
    return ast.RuleFile(path, tuple(accepted)), [*builder_diagnostics, *diagnostics]


def _line_starts(text: str) -> list[int]:
    """The offset at which each line of ``text`` starts (line n at index n - 1)."""
    starts = [0]
    find = text.find
    at = find("\n")
    while at != -1:
        starts.append(at + 1)
        at = find("\n", at + 1)
    return starts


def _too_deep(statement: Any) -> str | None:
    """Why the statement is too deep for the later passes, or None.

    Two measures: *nesting* (parentheses, calls, lists, operators of different
    kinds inside one another), where a chain of the same operators
    (``a + b - c + …``, ``x and y and …``) counts as one level, as a reader
    sees it; and the depth of the tree itself, where a chain of n operands is
    n levels deep, since every later pass recurses once per operand.
    """
    nesting, depth = _depth(statement)
    if nesting > MAX_DEPTH:
        return f"this statement nests more than {MAX_DEPTH} levels deep"
    if depth - nesting > MAX_TERMS:
        return f"this statement chains more than {MAX_TERMS:,} operands (a + b + c …)"
    return None


def _depth(node: Any) -> tuple[int, int]:
    """(nesting, tree depth) of an AST, measured without recursion (each level costs stack later)."""
    nesting = depth = 0
    stack: list[tuple[Any, int, int, str | None]] = [(node, 1, 1, None)]
    while stack:
        item, level, tree, chain = stack.pop()
        nesting, depth = max(nesting, level), max(depth, tree)
        if nesting > MAX_DEPTH or depth > MAX_TERMS + MAX_DEPTH:
            break
        if isinstance(item, tuple):
            stack.extend((x, level, tree, None) for x in item)
        elif isinstance(item, ast.Binary):
            group = _CHAINS.get(item.op)
            continued = group is not None and group == chain
            here = level if continued else level + 1
            chained = item.right if item.op == "^" else item.left  # how the grammar associates
            for child in (item.left, item.right):
                same = group if child is chained else None
                stack.append((child, here, tree + 1, same))
        elif hasattr(item, "__attrs_attrs__"):
            stack.extend((getattr(item, f.name), level + 1, tree + 1, None) for f in item.__attrs_attrs__
                         if f.name != "span")
    return nesting, depth


def _statement_chunks(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each statement, cut at statement keywords."""
    starts: list[int] = []
    for m in _SCAN.finditer(text):
        if m.group(0) in STATEMENT_KEYWORDS:
            starts.append(m.start())
    if not starts or (text[: starts[0]].strip() and _has_code(text[: starts[0]])):
        starts.insert(0, 0)
    return [(s, starts[i + 1] if i + 1 < len(starts) else len(text)) for i, s in enumerate(starts)]


def _has_code(text: str) -> bool:
    return any(line.split("#", 1)[0].strip() for line in text.splitlines())


def _parse_by_statement(lark: Lark, text: str, path: str, fast: FastParser | None = None,
                        whole_file_error: int | bool | None = False
                        ) -> tuple[ast.RuleFile, list[Diagnostic]]:
    """Each statement on its own, as if parsed alone; the failing ones explained by Lark's front end.

    With ``fast``, runs of statements are first tried in one pass: a run that
    parses into exactly one statement per chunk gives what the chunks would
    give one by one, and a failing run is split at the failing chunk, so a
    file with one error costs about two passes rather than one call per
    statement. ``whole_file_error``: where the fast path failed on the whole
    file (an offset, None at its end; False: not tried), so that the first
    split needs no second try.
    """
    chunks = _statement_chunks(text)
    positions = _chunk_positions(text, chunks)
    parts: list[tuple[ast.RuleFile, list[Diagnostic]]] = []
    pending: deque[tuple[int, int]] = deque([(0, len(chunks))])
    if fast is not None and whole_file_error is not False and len(chunks) > 1:
        failing = _chunk_at(chunks, whole_file_error, 0, len(chunks))
        pending = deque([(0, failing), (failing, failing + 1), (failing + 1, len(chunks))])
    while pending:
        first, stop = pending.popleft()
        if first >= stop:
            continue
        if fast is None or stop - first == 1:
            parts.extend(_one_statement(lark, fast, text, path, chunks, positions, index)
                         for index in range(first, stop))
            continue
        start, end = chunks[first][0], chunks[stop - 1][1]
        try:
            with gc_paused():
                found, found_diagnostics = fast.parse(text, path, start, end, *positions[first])
        except FastPathRefused as err:
            failing = _chunk_at(chunks, err.offset, first, stop)
            pending.extendleft(reversed([(first, failing), (failing, failing + 1), (failing + 1, stop)]))
            continue
        if len(found) != stop - first:  # a statement keyword used inside a statement: go one by one
            pending.extendleft(reversed([(i, i + 1) for i in range(first, stop)]))
            continue
        parts.append(_accept(found, found_diagnostics, path))
    statements = [s for part, _ in parts for s in part.statements]
    diagnostics = [d for _, part_diagnostics in parts for d in part_diagnostics]
    return ast.RuleFile(path, tuple(statements)), diagnostics


def _chunk_positions(text: str, chunks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(line, column) where each chunk starts, counted in one pass."""
    positions = []
    line, counted = 1, 0
    for start, _ in chunks:
        line, counted = line + text.count("\n", counted, start), start
        positions.append((line, start - (text.rfind("\n", 0, start) + 1) + 1))
    return positions


def _chunk_at(chunks: list[tuple[int, int]], offset: int | None, first: int, stop: int) -> int:
    """The chunk of ``first``…``stop`` that holds ``offset`` (the last one when unknown)."""
    if offset is None:
        return stop - 1
    for index in range(first, stop):
        if offset < chunks[index][1]:
            return index
    return stop - 1


def _one_statement(lark: Lark, fast: FastParser | None, text: str, path: str, chunks: list[tuple[int, int]],
                   positions: list[tuple[int, int]], index: int) -> tuple[ast.RuleFile, list[Diagnostic]]:
    """One chunk: on the fast path if it parses there, else explained by Lark's front end."""
    start, end = chunks[index]
    line, column = positions[index]
    parsed = _fast_part(fast, text, path, start, end, line, column) if fast else None
    if parsed is not None:
        return parsed
    from lark.exceptions import UnexpectedInput

    from kpirules.lang.syntax_errors import syntax_diagnostic

    padded = "\n" * (line - 1) + " " * (column - 1) + text[start:end]
    try:
        tree = lark.parse(padded)
    except UnexpectedInput as err:
        following = text[end:end + 12].split(None, 1)
        return ast.RuleFile(path, ()), [syntax_diagnostic(
            lark, err, padded, path, following[0] if following else None)]
    return _build(tree, path)


def _fast_part(fast: FastParser, text: str, path: str, start: int, end: int, line: int,
               column: int) -> tuple[ast.RuleFile, list[Diagnostic]] | None:
    """One statement on the fast path; None when it does not parse there."""
    try:
        with gc_paused():
            return _accept(*fast.parse(text, path, start, end, line, column), path)
    except FastPathRefused:
        return None
