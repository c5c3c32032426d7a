"""The fast path of parsing: valid rule files, parsed in a single tight loop.

Most files a user checks are valid, and the biggest are generated. For them,
this module lexes and parses in one loop over Lark's own LALR tables, and
builds the AST during the parse (Lark's "embedded transformer" callbacks), so
no parse tree is made and walked afterwards. On a 7,000-line file it takes
half the time of Lark's contextual lexer, parser loop and tree transformer,
because:

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

Anything unexpected raises Lark's ``UnexpectedInput``, and the caller parses
the statement again with Lark's standard front end, which produces the diagnostics
(:func:`kpirules.lang.parser.parse`). This path therefore only has to agree
with Lark on the files Lark accepts; ``tests/lang/test_fast_path.py`` checks
that on every rule file of the repository, on generated files and on mutated
ones.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedToken
from lark.parse_tree_builder import ExpandSingleChild
from lark.parsers.lalr_analysis import Shift

from kpirules.lang.transform import ToAst

# The grammar's regular-expression terminals, in the order Lark's scanner tries
# them (PERCENT, of higher priority, before NUMBER; COMPARE's two-character
# operators before "="); the patterns themselves are read from the grammar.
# PERIOD is tried apart, only where the parser state accepts one.
_REGEX_TERMINALS = ("NAME", "PERCENT", "NUMBER", "STRING", "QUOTED_NAME", "COMPARE")
_CONTEXTUAL_TERMINALS = ("PERIOD",)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _token_pattern(lark: Lark) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str], dict[str, str]]:
    """(skipped text then one token, PERIOD, keyword → type, punctuation → type), from the grammar.

    A grammar terminal this lexer does not know is a programming error: the
    fast path would read it differently from Lark.
    """
    by_name = {t.name: t for t in lark.terminals}
    ignored = set(lark.lexer_conf.ignore)
    keywords: dict[str, str] = {}
    punctuation: dict[str, str] = {}
    for terminal in by_name.values():
        pattern = terminal.pattern
        if pattern.type == "str":
            (keywords if _WORD.fullmatch(pattern.value) else punctuation)[pattern.value] = terminal.name
        elif terminal.name not in (*_REGEX_TERMINALS, *_CONTEXTUAL_TERMINALS, *ignored):
            raise TypeError(f"the fast path does not know the terminal {terminal.name}")
    skip = "|".join(by_name[name].pattern.to_regexp() for name in sorted(ignored))
    groups = [f"(?P<{'WORD' if name == 'NAME' else name}>{by_name[name].pattern.to_regexp()})"
              for name in _REGEX_TERMINALS]
    signs = sorted(punctuation, key=lambda text: (-len(text), text))
    groups.append(f"(?P<PUNCT>{'|'.join(map(re.escape, signs))})")
    token = re.compile(f"(?:{skip})*(?:{'|'.join(groups)})?")
    period = re.compile(by_name["PERIOD"].pattern.to_regexp())
    return token, period, keywords, punctuation


# One parser state, as the loop reads it:
#   actions: token type or rule name → next state (an int: shift, or goto after a
#            reduction) or (size, callback, rule name) (a reduction);
#   words:   spelling → keyword type accepted in this state; "" → the NAME type;
#   period:  whether a PERIOD is accepted here.
_State = tuple[dict[str, Any], dict[str, str], bool]


class FastParser:
    """Lexer and LALR loop over the tables of a Lark parser with an embedded AST builder.

    The builder is bound to the parse callbacks when the Lark parser is made,
    so it is reset for each file, under a lock: one file at a time per process.
    """

    def __init__(self, lark: Lark, builder: ToAst) -> None:
        self.builder = builder
        self.lock = threading.Lock()
        self.chains: dict[tuple[int, int, str], int] = {}
        lalr = lark.parser.parser.parser  # ParsingFrontend → LALR_Parser → _Parser
        parse_table = lalr.parse_table
        callbacks = lalr.callbacks
        if any(isinstance(key, str) for key in callbacks):
            raise TypeError("token callbacks are not supported on the fast path")
        (self.start_state,) = parse_table.start_states.values()
        (self.end_state,) = parse_table.end_states.values()

        self.token_pattern, self.period_pattern, keywords, self.punctuation = _token_pattern(lark)

        shared_words: dict[frozenset[str], dict[str, str]] = {}
        self.states: dict[int, _State] = {}
        for state, table in parse_table.states.items():
            actions: dict[str, Any] = {}
            for symbol, (action, arg) in table.items():
                if action is Shift:
                    actions[symbol] = arg
                    continue
                size, callback = len(arg.expansion), callbacks[arg]
                if size == 1 and isinstance(callback, ExpandSingleChild):
                    callback = None  # the value is the only child, as it stands
                actions[symbol] = (size, callback, arg.origin.name)
            accepted = frozenset(word for word, name in keywords.items() if name in table)
            words = shared_words.get(accepted)
            if words is None:
                words = {word: keywords[word] for word in accepted}
                words[""] = "NAME"
                shared_words[accepted] = words
            self.states[state] = (actions, words, "PERIOD" in table)

    def parse(self, text: str, path: str, start: int = 0, end: int | None = None,
              line: int = 1, column: int = 1) -> tuple[list[Any], list[Any]]:
        """(statements, diagnostics of the AST builder) of ``text[start:end]``.

        ``line`` and ``column`` are those of ``start``, so that positions are
        the file's. Raises Lark's ``UnexpectedInput`` on anything unexpected.
        """
        with self.lock:
            self.builder.reset(path)
            tree = self._run(text, start, len(text) if end is None else end, line, start - column + 1)
            return list(tree.children), self.builder.diagnostics

    def _run(self, text: str, pos: int, end: int, line: int, line_start: int) -> Any:
        """Lex and parse ``text[pos:end]``; the value of the start rule (a tree of statements)."""
        states = self.states
        new_token = Token._future_new  # Token() without its check for a deprecated keyword
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
                    raise UnexpectedCharacters(text, start, line, start - line_start + 1, allowed=None)
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
        self._feed(Token.new_borrow_pos("$END", "", token), "$END", state_stack, value_stack)
        return value_stack[-1]

    def _feed(self, token: Token, kind: str, state_stack: list[int], value_stack: list[Any]) -> None:
        """Reduce as the table says, then shift ``token`` (or accept, at the end)."""
        states = self.states
        chains = self.chains
        while True:
            action = states[state_stack[-1]][0].get(kind)
            if action is None:
                raise UnexpectedToken(token, set(), state=None)
            if action.__class__ is int:
                if kind == "$END":
                    raise UnexpectedToken(token, set(), state=None)
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
