"""The fast path of parsing: valid rule files, parsed in a single tight loop.

Most files a user checks are valid, and the biggest are generated. For them,
this module lexes and parses in one loop over Lark's LALR tables, and builds
the AST during the parse (as Lark's "embedded transformer" callbacks would),
so no parse tree is made and walked afterwards. The tables were made by Lark
from the grammar and ship as plain data (:mod:`kpirules.lang.parse_tables`,
written by :mod:`kpirules.lang.table_gen`): a valid file is parsed without
importing Lark or building its parser, which cost a small ``kpirules eval``
more than parsing its file. On a 7,000-line file it takes half the time of
Lark's contextual lexer, parser loop and tree transformer, because:

- one regular expression, assembled from the grammar's own terminals, matches
  the skipped text (whitespace, comments) and the next token, instead of one
  scanner attempt per ignored token;
- a token gets the type Lark's contextual lexer would give it in the current
  parser state, from a table made once: a word is the keyword of that
  spelling where the state accepts that keyword, else a ``NAME`` (so
  ``kpi a = metric`` still reads "metric" as a name and the reserved-word
  diagnostic still fires); digits are a ``PERIOD`` where the state accepts
  one (after ``from``, ``to`` and ``by``), else a ``NUMBER`` or ``PERCENT``;
- the parse actions are precomputed tuples, so no rule is hashed per
  reduction, and chains of reductions of ``?`` rules to their only child (most
  of them: ``expr`` → ``or_expr`` → … → ``atom``) call nothing.

Anything unexpected raises :class:`FastPathRefused`, and the caller parses
the statement again with Lark's standard front end, which produces the diagnostics
(:func:`kpirules.lang.parser.parse`). This path therefore only has to agree
with Lark on the files Lark accepts; ``tests/lang/test_fast_path.py`` checks
that on every rule file of the repository, on generated files and on mutated
ones.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from kpirules.lang import parse_tables
from kpirules.lang.tokens import Token
from kpirules.lang.transform import AstBuilder


class FastPathRefused(Exception):
    """The text is not one the fast path accepts; Lark's standard front end will say why.

    ``offset``: where in the text the fast path stopped (None when the text
    ended while more was wanted).
    """

    def __init__(self, offset: int | None) -> None:
        super().__init__(offset)
        self.offset = offset


class _Tree:
    """The value of a rule the AST builder has no method for (``start`` and Lark's ``__x_star`` rules)."""

    __slots__ = ("children", "data")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children


def _callback(builder: AstBuilder, shape: tuple[Any, ...]) -> Callable[[list[Any]], Any] | None:
    """What a reduction by a rule makes of its children, as Lark's parse-tree builder does.

    None for a ``?rule`` of one child kept as it stands (the loop skips it).
    """
    name, _, size, expand_single, kept, append_none = shape
    method = getattr(builder, name, None)  # Lark's lookup of a transformer's method
    build: Callable[[list[Any]], Any] = (method if method is not None
                                         else lambda children: _Tree(name, children))
    if expand_single:
        if kept is None and size == 1:
            return None
        inner = build

        def build(children: list[Any]) -> Any:
            return children[0] if len(children) == 1 else inner(children)

    if kept is None:
        return build
    plan = tuple(kept)
    final = build

    def filtered(children: list[Any]) -> Any:
        out: list[Any] = []
        for index, inline, nones in plan:
            if nones:
                out += [None] * nones
            if inline:
                if out:
                    out += children[index].children
                else:  # left recursion: take over the list (a star rule's children)
                    out = children[index].children
            else:
                out.append(children[index])
        if append_none:
            out += [None] * append_none
        return final(out)

    return filtered


# One parser state, as the loop reads it:
#   actions: token type or rule name → next state (an int: shift, or goto after a
#            reduction) or (size, callback, rule name) (a reduction);
#   words:   spelling → keyword type accepted in this state; "" → the NAME type;
#   period:  whether a PERIOD is accepted here.
_State = tuple[dict[str, Any], dict[str, str], bool]


class FastParser:
    """Lexer and LALR loop over the generated tables, with an AST builder.

    The builder is bound to the reduction callbacks when the parser is made,
    so it is reset for each file, under a lock: one file at a time per process.
    """

    def __init__(self, tables: Any, builder: AstBuilder) -> None:
        self.builder = builder
        self.lock = threading.Lock()
        self.chains: dict[tuple[int, int, str], int] = {}
        self.start_state: int = tables.START_STATE
        self.end_state: int = tables.END_STATE
        self.token_pattern = re.compile(tables.TOKEN_PATTERN)
        self.period_pattern = re.compile(tables.PERIOD_PATTERN)
        keywords: dict[str, str] = tables.KEYWORDS
        self.punctuation: dict[str, str] = tables.PUNCTUATION
        reductions = [(size, _callback(builder, shape), origin)
                      for shape in tables.RULES for origin, size in [(shape[1], shape[2])]]

        spelling = {name: word for word, name in keywords.items()}
        shared_words: dict[frozenset[str], dict[str, str]] = {}
        self.states: dict[int, _State] = {}
        for state, table in enumerate(tables.STATES):
            actions = {symbol: action if action >= 0 else reductions[~action]
                       for symbol, action in table.items()}
            accepted = frozenset(spelling.keys() & table.keys())  # the keywords this state takes
            words = shared_words.get(accepted)
            if words is None:
                words = {spelling[name]: name for name in accepted}
                words[""] = "NAME"
                shared_words[accepted] = words
            self.states[state] = (actions, words, "PERIOD" in table)

    def parse(self, text: str, path: str, start: int = 0, end: int | None = None,
              line: int = 1, column: int = 1) -> tuple[list[Any], list[Any]]:
        """(statements, diagnostics of the AST builder) of ``text[start:end]``.

        ``line`` and ``column`` are those of ``start``, so that positions are
        the file's. Raises :class:`FastPathRefused` on anything unexpected.
        """
        with self.lock:
            self.builder.reset(path)
            tree = self._run(text, start, len(text) if end is None else end, line, start - column + 1)
            return list(tree.children), self.builder.diagnostics

    def _run(self, text: str, pos: int, end: int, line: int, line_start: int) -> Any:
        """Lex and parse ``text[pos:end]``; the value of the start rule (a tree of statements)."""
        states = self.states
        new_token = Token
        punctuation = self.punctuation
        match = self.token_pattern.match
        match_period = self.period_pattern.match
        state_stack = [self.start_state]
        value_stack: list[Any] = []
        column = pos - line_start + 1
        token = Token("$END", "", pos, line, column, line, column, pos)
        while True:
            _, words, period_accepted = states[state_stack[-1]]
            m = match(text, pos, end)
            assert m is not None  # everything in the pattern is optional
            kind = m.lastgroup
            start = m.start(kind) if kind else m.end()
            if start > pos:
                newlines = text.count("\n", pos, start)
                if newlines:
                    line += newlines
                    line_start = text.rfind("\n", pos, start) + 1
            if kind is None:
                if start < end:
                    raise FastPathRefused(start)
                break
            stop = m.end()
            value = m.group(kind)
            if kind == "WORD":
                kind = words.get(value) or words[""]
            elif kind == "PUNCT":
                kind = punctuation[value]
            elif period_accepted and (kind == "NUMBER" or kind == "PERCENT"):
                period = match_period(text, start, end)
                if period is not None:
                    kind, value, stop = "PERIOD", period.group(), period.end()
            column = start - line_start + 1
            token = new_token(kind, value, start, line, column, line, column + stop - start, stop)
            self._feed(token, kind, state_stack, value_stack)
            pos = stop
        end_token = Token("$END", "", token.start_pos, token.line, token.column,
                          token.end_line, token.end_column, token.end_pos)
        self._feed(end_token, "$END", state_stack, value_stack)
        return value_stack[-1]

    def _feed(self, token: Token, kind: str, state_stack: list[int], value_stack: list[Any]) -> None:
        """Reduce as the table says, then shift ``token`` (or accept, at the end)."""
        states = self.states
        chains = self.chains
        while True:
            action = states[state_stack[-1]][0].get(kind)
            if action is None:
                raise FastPathRefused(None if kind == "$END" else token.start_pos)
            if action.__class__ is int:
                if kind == "$END":
                    raise FastPathRefused(None)
                state_stack.append(action)
                value_stack.append(token)
                return
            size, callback, origin = action
            if callback is None:
                # A chain of reductions to an only child (atom → power → … → expr) replaces
                # the top state only, so where it ends depends on the two top states and the
                # token alone: found once, then looked up.
                key = (state_stack[-2], state_stack[-1], kind)
                top = chains.get(key)
                if top is None:
                    top = chains[key] = self._unit_chain(*key)
                state_stack[-1] = top
                continue
            if size:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                children = []
            value_stack.append(callback(children))
            state_stack.append(states[state_stack[-1]][0][origin])
            if kind == "$END" and state_stack[-1] == self.end_state:
                return

    def _unit_chain(self, below: int, top: int, kind: str) -> int:
        """The top state after every reduction to an only child that ``kind`` causes."""
        states = self.states
        while True:
            action = states[top][0].get(kind)
            if action is None or action.__class__ is int or action[1] is not None:
                return top
            top = states[below][0][action[2]]


@lru_cache(maxsize=1)
def fast_parser() -> FastParser:
    """The fast path's parser, made once from the generated tables (no Lark)."""
    return FastParser(parse_tables, AstBuilder("<string>"))
