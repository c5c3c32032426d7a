"""The words of a syntax error: what Lark's parser stopped on, said for a person.

The parser (:mod:`kpirules.lang.parser`) hands each failing statement's
:class:`~lark.exceptions.UnexpectedInput` to :func:`syntax_diagnostic`, which
names what was found and what the parser state takes, recognises the common
mistakes of :data:`MISTAKES` (one table: the label, the statements that make
the mistake, the hint), an unclosed parenthesis, a malformed period, an
accented letter in a name, and a misspelt keyword. The exact tokens a state
takes are asked of Lark's parser state (its internals: pyproject pins the Lark
versions this is tested with).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from attrs import frozen
from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from kpirules.lang.diagnostics import Diagnostic, did_you_mean
from kpirules.lang.grammar import parser as lark_parser
from kpirules.lang.tokens import STATEMENT_KEYWORDS


# Common mistakes, recognised by the parser state they fail in (Lark's match_examples, as a table).
@frozen
class Mistake:
    """A common syntax mistake: how to say it, examples that make it, and how to fix it."""

    label: str
    examples: tuple[str, ...]
    hint: str | None = None


MISTAKES: tuple[Mistake, ...] = (
    Mistake("unclosed parenthesis", (
        "kpi a = (x / 2",
        "kpi a = f(x",
        "kpi a = f(x, 2",
        "kpi a = ((x + y) / 2",
        "rule r when (x > 1",
    )),
    Mistake('"=" instead of "==" in a condition', (
        "rule r when x = 1",
        "rule r when x > 1 and y = 2",
        'decision d "a" when x = 1',
        "threshold t where x = 1",
    ), 'to compare, write "==" instead of "="'),
    Mistake('a missing "when" before the condition', (
        "rule r x > 1",
        'rule r "Title" x > 1',
        'decision d "a" x > 1',
        'decision d "t" "a" x > 1',
    ), 'write "when" before the condition'),
    Mistake('a missing "=" after the KPI name', (
        "kpi a x / y",
        "kpi a (x / y)",
    ), "write: kpi NAME = FORMULA"),
    Mistake("an operator with nothing after it", (
        "kpi a = x +",
        "kpi a = x *",
        "kpi a = x /",
        "kpi a = x -",
    ), "complete the formula or remove the operator"),
    Mistake('a missing "=" after the parameter name', (
        "param p 5",
    ), "write: param NAME = VALUE"),
)

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


_PERIOD_LITERAL = re.compile(r"\d{4}(-(Q\d+|W\d+|\d+(-\d+)?))?")  # the grammar's PERIOD


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
def _mistake_table() -> dict[tuple[Any, ...], Mistake]:
    """Parser state (and token type) of each labelled example → its mistake.

    Lark's ``match_examples`` does the same; this table is built once per
    process and looked up in constant time. Examples are single statements,
    parsed the way recovery parses statements.
    """
    lark = lark_parser()
    table: dict[tuple[Any, ...], Mistake] = {}
    for mistake in MISTAKES:
        for example in mistake.examples:
            try:
                lark.parse(example)
            except UnexpectedInput as err:
                key = _state_key(err)
                if key is None:
                    continue
                tok = getattr(err, "token", None)
                table.setdefault((*key, getattr(tok, "type", "$END")), mistake)
                table.setdefault(key, mistake)
    return table


def _match_mistake(err: UnexpectedInput) -> Mistake | None:
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


def syntax_diagnostic(
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
    mistake = _match_mistake(err)
    start = getattr(tok, "start_pos", None)
    pos = len(text) if start is None else int(start)
    statement_ended = tok.type == "$END" or str(tok) in STATEMENT_KEYWORDS
    if (mistake is not None and mistake.label == "unclosed parenthesis") or ("RPAR" in expected_set and statement_ended):
        opened = _unclosed_paren(text, pos)
        if opened is not None:
            return Diagnostic(path, opened[0], opened[1], "error", "syntax",
                              f'unclosed parenthesis: expected ")" before {found}',
                              f'close the "(" opened here, before line {line}, column {column}')
    if mistake is not None:
        return Diagnostic(path, line, column, "error", "syntax",
                          f"{mistake.label}: unexpected {found}, expected {expected}", mistake.hint)
    if tok.type == "NAME":
        hint = did_you_mean(str(tok), [w for w in _keywords(lark, expected_set)])
        if hint:
            return Diagnostic(path, line, column, "error", "syntax",
                              f"unexpected {found}, expected {expected}", hint)
    if tok.type == "NAME" and tok in STATEMENT_KEYWORDS:
        return Diagnostic(path, line, column, "error", "syntax",
                          f"the previous statement is incomplete: unexpected {found}, expected {expected}")
    return Diagnostic(path, line, column, "error", "syntax", f"unexpected {found}, expected {expected}")
