"""The tokens the AST builder reads, without Lark.

A valid file is parsed on the fast path (:mod:`kpirules.lang.fastpath`)
without importing Lark at all (a fifth of ``kpirules eval``'s start-up), so
its tokens cannot be Lark's. Lark's standard front end, which explains syntax
errors, converts its tokens to these before the AST builder sees them
(:class:`kpirules.lang.grammar.ToAst`): the builder knows one kind.
"""

from __future__ import annotations

# The words that start a statement: a file is cut into statements at them to recover from errors.
STATEMENT_KEYWORDS = (
    "ruleset", "param", "dimension", "metric", "kpi", "threshold", "decision", "objective", "rule",
)


class Token(str):
    """A token: its text (the string itself), its terminal's name and where it is.

    The attributes are those of ``lark.Token`` the builder and the
    diagnostics read; ``line`` and ``column`` count from 1, and the end is
    exclusive, as in Lark.
    """

    __slots__ = ("column", "end_column", "end_line", "end_pos", "line", "start_pos", "type")

    type: str
    start_pos: int
    line: int
    column: int
    end_line: int
    end_column: int
    end_pos: int

    def __new__(cls, type_: str, value: str, start_pos: int, line: int, column: int,
                end_line: int, end_column: int, end_pos: int) -> Token:
        token = str.__new__(cls, value)
        token.type = type_
        token.start_pos = start_pos
        token.line = line
        token.column = column
        token.end_line = end_line
        token.end_column = end_column
        token.end_pos = end_pos
        return token

    @property
    def value(self) -> str:
        """The text, as a plain string (``lark.Token.value``)."""
        return str(self)

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (Token, (self.type, str(self), self.start_pos, self.line, self.column,
                        self.end_line, self.end_column, self.end_pos))
