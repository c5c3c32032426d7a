"""Which names a rule file defines, and every place it mentions them.

The index is built by walking the syntax tree generically (every attrs field
of every node), not statement by statement, so that a statement added to the
language is indexed without a change here: a statement whose ``name`` field
is an :class:`~kpirules.lang.ast.Ident` defines that name; a ``target`` field
(``threshold cac``, an objective's KPI) and every
:class:`~kpirules.lang.ast.Name` in an expression refer to one; so does a
``{name}`` placeholder in an action's text, which renaming must follow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs
from attrs import frozen

from kpirules.lang import ast

# Statements whose names expressions may use (language §6: "name").
REFERABLE_KINDS = frozenset({"param", "dimension", "metric", "kpi", "decision"})
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")  # as the engine's templates read them


@frozen
class Symbol:
    """A name where a statement defines it."""

    name: str
    kind: str
    span: ast.Span
    statement: ast.Statement


@frozen
class Occurrence:
    """A name where the file mentions it (definitions included)."""

    name: str
    span: ast.Span
    is_definition: bool = False
    in_template: bool = False


@frozen
class CallSite:
    """A function call's name, for hover."""

    name: str
    span: ast.Span


def statement_kind(stmt: object) -> str:
    """``metric`` for a ``MetricStmt``: the keyword of the statement."""
    return type(stmt).__name__.removesuffix("Stmt").lower()


class SymbolIndex:
    """Definitions, occurrences and calls of one parsed file."""

    def __init__(self, statements: tuple[ast.Statement, ...], lines: list[str]) -> None:
        self.symbols: list[Symbol] = []
        self.occurrences: list[Occurrence] = []
        self.calls: list[CallSite] = []
        self._lines = lines
        for stmt in statements:
            self._statement(stmt)
        self.occurrences.sort(key=lambda o: (o.span.line, o.span.column))

    # ── queries ──

    def definitions(self, name: str) -> list[Symbol]:
        return [s for s in self.symbols if s.name == name]

    def definition(self, name: str) -> Symbol | None:
        """The first definition of ``name`` (a duplicate is the checker's error)."""
        found = self.definitions(name)
        return found[0] if found else None

    def scope(self) -> list[Symbol]:
        """The names an expression may use, in file order."""
        return [s for s in self.symbols if s.kind in REFERABLE_KINDS]

    def occurrence_at(self, line: int, column: int) -> Occurrence | None:
        """The occurrence under the parser position (a cursor just after a name counts)."""
        for occ in self.occurrences:
            if _covers(occ.span, line, column):
                return occ
        return None

    def call_at(self, line: int, column: int) -> CallSite | None:
        for call in self.calls:
            if _covers(call.span, line, column):
                return call
        return None

    def occurrences_of(self, name: str) -> list[Occurrence]:
        return [o for o in self.occurrences if o.name == name]

    # ── building ──

    def _statement(self, stmt: ast.Statement) -> None:
        name = getattr(stmt, "name", None)
        if isinstance(name, ast.Ident):
            self.symbols.append(Symbol(name.name, statement_kind(stmt), name.span, stmt))
            self.occurrences.append(Occurrence(name.name, name.span, is_definition=True))
        target = getattr(stmt, "target", None)
        if isinstance(target, ast.Ident):
            self.occurrences.append(Occurrence(target.name, target.span))
        for node in _nodes(stmt):
            if isinstance(node, ast.Name):
                self.occurrences.append(Occurrence(node.name, node.span))
            elif isinstance(node, ast.Call):
                self.calls.append(CallSite(node.func, node.func_span))
            elif isinstance(node, ast.ActionArg) and isinstance(node.value, ast.String):
                self.occurrences.extend(self._placeholders(node.value.span))

    def _placeholders(self, span: ast.Span) -> Iterator[Occurrence]:
        """``{name}`` in a string as written on its line (escapes make values and text differ)."""
        if span.end_line != span.line or not 1 <= span.line <= len(self._lines):
            return
        text = self._lines[span.line - 1][span.column - 1: span.end_column - 1]
        for match in _PLACEHOLDER.finditer(text):
            if match.group(1):
                column = span.column + match.start(1)
                yield Occurrence(match.group(1),
                                 ast.Span(span.file, span.line, column, span.line,
                                          column + len(match.group(1))),
                                 in_template=True)


def _nodes(root: object) -> Iterator[object]:
    """Every attrs node below ``root`` (itself excluded), through fields and tuples."""
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is not root:
            yield node
        for name in _child_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, tuple):
                stack.extend(_flatten(value))
            elif value is not None and not isinstance(value, str | int | float | bool):
                stack.append(value)


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that may hold nodes (positions and plain values never do)."""
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = () if not attrs.has(kind) else tuple(
            f.name for f in attrs.fields(kind) if f.type not in _LEAF_TYPES and f.name not in _POSITIONS)
        _CHILD_FIELDS[kind] = fields
    return fields


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}

_POSITIONS = frozenset({"span", "func_span"})
_LEAF_TYPES = frozenset({"str", "int", "float", "bool", "str | None", "Span", str, int, float, bool})


def _flatten(items: tuple[object, ...]) -> Iterator[object]:
    for item in items:
        if isinstance(item, tuple):
            yield from _flatten(item)
        elif attrs.has(type(item)):
            yield item


def _covers(span: ast.Span, line: int, column: int) -> bool:
    if span.line != line:
        return False
    end = span.end_column if span.end_line == line else span.column
    return span.column <= column <= end
