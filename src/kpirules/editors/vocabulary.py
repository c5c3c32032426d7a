"""The words of the rule language, read from the grammar's text.

Every quoted word of ``grammar/kpirules.lark`` is a keyword (the grammar is
the single source of truth: a new statement or option is picked up by every
editor tool at once). Reading the text with a regular expression, rather than
building the Lark parser, keeps the Pygments lexer cheap to import.
"""

from __future__ import annotations

import re
from functools import lru_cache

from attrs import frozen

_COMMENT = re.compile(r"//[^\n]*")
_QUOTED_WORD = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"')
# `!ruleset_stmt: "ruleset" name …`: the first word of a statement rule starts a statement
_STATEMENT_RULE = re.compile(r'^!?\??\w+_stmt\s*:\s*"([A-Za-z_]\w*)"', re.M)
# `TRUE: "true"`: a terminal that is one word is a literal constant
_WORD_TERMINAL = re.compile(r'^([A-Z][A-Z0-9_]*)(?:\.\d+)?\s*:\s*"([A-Za-z_]\w*)"\s*$', re.M)


@frozen
class Vocabulary:
    """The language's words, by the part they play (each tuple sorted)."""

    keywords: tuple[str, ...]
    statement_keywords: tuple[str, ...]
    constants: tuple[str, ...]

    @property
    def other_keywords(self) -> tuple[str, ...]:
        """Keywords that neither start a statement nor are constants (clauses, options, levels)."""
        skip = {*self.statement_keywords, *self.constants}
        return tuple(k for k in self.keywords if k not in skip)


def vocabulary_of(grammar: str) -> Vocabulary:
    """The vocabulary of a Lark grammar's text."""
    text = _COMMENT.sub("", grammar)
    keywords = set(_QUOTED_WORD.findall(text))
    statements = set(_STATEMENT_RULE.findall(text))
    constants = {word for _, word in _WORD_TERMINAL.findall(text)}
    return Vocabulary(tuple(sorted(keywords)), tuple(sorted(statements)), tuple(sorted(constants)))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The vocabulary of the grammar kpirules parses with."""
    from kpirules.lang.grammar import grammar_text

    return vocabulary_of(grammar_text())


#: Units the language names (language §5); any identifier is a unit too.
COMMON_UNITS = ("count", "percent", "ratio", "score", "seconds", "EUR", "USD", "GBP", "CHF")
