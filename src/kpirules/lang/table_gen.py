"""Writes :mod:`kpirules.lang.parse_tables`, the fast path's tables, from the grammar.

The fast path (:mod:`kpirules.lang.fastpath`) parses valid files without
importing Lark: building Lark's parser, even from its cache, costs more than
parsing a small file, and importing Lark a fifth of ``kpirules eval``'s own
start-up. So the tables it needs are made here, once, by Lark itself, and
shipped as plain Python data in the package:

- the token pattern (skipped text, then one token) assembled from the
  grammar's terminals, the ``PERIOD`` pattern, and which words and signs are
  which terminals;
- Lark's LALR parse table, its states renumbered in a canonical order (Lark
  numbers them differently from one interpreter to the next, as string
  hashing changes), so that the module only changes when the grammar does;
- for each grammar rule, what Lark's parse-tree builder does with the
  children of a reduction: which are kept, which are inlined (``_rule``),
  where ``[optional]`` parts that are missing get a ``None``, and whether a
  ``?rule`` with one child is that child.

Run ``python -m kpirules.lang.table_gen`` after changing the grammar;
``tests/lang/test_parse_tables.py`` fails while the module is stale.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from pathlib import Path
from pprint import pformat
from typing import Any

from lark import Lark
from lark.parse_tree_builder import (
    ChildFilter,
    ChildFilterLALR_NoPlaceholders,
    ExpandSingleChild,
)
from lark.parsers.lalr_analysis import Shift

from kpirules.lang.grammar import grammar_text

# The grammar's regular-expression terminals, in the order Lark's scanner tries
# them (PERCENT, of higher priority, before NUMBER; COMPARE's two-character
# operators before "="); the patterns themselves are read from the grammar.
# PERIOD is tried apart, only where the parser state accepts one.
REGEX_TERMINALS = ("NAME", "PERCENT", "NUMBER", "STRING", "QUOTED_NAME", "COMPARE")
CONTEXTUAL_TERMINALS = ("PERIOD",)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

MODULE = Path(__file__).with_name("parse_tables.py")


def grammar_digest(text: str) -> str:
    """The SHA-256 of the grammar's text: the generated module records the one it was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_lark(text: str) -> Lark:
    """Lark's LALR parser of ``text``, configured as the fast path reads it (no cache)."""
    return Lark(text, parser="lalr", lexer="contextual", propagate_positions=False,
                maybe_placeholders=True)


def token_tables(lark: Lark) -> dict[str, Any]:
    """The lexer's data: the token pattern, the PERIOD pattern, keywords and signs by spelling.

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
        elif terminal.name not in (*REGEX_TERMINALS, *CONTEXTUAL_TERMINALS, *ignored):
            raise TypeError(f"the fast path does not know the terminal {terminal.name}")
    skip = "|".join(by_name[name].pattern.to_regexp() for name in sorted(ignored))
    groups = [f"(?P<{'WORD' if name == 'NAME' else name}>{by_name[name].pattern.to_regexp()})"
              for name in REGEX_TERMINALS]
    signs = sorted(punctuation, key=lambda text: (-len(text), text))
    groups.append(f"(?P<PUNCT>{'|'.join(map(re.escape, signs))})")
    return {
        "TOKEN_PATTERN": f"(?:{skip})*(?:{'|'.join(groups)})?",
        "PERIOD_PATTERN": by_name["PERIOD"].pattern.to_regexp(),
        "KEYWORDS": dict(sorted(keywords.items())),
        "PUNCTUATION": dict(sorted(punctuation.items())),
    }


def _rule_shape(rule: Any, callback: Any) -> tuple[Any, ...]:
    """(callback name, rule name, size, expand single child, kept children, Nones appended).

    Read from the callback Lark's parse-tree builder made, so that it is
    Lark's own decision: kept children are (index, inline it, Nones before it).
    """
    kept: tuple[tuple[int, bool, int], ...] | None = None
    append_none = 0
    if isinstance(callback, ChildFilterLALR_NoPlaceholders):
        kept = tuple((i, bool(expand), 0) for i, expand in callback.to_include)
        callback = callback.node_builder
    elif isinstance(callback, ChildFilter):
        kept = tuple((i, bool(expand), none) for i, expand, none in callback.to_include)
        append_none = callback.append_none
        callback = callback.node_builder
    expand_single = isinstance(callback, ExpandSingleChild)
    if rule.options.template_source:
        raise TypeError(f"the fast path does not support templates ({rule})")
    name = rule.alias or rule.origin.name
    return (str(name), str(rule.origin.name), len(rule.expansion), expand_single, kept, append_none)


def parse_tables(lark: Lark) -> dict[str, Any]:
    """The parser's data: states renumbered breadth first from the start, rules as met."""
    lalr = lark.parser.parser.parser  # ParsingFrontend → LALR_Parser → _Parser
    table = lalr.parse_table
    callbacks = lalr.callbacks
    if any(isinstance(key, str) for key in callbacks):
        raise TypeError("token callbacks are not supported on the fast path")
    (start,) = table.start_states.values()
    (end,) = table.end_states.values()
    number = {start: 0}
    order = deque([start])
    rules: dict[Any, int] = {}
    states: list[dict[str, int]] = []
    while order:
        state = order.popleft()
        actions: dict[str, int] = {}
        for symbol, (action, arg) in sorted(table.states[state].items()):
            if action is Shift:
                if arg not in number:
                    number[arg] = len(number)
                    order.append(arg)
                actions[symbol] = number[arg]
            else:
                index = rules.setdefault(arg, len(rules))
                actions[symbol] = -1 - index  # a reduction: by rule ~action
        states.append(actions)
    return {
        "START_STATE": 0,
        "END_STATE": number[end],
        "STATES": tuple(states),
        "RULES": tuple(_rule_shape(rule, callbacks[rule]) for rule in rules),
    }


def module_text(text: str | None = None) -> str:
    """The source of :mod:`kpirules.lang.parse_tables` for the grammar ``text`` (the shipped one)."""
    text = grammar_text() if text is None else text
    lark = build_lark(text)
    data = {"GRAMMAR_SHA256": grammar_digest(text), **token_tables(lark), **parse_tables(lark)}
    lines = [
        '"""The fast path\'s lexer and LALR tables, generated from the grammar: do not edit.',
        "",
        "Made by ``python -m kpirules.lang.table_gen`` (see that module) from",
        "``grammar/kpirules.lark``. A state maps a token type or rule name to the",
        "next state (>= 0: shift, or go to after a reduction) or to ``~rule`` (< 0:",
        "reduce by ``RULES[~action]``). A rule is (callback name, rule name,",
        "children, expand a single child, kept children as (index, inline, Nones",
        'before) or None for all, Nones appended)."""',
        "",
        "# fmt: off",
        "from typing import Any",
        "",
    ]
    for name, value in data.items():
        if isinstance(value, tuple):  # one state or rule a line
            kind = "dict[str, int]" if name == "STATES" else "tuple[Any, ...]"
            lines += [f"{name}: tuple[{kind}, ...] = (", *(f"    {item!r}," for item in value), ")"]
        elif isinstance(value, dict):
            lines.append(f"{name} = {pformat(value, width=110, sort_dicts=False, compact=True)}")
        else:
            lines.append(f"{name} = {value!r}")
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write the module when the grammar's tables differ from it (the test says when they do)."""
    wanted = module_text()
    current = MODULE.read_text(encoding="utf-8") if MODULE.exists() else ""
    if current != wanted:
        MODULE.write_text(wanted, encoding="utf-8")
        print(f"wrote {MODULE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
