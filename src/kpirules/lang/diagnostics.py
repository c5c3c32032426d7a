"""Compiler-style diagnostics: where, what, and how to fix it.

A :class:`Diagnostic` is data; :func:`render` prints it the way compilers do::

    rules.kpi:4:31: error: unknown name "visit"
      kpi conversion_rate = leads / visit
                                    ^~~~~
      hint: did you mean "visits"?
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Literal

from attrs import frozen

from kpirules.errors import KEYWORDS, Phrase, Wording, worded
from kpirules.lang.ast import Span
from kpirules.lang.suggest import NameIndex

Severity = Literal["error", "warning"]


@frozen
class Diagnostic:
    """One problem found in a rule file."""

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    hint: str | Phrase | None = None  # a Phrase when it names an option (said by the caller's Wording)
    end_column: int | None = None

    @classmethod
    def at(cls, span: Span, severity: Severity, code: str, message: str,
           hint: str | Phrase | None = None) -> Diagnostic:
        end = span.end_column if span.end_line == span.line and span.end_column > span.column else None
        return cls(span.file, span.line, span.column, severity, code, message, hint, end)

    def short(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": None if self.hint is None else str(self.hint),
        }


def render(diag: Diagnostic, source: str | None, wording: Wording = KEYWORDS) -> str:
    """The diagnostic with its source line and a caret under the column (an option of
    its hint said by ``wording``: the command line's flags, the job's settings)."""
    out = [diag.short()]
    lines = _source_lines(source) if source is not None else ()
    if 1 <= diag.line <= len(lines):
        text = lines[diag.line - 1].rstrip("\r\n").expandtabs(1)
        out.append(f"  {text}")
        width = 1
        if diag.end_column and diag.end_column > diag.column:
            width = diag.end_column - diag.column
        out.append("  " + " " * (diag.column - 1) + "^" + "~" * max(0, width - 1))
    if diag.hint:
        out.append(f"  hint: {worded(diag.hint, wording)}")
    return "\n".join(out)


@lru_cache(maxsize=4)
def _source_lines(source: str) -> tuple[str, ...]:
    """The lines of a source, split once however many of its diagnostics are rendered
    (splitting it for each of 5,000 diagnostics made reporting them quadratic)."""
    return tuple(source.splitlines())


def render_all(diags: Iterable[Diagnostic], sources: dict[str, str], wording: Wording = KEYWORDS) -> str:
    return "\n".join(render(d, sources.get(d.file), wording) for d in diags)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A ``did you mean "x"?`` hint for the closest candidate, if any is close."""
    return NameIndex(candidates).hint(word)


def sort_key(d: Diagnostic) -> tuple[str, int, int]:
    return (d.file, d.line, d.column)


def has_errors(diags: Sequence[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diags)
