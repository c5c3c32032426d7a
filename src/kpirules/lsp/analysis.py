"""One open document, parsed and checked: what every request of the server reads.

A document is analysed once per change (parse, check, index) and every
request (hover, completion, rename…) reads that analysis, so answers never
disagree with the diagnostics shown.
"""

from __future__ import annotations

from pathlib import Path

from attrs import frozen

from kpirules.lang import ast
from kpirules.lang.diagnostics import Diagnostic
from kpirules.lang.loader import parse_and_diagnose
from kpirules.lsp.environment import Environment
from kpirules.lsp.positions import LineIndex
from kpirules.lsp.symbols import SymbolIndex


@frozen
class Analysis:
    """A document's text, syntax tree, diagnostics and symbol index."""

    path: str
    text: str
    lines: LineIndex
    statements: tuple[ast.Statement, ...]
    diagnostics: tuple[Diagnostic, ...]
    index: SymbolIndex
    environment: Environment


def analyse(text: str, path: str, environment: Environment, encoding: str = "utf-16") -> Analysis:
    """Check ``text`` as ``kpirules check`` would (same messages, codes and hints) and index it.

    ``path`` names the file in diagnostics; statements that do not parse are
    left out of the index, the others stay usable while the user types.
    ``encoding`` is the position encoding agreed with the client.
    """
    if text.startswith("\ufeff"):  # a BOM is no rule text, but the editor counts its column
        text = " " + text[1:]
    rule_file, diagnostics = parse_and_diagnose(
        text, path, functions=environment.functions, known_actions=environment.known_actions)
    lines = LineIndex(text, encoding)
    index = SymbolIndex(rule_file.statements, [lines.line_text(i) for i in range(len(lines.lines))])
    return Analysis(path, text, lines, rule_file.statements, tuple(diagnostics), index, environment)


def display_path(uri_path: str | None) -> str:
    """The name diagnostics give the file: its path, or ``<editor>`` for an unsaved document."""
    return str(Path(uri_path)) if uri_path else "<editor>"
