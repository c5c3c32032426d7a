"""Go to definition, find references, rename, and the outline of a file.

All of them read the symbol index (:mod:`kpirules.lsp.symbols`); positions
come in and go out in the parser's terms, the server converts them.
"""

from __future__ import annotations

from attrs import frozen

from kpirules.lang import ast
from kpirules.lang.formatter import quote_name
from kpirules.lsp.analysis import Analysis
from kpirules.lsp.symbols import REFERABLE_KINDS, Occurrence, statement_kind

#: What ``rename`` may rename: the names expressions use (rules and objectives are never referred to).
RENAMABLE_KINDS = REFERABLE_KINDS


class RenameRefused(Exception):
    """A rename that would break the file; the message says why, for the user."""


@frozen
class Edit:
    span: ast.Span
    new_text: str


@frozen
class OutlineEntry:
    name: str
    kind: str
    span: ast.Span
    selection: ast.Span


def _occurrence(analysis: Analysis, line: int, column: int) -> Occurrence | None:
    return analysis.index.occurrence_at(line, column)


def definition(analysis: Analysis, line: int, column: int) -> list[ast.Span]:
    """Where the name under the position is defined (empty when it is not)."""
    occurrence = _occurrence(analysis, line, column)
    if occurrence is None:
        return []
    return [s.span for s in analysis.index.definitions(occurrence.name)]


def references(analysis: Analysis, line: int, column: int, include_declaration: bool = True) -> list[ast.Span]:
    """Every mention of the name under the position, in file order."""
    occurrence = _occurrence(analysis, line, column)
    if occurrence is None:
        return []
    return [o.span for o in analysis.index.occurrences_of(occurrence.name)
            if include_declaration or not o.is_definition]


def rename_target(analysis: Analysis, line: int, column: int) -> Occurrence:
    """The occurrence a rename at the position would start from; RenameRefused if none may be renamed."""
    occurrence = _occurrence(analysis, line, column)
    if occurrence is None:
        raise RenameRefused("put the cursor on the name of a metric, KPI, decision, parameter or dimension")
    symbol = analysis.index.definition(occurrence.name)
    if symbol is None:
        raise RenameRefused(f'"{occurrence.name}" is not defined in this file')
    if symbol.kind not in RENAMABLE_KINDS:
        raise RenameRefused(f"a {symbol.kind} is never referred to: edit its name in place")
    return occurrence


def rename(analysis: Analysis, line: int, column: int, new_name: str) -> list[Edit]:
    """The edits that rename the name under the position everywhere in the file."""
    occurrence = rename_target(analysis, line, column)
    new_name = new_name.strip()
    if new_name.startswith("`") and new_name.endswith("`") and len(new_name) > 1:
        new_name = new_name[1:-1]
    if not new_name or "`" in new_name or "\n" in new_name or "\r" in new_name:
        raise RenameRefused("a name cannot be empty nor hold a backtick or a line break")
    if new_name == occurrence.name:
        return []
    if analysis.index.definitions(new_name):
        raise RenameRefused(f'"{new_name}" is already defined in this file')
    written = quote_name(new_name)
    mentions = analysis.index.occurrences_of(occurrence.name)
    if any(o.in_template for o in mentions) and ({"{", "}", '"', "\\"} & set(new_name)):
        raise RenameRefused(f'"{new_name}" cannot be written in an action text\'s {{…}}: '
                            "choose a name without braces, quotes or backslashes")
    return [Edit(o.span, new_name if o.in_template else written) for o in mentions]


def outline(analysis: Analysis) -> list[OutlineEntry]:
    """One entry per statement, in file order: its name (or what it is about) and its kind."""
    entries = []
    for stmt in analysis.statements:
        kind = statement_kind(stmt)
        name = getattr(stmt, "name", None)
        target = getattr(stmt, "target", None)
        span = getattr(stmt, "span", None)
        if not isinstance(span, ast.Span):
            continue
        if isinstance(name, ast.Ident):
            entries.append(OutlineEntry(name.name, kind, span, name.span))
        elif isinstance(target, ast.Ident):
            entries.append(OutlineEntry(f"{kind} {target.name}", kind, span, target.span))
        else:
            entries.append(OutlineEntry(kind, kind, span, span))
    return entries


def folding_ranges(analysis: Analysis) -> list[tuple[int, int]]:
    """(first line, last line), 1-based, of each statement written on several lines."""
    ranges = []
    for stmt in analysis.statements:
        span = getattr(stmt, "span", None)
        if isinstance(span, ast.Span) and span.end_line > span.line:
            ranges.append((span.line, span.end_line))
    return ranges
