"""A Pygments lexer for rule files, so that docs, Jupyter and ``rich`` highlight ``.kpi`` code.

Registered through the ``pygments.lexers`` entry point (names ``kpi`` and
``kpirules``, files ``*.kpi``): once kpirules is installed, a Markdown fence
```` ```kpi ````, ``pygmentize -l kpi`` and ``rich.syntax.Syntax(code, "kpi")``
all find it. The keywords are the grammar's (:mod:`kpirules.editors.vocabulary`),
so new syntax is highlighted as soon as it is in the grammar.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

from kpirules.editors.vocabulary import vocabulary
from kpirules.lang.functions import CORE_FUNCTIONS

_WORDS = vocabulary()
NAME = r"(?:[A-Za-z_][A-Za-z0-9_]*|`[^`\n]+`)"
NUMBER = r"(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?"
PERIOD = r"\d{4}(?:-(?:Q\d+|W\d+|\d+(?:-\d+)?))?"
STATEMENT = "|".join(_WORDS.statement_keywords)
CORE = "|".join(sorted(CORE_FUNCTIONS, key=len, reverse=True))


class KpirulesLexer(RegexLexer):
    """kpirules rule files (``*.kpi``)."""

    name = "kpirules"
    aliases: ClassVar[list[str]] = ["kpi", "kpirules"]
    filenames: ClassVar[list[str]] = ["*.kpi"]
    mimetypes: ClassVar[list[str]] = ["text/x-kpirules"]

    tokens: ClassVar[dict[str, Any]] = {
        "root": [
            (r"[ \t\r\n]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"', String.Double, "string"),
            # a statement keyword and the name it defines
            (rf"\b({STATEMENT})\b([ \t]+)({NAME})",
             bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            # periods exist only after from, to and by (elsewhere 2026-03 is a subtraction)
            (rf"\b(from|to|by)\b([ \t\r\n]+)({PERIOD})\b", bygroups(Keyword, Whitespace, Number.Other)),
            (words(_WORDS.constants, prefix=r"\b", suffix=r"\b"), Keyword.Constant),
            (words(_WORDS.statement_keywords, prefix=r"\b", suffix=r"\b"), Keyword.Declaration),
            (words(_WORDS.other_keywords, prefix=r"\b", suffix=r"\b"), Keyword),
            (rf"\b({CORE})([ \t]*)(\()",
             bygroups(Name.Builtin, Whitespace, Punctuation)),
            (rf"({NAME})([ \t]*)(\()", bygroups(Name.Function, Whitespace, Punctuation)),
            (rf"{NUMBER}%", Number.Float),
            (NUMBER, Number),
            (r"`[^`\n]+`", Name.Variable),
            (r"[A-Za-z_][A-Za-z0-9_]*", Name),
            (r"<=|>=|==|!=|[<>=+\-*/^]", Operator),
            (r"[()\[\],]", Punctuation),
        ],
        "string": [
            (r'\\[\\"nt]', String.Escape),
            (r"\{\{|\}\}", String.Escape),
            (r"\{[^{}\"\n]*\}", String.Interpol),
            (r'[^"\\{}\n]+', String.Double),
            (r"[{}\\]", String.Double),
            (r'"', String.Double, "#pop"),
            (r"\n", String.Double, "#pop"),  # an unterminated string ends with its line
        ],
    }
