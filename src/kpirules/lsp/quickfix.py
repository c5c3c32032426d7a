"""Quick fixes: the did-you-mean hints of diagnostics, as one-click edits.

``check`` says ``unknown name "visit"`` with the hint ``did you mean
"visits"?``; the editor offers "Replace with visits". The hint's text is the
contract (the same function writes it for every diagnostic), and the range to
replace is the diagnostic's own, or the word at its position when a syntax
error gives none.
"""

from __future__ import annotations

import re

from attrs import frozen

from kpirules.editors.vocabulary import vocabulary
from kpirules.lang.diagnostics import Diagnostic
from kpirules.lang.formatter import quote_name

_DID_YOU_MEAN = re.compile(r'did you mean "([^"\n]+)"\?')
_WORD = re.compile(r"`[^`\n]*`|[A-Za-z_][A-Za-z0-9_]*")


@frozen
class Fix:
    """Replace columns [column, end_column) of ``line`` (parser terms) with ``new_text``."""

    title: str
    line: int
    column: int
    end_column: int
    new_text: str


def suggestion(diag: Diagnostic) -> str | None:
    """The name or keyword a diagnostic's hint suggests, if it suggests one."""
    match = _DID_YOU_MEAN.search(str(diag.hint or ""))
    return match.group(1) if match else None


def diagnostic_columns(diag: Diagnostic, line_text: str) -> tuple[int, int]:
    """The columns [start, end) a diagnostic is about on its line (parser terms).

    Its own end when it has one; else the word (or backtick name) at its
    column; else one character, so that an editor can underline it.
    """
    start = diag.column
    if diag.end_column is not None and diag.end_column > start:
        return start, diag.end_column
    match = _WORD.match(line_text, max(start - 1, 0))
    if match is not None:
        return start, match.end() + 1
    return start, min(start + 1, len(line_text) + 1) if line_text else start


def fix_for(diag: Diagnostic, line_text: str) -> Fix | None:
    """The edit that applies the hint of ``diag`` (``line_text``: its line), if any."""
    word = suggestion(diag)
    if word is None or diag.line < 1:
        return None
    start, end = diagnostic_columns(diag, line_text)
    if end <= start:
        return None
    new_text = word if word in vocabulary().keywords else quote_name(word)
    if line_text[start - 1: end - 1] == new_text:
        return None
    return Fix(f"Replace with {new_text}", diag.line, start, end, new_text)
