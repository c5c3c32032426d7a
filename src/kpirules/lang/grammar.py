"""Loading the Lark grammar once per process.

The grammar ships inside the wheel (``kpirules/grammar/kpirules.lark``); in a
source checkout it is read from the repository's top-level ``grammar/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lark import Lark, Token

from kpirules.lang.fastpath import FastParser
from kpirules.lang.transform import ToAst

GRAMMAR_NAME = "kpirules.lark"

# The words that start a statement: a file is cut into statements at them to recover from errors.
STATEMENT_KEYWORDS = (
    "ruleset", "param", "dimension", "metric", "kpi", "threshold", "decision", "objective", "rule",
)


def grammar_text() -> str:
    """The grammar's source: the packaged copy, else the repository's."""
    packaged = resources.files("kpirules").joinpath("grammar", GRAMMAR_NAME)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[3] / "grammar" / GRAMMAR_NAME
    return checkout.read_text(encoding="utf-8")


class WholeWords:
    """Lark post-lexer that makes every parser state's lexer know ``NAME``.

    Lark's contextual lexer only tries the terminals the parser state accepts;
    where a keyword is accepted but a name is not, ``rulesetempty`` would be
    read as the keyword ``ruleset`` followed by the name ``empty``. With
    ``NAME`` always tried, a word is always read whole (a keyword only when it
    is exactly the keyword), as the fast path reads it.
    """

    always_accept = ("NAME",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        return stream


@lru_cache(maxsize=1)
def parser() -> Lark:
    """The LALR parser, built once (building takes longer than parsing a file)."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=False,  # spans come from tokens (transform.py): half the parse time
        maybe_placeholders=True,
        postlex=WholeWords(),
        cache=_cache_path(),
    )


@lru_cache(maxsize=1)
def fast_parser() -> FastParser:
    """The fast path's parser (:mod:`kpirules.lang.fastpath`), built once.

    Its Lark parser embeds the AST builder: Lark then makes parse callbacks
    that call the builder's methods directly.
    """
    builder = ToAst("<string>")
    lark = Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=False,
        maybe_placeholders=True,
        transformer=builder,
        cache=_cache_path(),
    )
    return FastParser(lark, builder)


def _cache_path() -> str | bool:
    """Let Lark keep the built parser between runs (start-up in milliseconds).

    Lark writes it to the temporary directory, keyed on the grammar's hash, so
    a changed grammar is rebuilt; no cache when that directory is not writable.
    """
    import os
    import tempfile

    return os.access(tempfile.gettempdir(), os.W_OK)
