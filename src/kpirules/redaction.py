"""Hiding secrets in every form a message can show them.

A secret rarely reaches a message as the plain text it is: ``http.client``
quotes a bad header value as a Python ``bytes`` repr (``b'Bearer x\\n'``), an
exception may hold a ``str`` repr (``'line\\nnext'``), a URL carries it
percent-encoded (``p%40ss``), a JSON document escapes it, and a library that
reports one line of a multi-line secret (a key file, a token with a trailing
newline) shows only that line. :func:`redact` replaces each of these forms,
so that the job can pass any message through it before printing or storing
it (standard error, the state store's ``last_error``, ``run --format json``).

Why the forms are listed rather than the messages parsed: the job cannot know
how a plugin or a library will quote a value, but the ways Python and the web
quote text are few, and each is computed from the secret alone.
"""

from __future__ import annotations

import contextlib
import json
import urllib.parse
from collections.abc import Iterable
from functools import lru_cache

REDACTED = "***"

#: Pieces shorter than this are not hidden: hiding every ``ab`` of a message
#: would make it unreadable and protect nothing.
MIN_SECRET = 3


def _pieces(secret: str) -> set[str]:
    """The secret, without its surrounding spaces, and each of its lines."""
    pieces = {secret, secret.strip()}
    pieces.update(line.strip() for line in secret.splitlines())
    return {piece for piece in pieces if len(piece) >= MIN_SECRET}


def _quoted_forms(piece: str) -> set[str]:
    """``piece`` as the usual quoting functions write it (without the quotes)."""
    forms = {
        piece,
        repr(piece)[1:-1],  # 'a\nb' as a str repr shows it
        ascii(piece)[1:-1],  # the same, non-ASCII escaped
        json.dumps(piece)[1:-1],
        json.dumps(piece, ensure_ascii=False)[1:-1],
        urllib.parse.quote(piece, safe=""),
        urllib.parse.quote(piece),  # "/" kept, as in a URL path
        urllib.parse.quote_plus(piece),
        repr(piece.encode("utf-8", "surrogatepass"))[2:-1],  # b'…' as bytes show it
    }
    with contextlib.suppress(UnicodeEncodeError):  # http.client quotes header values as Latin-1
        forms.add(repr(piece.encode("latin-1"))[2:-1])
    return forms


@lru_cache(maxsize=256)
def secret_forms(secret: str) -> tuple[str, ...]:
    """Every form of ``secret`` that :func:`redact` hides, longest first.

    Longest first, so that a form containing another is hidden whole, and
    the shorter ones (a single line of the secret) catch what is left.
    """
    forms: set[str] = set()
    for piece in _pieces(secret):
        forms.update(_quoted_forms(piece))
    return tuple(sorted((f for f in forms if len(f) >= MIN_SECRET), key=len, reverse=True))


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form of every secret replaced by ``***``."""
    forms = {form for secret in {str(s) for s in secrets} for form in secret_forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        if form in text:
            text = text.replace(form, REDACTED)
    return text


__all__ = ["MIN_SECRET", "REDACTED", "redact", "secret_forms"]
