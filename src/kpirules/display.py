"""How text from data, rule files and settings appears in messages.

Two rules, one helper each, used wherever such text is printed:

- :func:`one_line`: a value never breaks a line of a log or of standard
  error. A dimension value holding ``"\\n2026-01-01 kpirules: resolved"``
  would otherwise forge a log line, and a terminal escape sequence would
  rewrite the screen. Control characters (line breaks, escape, NUL…),
  Unicode line separators and bidirectional overrides are shown escaped
  (``\\n``, ``\\x1b``, ``\\u202e``), or replaced where an escape makes no
  sense (an e-mail subject). Ordinary spaces, tabs and non-breaking spaces
  stay as they are: French numbers hold them.
- :func:`shown`: a quoted value is cut to a readable length. A 50 MB cell
  quoted whole would put 50 MB on standard error; what helps is its start
  and how long it is.

:func:`message_lines` applies both to whole messages, as a net, where the
command line and the job print them.

Only messages go through these: the data written to files, JSON documents
and the bodies of actions keep every character.
"""

from __future__ import annotations

import re

#: How many characters of a value an error message quotes.
MAX_SHOWN = 80
#: How long a line of standard error may be: the net under every message.
MAX_LINE = 2000

_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_RUN = re.compile(f"(?:{_UNSAFE.pattern})+")


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def one_line(text: str, replacement: str | None = None) -> str:
    """``text`` with its control characters escaped, or each run of them replaced.

    ``one_line("a\\nb")`` is ``a\\nb`` (a backslash and an ``n``);
    ``one_line("a\\r\\nb", " ")`` is ``"a b"``.
    """
    if replacement is not None:
        return _UNSAFE_RUN.sub(replacement, text)
    return _UNSAFE.sub(_escape, text)


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` on one line, its first ``limit`` characters and how long it was."""
    if len(text) <= limit:
        return one_line(text)
    size = f"{len(text):,}".replace(",", " ")  # 52 428 800: read alike in French and English
    return f"{one_line(text[:limit])}… ({size} characters)"


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """``value`` as a message quotes it: in double quotes, on one line, cut to ``limit``."""
    return f'"{cut(str(value), limit)}"'


def message_lines(text: str, limit: int = MAX_LINE) -> str:
    """``text`` for standard error: each of its lines escaped and cut to ``limit``.

    The net under :func:`shown`: whatever a message quotes without it (a
    plugin's exception, a library's error), no line on standard error
    carries a whole data file or a terminal escape sequence.
    """
    return "\n".join(cut(line, limit) for line in text.split("\n"))


__all__ = ["MAX_LINE", "MAX_SHOWN", "cut", "message_lines", "one_line", "shown"]
