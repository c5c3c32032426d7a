"""Loading the Lark grammar once per process.

The grammar ships inside the wheel (``kpirules/grammar/kpirules.lark``); in a
source checkout it is read from the repository's top-level ``grammar/``.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

import lark
from lark import Lark, Transformer_NonRecursive
from lark import Token as LarkToken

from kpirules.lang.tokens import Token
from kpirules.lang.transform import AstBuilder

GRAMMAR_NAME = "kpirules.lark"


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

    def process(self, stream: Iterator[LarkToken]) -> Iterator[LarkToken]:
        return stream


class ToAst(AstBuilder, Transformer_NonRecursive):
    """The AST builder as a Lark transformer of the standard front end's parse trees.

    Lark's tokens become :class:`kpirules.lang.tokens.Token` first, so the
    builder's methods see the tokens the fast path gives them. Iterative, so
    deep nesting cannot overflow the stack.
    """

    def __init__(self, path: str) -> None:
        Transformer_NonRecursive.__init__(self)
        AstBuilder.__init__(self, path)

    def __default_token__(self, token: LarkToken) -> Token:
        return Token(token.type, str(token), token.start_pos or 0, token.line or 0, token.column or 0,
                     token.end_line or 0, token.end_column or 0, token.end_pos or 0)


@lru_cache(maxsize=1)
def parser() -> Lark:
    """Lark's LALR parser, built once: the standard front end, which explains syntax errors.

    Valid files never need it (:mod:`kpirules.lang.fastpath`).
    """
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=False,  # spans come from tokens (transform.py): half the parse time
        maybe_placeholders=True,
        postlex=WholeWords(),
        cache=cache_path(),
    )


def cache_path() -> str | bool:
    """Where Lark may keep the built parser between runs, or False for no cache.

    Lark stores it as a pickle, and loading a pickle runs whatever it says:
    the file must be one nobody else could have written. So not Lark's
    default (the shared temporary directory, where another local user could
    plant it), but the user's own cache directory (``$XDG_CACHE_HOME`` or
    ``~/.cache``, then ``kpirules``), made private (0700) if new, and used
    only while it is a real directory owned by this user that no one else may
    write to, in a directory no one else may write to either, holding no
    cache file of anyone else's. Elsewhere (no such
    directory, no POSIX owners): no cache, the parser is built each time (a
    fraction of a second, on the error path only).
    """
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return False
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative: to be ignored, says the XDG specification
        base = os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(base):
            return False
    folder = os.path.join(base, "kpirules")
    name = (f"lark-{lark.__version__}-py{sys.version_info[0]}{sys.version_info[1]}-"
            f"{_digest(grammar_text())[:16]}.cache")
    path = os.path.join(folder, name)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if os.lstat(base).st_mode & 0o022:  # others could swap the folder for theirs
            return False
        if not _private(os.lstat(folder), getuid(), directory=True):
            return False
        if os.path.lexists(path) and not _private(os.lstat(path), getuid(), directory=False):
            return False
    except OSError:
        return False
    return path


def _private(info: os.stat_result, uid: int, *, directory: bool) -> bool:
    """Whether a cache directory or file is this user's own, not a link, and writable by no one else."""
    kind = stat.S_ISDIR if directory else stat.S_ISREG
    return kind(info.st_mode) and info.st_uid == uid and not info.st_mode & 0o022


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()
