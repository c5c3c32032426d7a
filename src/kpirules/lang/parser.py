"""Rule text → :class:`~kpirules.lang.ast.RuleFile`, reporting every syntax error.

The whole file is parsed at once, on a fast path (a one-regex lexer, the AST
built during the parse, the garbage collector paused). When that fails, the
file is cut into statements (each starts with a statement keyword) and each is
parsed on its own by Lark's standard front end, so that one typo does not hide
the problems of the rest of the file and every message comes from the same,
well-tested machinery.
Syntax errors are explained in words, and common mistakes are recognised from
labelled examples (Lark's ``match_examples``).
"""

from __future__ import annotations

import gc
import re
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from kpirules.lang import ast
from kpirules.lang.diagnostics import Diagnostic, did_you_mean
from kpirules.lang.fastpath import FastParser
from kpirules.lang.grammar import fast_parser
from kpirules.lang.grammar import parser as lark_parser
from kpirules.lang.transform import ToAst

STATEMENT_KEYWORDS = (
    "ruleset", "param", "dimension", "metric", "kpi", "threshold", "decision", "objective", "rule",
)

# Common mistakes, recognised by the parser state they fail in.
MISTAKES: dict[str, list[str]] = {
    "unclosed parenthesis": [
        "kpi a = (x / 2",
        "kpi a = (x / 2",
        "kpi a = f(x",
        "kpi a = f(x, 2",
        "kpi a = ((x + y) / 2",
        "rule r when (x > 1",
    ],
    '"=" instead of "==" in a condition': [
        "rule r when x = 1",
        "rule r when x > 1 and y = 2",
        'decision d "a" when x = 1',
        "threshold t where x = 1",
    ],
    'a missing "when" before the condition': [
        "rule r x > 1",
        'rule r "Title" x > 1',
        'decision d "a" x > 1',
        'decision d "t" "a" x > 1',
    ],
    'a missing "=" after the KPI name': [
        "kpi a x / y",
        "kpi a (x / y)",
    ],
    "an operator with nothing after it": [
        "kpi a = x +",
        "kpi a = x *",
        "kpi a = x /",
        "kpi a = x -",
    ],
    'a missing "=" after the parameter name': [
        "param p 5",
    ],
}

_TOKEN_WORDS = {
    "NAME": "a name",
    "QUOTED_NAME": "a name",
    "NUMBER": "a number",
    "PERCENT": "a percentage",
    "STRING": 'a quoted text ("…")',
    "PERIOD": "a period such as 2026-03",
    "COMPARE": "a comparison (<, <=, >, >=, ==, !=)",
    "$END": "the end of the file",
}
_OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "CARET"}

# Statement starts for recovery: a keyword outside strings, backticks and comments.
_PERIOD_LITERAL = re.compile(r"\d{4}(-(Q\d+|W\d+|\d+(-\d+)?))?")  # the grammar's PERIOD
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
    except UnexpectedInput as err:
        return _parse_by_statement(lark_parser(), text, path, fast, err)
    return _accept(statements, builder_diagnostics, path)


def parse_standard(text: str, path: str = "<string>") -> tuple[ast.RuleFile, list[Diagnostic]]:
    """:func:`parse` with Lark's standard front end only: the reference the fast path must match."""
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
    parse). Restored afterwards, whatever happens.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(tree: Tree, path: str) -> tuple[ast.RuleFile, list[Diagnostic]]:
    """AST of a parse tree from the standard front end."""
    builder = ToAst(path)
    statements = [builder.transform(child) for child in tree.children]
    return _accept(statements, builder.diagnostics, path)


def _accept(statements: list[Any], builder_diagnostics: list[Diagnostic],
            path: str) -> tuple[ast.RuleFile, list[Diagnostic]]:
    """The statements, refusing any nested deeper, or chained longer, than the later passes can go."""
    accepted: list[ast.Statement] = []
    diagnostics: list[Diagnostic] = []
    for statement in statements:
        span = statement.span
        long = span.end_line > span.line or span.end_column - span.column > MAX_DEPTH
        problem = _too_deep(statement) if long else None
        if problem is not None:
            diagnostics.append(Diagnostic(path, span.line or 1, span.column or 1, "error", "too-deep",
                                          problem, "split the formula into several KPIs"))
            continue
        accepted.append(statement)
    return ast.RuleFile(path, tuple(accepted)), [*builder_diagnostics, *diagnostics]


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
                        whole_file_error: UnexpectedInput | None = None
                        ) -> tuple[ast.RuleFile, list[Diagnostic]]:
    """Each statement on its own, as if parsed alone; the failing ones explained by Lark's front end.

    With ``fast``, runs of statements are first tried in one pass: a run that
    parses into exactly one statement per chunk gives what the chunks would
    give one by one, and a failing run is split at the failing chunk, so a
    file with one error costs about two passes rather than one call per
    statement. ``whole_file_error``: how the fast path failed on the whole
    file, so that the first split needs no second try.
    """
    chunks = _statement_chunks(text)
    positions = _chunk_positions(text, chunks)
    parts: list[tuple[ast.RuleFile, list[Diagnostic]]] = []
    pending: deque[tuple[int, int]] = deque([(0, len(chunks))])
    if fast is not None and whole_file_error is not None and len(chunks) > 1:
        failing = _chunk_at(chunks, _error_offset(whole_file_error), 0, len(chunks))
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
        except UnexpectedInput as err:
            failing = _chunk_at(chunks, _error_offset(err), first, stop)
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


def _error_offset(err: UnexpectedInput) -> int | None:
    """Where in the text the fast path failed (the end of the run when it wanted more)."""
    token = getattr(err, "token", None)
    if token is not None and getattr(token, "type", None) != "$END":
        return getattr(token, "start_pos", None)
    if isinstance(err, UnexpectedCharacters):
        return err.pos_in_stream
    return None


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
    padded = "\n" * (line - 1) + " " * (column - 1) + text[start:end]
    try:
        tree = lark.parse(padded)
    except UnexpectedInput as err:
        following = text[end:end + 12].split(None, 1)
        return ast.RuleFile(path, ()), [_syntax_diagnostic(
            lark, err, padded, path, following[0] if following else None)]
    return _build(tree, path)


def _fast_part(fast: FastParser, text: str, path: str, start: int, end: int, line: int,
               column: int) -> tuple[ast.RuleFile, list[Diagnostic]] | None:
    """One statement on the fast path; None when it does not parse there."""
    try:
        with gc_paused():
            return _accept(*fast.parse(text, path, start, end, line, column), path)
    except UnexpectedInput:
        return None


def _describe_token(tok: Token) -> str:
    if tok.type == "$END":
        return "end of file"
    return f'"{tok}"'


def _keywords(lark: Lark, expected: set[str]) -> list[str]:
    out = []
    for name in expected:
        try:
            pattern = lark.get_terminal(name).pattern
        except KeyError:
            continue
        if pattern.type == "str" and pattern.value.isalpha():
            out.append(pattern.value)
    return out


def _describe_expected(lark: Lark, expected: set[str]) -> str:
    words: list[str] = []
    starts = {k.upper() for k in STATEMENT_KEYWORDS}
    if expected & starts and expected - starts - {"$END"}:
        expected = expected - starts - {"$END"}
        words.append("a new statement")
    if expected & _OPERATORS:
        words.append("an operator")
    for name in sorted(expected - _OPERATORS):
        if name in _TOKEN_WORDS:
            word = _TOKEN_WORDS[name]
        else:
            try:
                pattern = lark.get_terminal(name).pattern
            except KeyError:
                continue
            word = f'"{pattern.value}"' if pattern.type == "str" else name.lower()
        if word not in words:
            words.append(word)
    words.sort(key=lambda w: (not w.startswith('"'), w))
    if len(words) > 8:
        words = [*words[:7], "…"]
    if not words:
        return "something else"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _state_key(err: UnexpectedInput) -> tuple[int, int] | None:
    state = getattr(err, "state", None)
    if state is None or not hasattr(state, "position"):
        return None
    return (state.position, len(state.state_stack))


@lru_cache(maxsize=1)
def _mistake_table() -> dict[tuple[Any, ...], str]:
    """Parser state (and token type) of each labelled example → its label.

    Lark's ``match_examples`` does the same; this table is built once per
    process and looked up in constant time. Examples are single statements,
    parsed the way recovery parses statements.
    """
    lark = lark_parser()
    table: dict[tuple[Any, ...], str] = {}
    for label, examples in MISTAKES.items():
        for example in examples:
            try:
                lark.parse(example)
            except UnexpectedInput as err:
                key = _state_key(err)
                if key is None:
                    continue
                tok = getattr(err, "token", None)
                table.setdefault((*key, getattr(tok, "type", "$END")), label)
                table.setdefault(key, label)
    return table


def _match_mistake(err: UnexpectedInput) -> str | None:
    key = _state_key(err)
    if key is None:
        return None
    tok = getattr(err, "token", None)
    table = _mistake_table()
    return table.get((*key, getattr(tok, "type", "$END"))) or table.get(key)


def _accepts(err: UnexpectedInput) -> set[str]:
    """The tokens the parser would have taken here (exact, unlike LALR lookaheads)."""
    accepts = getattr(err, "accepts", None)
    if accepts:
        return set(accepts)
    state = getattr(err, "state", None)
    if state is None:
        return set(getattr(err, "expected", ()) or ())
    from copy import copy

    found: set[str] = set()
    conf = copy(state.parse_conf)
    conf.callbacks = {}
    for name in state.parse_conf.parse_table.states[state.position]:
        if not name.isupper() and name != "$END":
            continue
        probe = state.copy()
        probe.parse_conf = conf
        try:
            probe.feed_token(Token(name, ""), is_end=name == "$END")
        except UnexpectedInput:
            continue
        except Exception:
            continue
        found.add(name)
    return found or set(getattr(err, "expected", ()) or ())


def _unclosed_paren(text: str, upto: int) -> tuple[int, int] | None:
    """Line and column of the last unclosed "(" before offset ``upto``."""
    stack: list[int] = []
    for m in re.finditer(r'"(?:[^"\\\n]|\\.)*"|`[^`\n]*`|#[^\n]*|[()]', text[:upto]):
        if m.group(0) == "(":
            stack.append(m.start())
        elif m.group(0) == ")" and stack:
            stack.pop()
    if not stack:
        return None
    pos = stack[-1]
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


_PERIOD_WORD = re.compile(r"\b(?:from|to|by)[ \t]+([\w-]*)$")


def _bad_period(err: UnexpectedInput, text: str, path: str) -> Diagnostic | None:
    """A period error for what follows ``from``/``to``/``by`` when it is not a period.

    The lexer takes a period where the grammar wants one, and stops where the
    text stops looking like one: ``to 99999-12`` failed at the fifth "9" with
    'unexpected "9"'. The whole word is reported instead, where it starts.
    """
    token = getattr(err, "token", None)
    pos = err.pos_in_stream if isinstance(err, UnexpectedCharacters) else getattr(token, "start_pos", None)
    if pos is None or getattr(token, "type", None) == "$END":
        return None
    before = _PERIOD_WORD.search(text, max(0, pos - 80), pos)
    if before is None:
        return None
    start = before.start(1)
    word = before.group(1) + re.match(r"[\w-]*", text[pos:]).group()  # type: ignore[union-attr]
    if not word or _PERIOD_LITERAL.fullmatch(word):
        return None
    wanted = set(getattr(err, "allowed", None) or ()) | set(getattr(err, "expected", None) or ())
    if "PERIOD" not in wanted and not _PERIOD_LITERAL.fullmatch(before.group(1)):
        return None  # "to" as a name (an action's argument), not before a period
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Diagnostic(path, line, column, "error", "bad-period",
                      f'"{word}" is not a period: write 2026, 2026-Q3, 2026-03, 2026-W05 or 2026-03-31',
                      "a year has four digits (0001 to 9999); a month 01 to 12, a quarter Q1 to Q4, "
                      "a week W01 to W53", end_column=column + len(word))


def _syntax_diagnostic(
    lark: Lark, err: UnexpectedInput, text: str, path: str, next_word: str | None = None
) -> Diagnostic:
    line, column = getattr(err, "line", 0) or 0, getattr(err, "column", 0) or 0
    period = _bad_period(err, text, path)
    if period is not None:
        return period
    if isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream or 0
        char = text[pos] if pos < len(text) else ""
        if char == '"':
            return Diagnostic(path, line, column, "error", "syntax",
                              'unterminated text: the closing " is missing on this line',
                              'close the text with " on the same line')
        if char == "`":
            return Diagnostic(path, line, column, "error", "syntax",
                              "unterminated name: the closing ` is missing on this line")
        if char == "%":
            return Diagnostic(path, line, column, "error", "syntax",
                              "a percent sign without a number", 'write the number right before it: "30%"')
        # what the parser state takes (exact), rather than the lexer's LALR lookaheads
        expected = _describe_expected(lark, _accepts(err) if getattr(err, "state", None) else set(err.allowed or ()))
        hint = None
        if char.isalpha():  # an accented letter: names are ASCII unless between backticks
            word = re.search(r"\w*$", text[:pos]).group() + re.match(r"\w*", text[pos:]).group()  # type: ignore[union-attr]
            hint = f"names are ASCII letters, digits and _; write this one between backticks: `{word}`"
        return Diagnostic(path, line, column, "error", "syntax",
                          f"unexpected character {char!r}, expected {expected}", hint)
    assert isinstance(err, UnexpectedToken | UnexpectedEOF)
    tok: Token = err.token if isinstance(err, UnexpectedToken) else Token("$END", "")
    expected_set = _accepts(err)
    found = _describe_token(tok)
    if tok.type == "$END":
        # A statement cut short: point just after its last character.
        body = text.rstrip()
        line = body.count("\n") + 1
        column = len(body) - (body.rfind("\n") + 1) + 1
        if next_word:
            found = f'"{next_word}"'
    expected = _describe_expected(lark, expected_set)
    label = _match_mistake(err)
    start = getattr(tok, "start_pos", None)
    pos = len(text) if start is None else int(start)
    statement_ended = tok.type == "$END" or str(tok) in STATEMENT_KEYWORDS
    if label == "unclosed parenthesis" or ("RPAR" in expected_set and statement_ended):
        opened = _unclosed_paren(text, pos)
        if opened is not None:
            return Diagnostic(path, opened[0], opened[1], "error", "syntax",
                              f'unclosed parenthesis: expected ")" before {found}',
                              f'close the "(" opened here, before line {line}, column {column}')
    if label:
        hints = {
            '"=" instead of "==" in a condition': 'to compare, write "==" instead of "="',
            'a missing "when" before the condition': 'write "when" before the condition',
            'a missing "=" after the KPI name': 'write: kpi NAME = FORMULA',
            'a missing "=" after the parameter name': "write: param NAME = VALUE",
            "an operator with nothing after it": "complete the formula or remove the operator",
        }
        return Diagnostic(path, line, column, "error", "syntax",
                          f"{label}: unexpected {found}, expected {expected}", hints.get(label))
    if tok.type == "NAME":
        words = [w.strip('"') for w in expected.split(", ")]
        hint = did_you_mean(str(tok), [w for w in _keywords(lark, expected_set)])
        if hint:
            return Diagnostic(path, line, column, "error", "syntax",
                              f"unexpected {found}, expected {expected}", hint)
        del words
    if tok.type == "NAME" and tok in STATEMENT_KEYWORDS:
        return Diagnostic(path, line, column, "error", "syntax",
                          f"the previous statement is incomplete: unexpected {found}, expected {expected}")
    return Diagnostic(path, line, column, "error", "syntax", f"unexpected {found}, expected {expected}")
