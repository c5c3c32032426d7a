"""``kpirules lsp``: the language server, on pygls, over standard input and output.

This module only wires the protocol to the features: each handler converts
positions (:mod:`kpirules.lsp.positions`), asks the analysis of the document
(:mod:`kpirules.lsp.analysis`) and converts the answer back into lsprotocol
types. A document is re-analysed on every change, so diagnostics follow the
typing, with the messages, codes and hints of ``kpirules check``.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from kpirules import __version__
from kpirules.errors import RuleFileError
from kpirules.lang import ast
from kpirules.lang.diagnostics import Diagnostic
from kpirules.lsp import navigation
from kpirules.lsp.analysis import Analysis, analyse
from kpirules.lsp.completion import call_at_cursor, complete
from kpirules.lsp.environment import Environments
from kpirules.lsp.hover import hover_text
from kpirules.lsp.positions import LineIndex, Position, Range
from kpirules.lsp.quickfix import diagnostic_columns, fix_for

REQUEST_FAILED = -32803  # LSP's RequestFailed: the request was valid but cannot be done
_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}
_SYMBOL_KINDS = {
    "ruleset": types.SymbolKind.Module, "param": types.SymbolKind.Constant,
    "dimension": types.SymbolKind.Enum, "metric": types.SymbolKind.Field,
    "kpi": types.SymbolKind.Function, "threshold": types.SymbolKind.Property,
    "decision": types.SymbolKind.EnumMember, "objective": types.SymbolKind.Object,
    "rule": types.SymbolKind.Event,
}
_COMPLETION_KINDS = {
    "keyword": types.CompletionItemKind.Keyword, "variable": types.CompletionItemKind.Variable,
    "function": types.CompletionItemKind.Function, "unit": types.CompletionItemKind.Unit,
    "value": types.CompletionItemKind.EnumMember, "period": types.CompletionItemKind.Constant,
}


class KpirulesServer(LanguageServer):
    """The server and what it remembers: the analysis of each open document."""

    def __init__(self) -> None:
        super().__init__("kpirules", __version__)
        self.analyses: dict[str, Analysis] = {}
        self.environments = Environments(warn=self._warn)

    def _warn(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(types.MessageType.Warning, message))

    def refresh(self, uri: str) -> Analysis:
        """Analyse the document's current text and publish its diagnostics."""
        document = self.workspace.get_text_document(uri)
        fs_path = to_fs_path(uri) if uri.startswith("file:") else None
        environment = self.environments.for_file(Path(fs_path) if fs_path else None)
        encoding = str(self.workspace.position_encoding or "utf-16")
        analysis = analyse(document.source, fs_path or uri, environment, encoding)
        self.analyses[uri] = analysis
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version,
            diagnostics=[to_lsp_diagnostic(d, analysis.lines) for d in analysis.diagnostics]))
        return analysis

    def analysis(self, uri: str) -> Analysis:
        return self.analyses.get(uri) or self.refresh(uri)


server = KpirulesServer()


# ───────────────────────── conversions ─────────────────────────


def _pos(position: Position) -> types.Position:
    return types.Position(line=position.line, character=position.character)


def _range(range_: Range) -> types.Range:
    return types.Range(start=_pos(range_.start), end=_pos(range_.end))


def _mine(position: types.Position) -> Position:
    return Position(position.line, position.character)


def _parser_pos(analysis: Analysis, position: types.Position) -> tuple[int, int]:
    return analysis.lines.to_parser(_mine(position))


def diagnostic_range(diag: Diagnostic, lines: LineIndex) -> Range:
    """Where a diagnostic is, for the editor (a file-level problem: the file's start)."""
    if diag.line < 1:
        start = Position(0, 0)
        return Range(start, start)
    first, last = diagnostic_columns(diag, lines.line_text(diag.line - 1))
    return Range(lines.to_editor(diag.line, first), lines.to_editor(diag.line, last))


def to_lsp_diagnostic(diag: Diagnostic, lines: LineIndex) -> types.Diagnostic:
    """A check diagnostic for the editor: same code and message, the hint on a second line."""
    message = diag.message + (f"\nhint: {diag.hint}" if diag.hint else "")
    return types.Diagnostic(
        range=_range(diagnostic_range(diag, lines)), message=message,
        severity=_SEVERITY.get(diag.severity, types.DiagnosticSeverity.Error),
        code=diag.code, source="kpirules",
        data={"hint": str(diag.hint)} if diag.hint else None)


def _location(uri: str, analysis: Analysis, span: ast.Span) -> types.Location:
    return types.Location(uri=uri, range=_range(analysis.lines.span_range(span)))


# ───────────────────────── document life ─────────────────────────


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: KpirulesServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: KpirulesServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: KpirulesServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)  # a kpirules.toml saved meanwhile may know new actions


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def watched_files_changed(ls: KpirulesServer, params: types.DidChangeWatchedFilesParams) -> None:
    """A ``kpirules.toml`` changed (the VS Code client watches them): check the open documents again."""
    for uri in list(ls.analyses):
        ls.refresh(uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: KpirulesServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.analyses.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


# ───────────────────────── reading ─────────────────────────


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: KpirulesServer, params: types.HoverParams) -> types.Hover | None:
    analysis = ls.analysis(params.text_document.uri)
    found = hover_text(analysis, *_parser_pos(analysis, params.position))
    if found is None:
        return None
    text, span = found
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=_range(analysis.lines.span_range(span)))


@server.feature(types.TEXT_DOCUMENT_COMPLETION,
                types.CompletionOptions(trigger_characters=[" ", "{", "("]))
def completion(ls: KpirulesServer, params: types.CompletionParams) -> types.CompletionList:
    analysis = ls.analysis(params.text_document.uri)
    items = []
    for item in complete(analysis, _mine(params.position)):
        items.append(types.CompletionItem(
            label=item.label, kind=_COMPLETION_KINDS.get(item.kind), detail=item.detail or None,
            insert_text=item.insert_text,
            insert_text_format=types.InsertTextFormat.Snippet if item.snippet else None,
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=item.documentation)
            if item.documentation else None))
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_SIGNATURE_HELP,
                types.SignatureHelpOptions(trigger_characters=["(", ","]))
def signature_help(ls: KpirulesServer, params: types.SignatureHelpParams) -> types.SignatureHelp | None:
    """The signature of the function whose arguments are being typed, its current argument marked."""
    analysis = ls.analysis(params.text_document.uri)
    hint = call_at_cursor(analysis, _mine(params.position))
    if hint is None:
        return None
    return types.SignatureHelp(
        signatures=[types.SignatureInformation(
            label=hint.signature, documentation=hint.documentation,
            parameters=[types.ParameterInformation(label=p) for p in hint.parameters])],
        active_signature=0, active_parameter=hint.active)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: KpirulesServer, params: types.DefinitionParams) -> list[types.Location]:
    analysis = ls.analysis(params.text_document.uri)
    spans = navigation.definition(analysis, *_parser_pos(analysis, params.position))
    return [_location(params.text_document.uri, analysis, s) for s in spans]


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def references(ls: KpirulesServer, params: types.ReferenceParams) -> list[types.Location]:
    analysis = ls.analysis(params.text_document.uri)
    spans = navigation.references(analysis, *_parser_pos(analysis, params.position),
                                  include_declaration=params.context.include_declaration)
    return [_location(params.text_document.uri, analysis, s) for s in spans]


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
def document_highlight(ls: KpirulesServer, params: types.DocumentHighlightParams) -> list[types.DocumentHighlight]:
    """Every mention of the name under the cursor, its definition marked as written."""
    analysis = ls.analysis(params.text_document.uri)
    line, column = _parser_pos(analysis, params.position)
    occurrence = analysis.index.occurrence_at(line, column)
    if occurrence is None:
        return []
    return [types.DocumentHighlight(
        range=_range(analysis.lines.span_range(o.span)),
        kind=types.DocumentHighlightKind.Write if o.is_definition else types.DocumentHighlightKind.Read)
        for o in analysis.index.occurrences_of(occurrence.name)]


@server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
def folding_range(ls: KpirulesServer, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
    """Multi-line statements (thresholds, decisions, rules…) fold to their first line."""
    analysis = ls.analysis(params.text_document.uri)
    return [types.FoldingRange(start_line=first - 1, end_line=last - 1)
            for first, last in navigation.folding_ranges(analysis)]


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: KpirulesServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    analysis = ls.analysis(params.text_document.uri)
    return [types.DocumentSymbol(
        name=entry.name, kind=_SYMBOL_KINDS.get(entry.kind, types.SymbolKind.Object), detail=entry.kind,
        range=_range(analysis.lines.span_range(entry.span)),
        selection_range=_range(analysis.lines.span_range(entry.selection)))
        for entry in navigation.outline(analysis)]


# ───────────────────────── editing ─────────────────────────


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: KpirulesServer, params: types.PrepareRenameParams) -> types.PrepareRenamePlaceholder:
    analysis = ls.analysis(params.text_document.uri)
    try:
        occurrence = navigation.rename_target(analysis, *_parser_pos(analysis, params.position))
    except navigation.RenameRefused as refused:
        raise JsonRpcException(str(refused), code=REQUEST_FAILED) from None
    return types.PrepareRenamePlaceholder(range=_range(analysis.lines.span_range(occurrence.span)),
                                          placeholder=occurrence.name)


@server.feature(types.TEXT_DOCUMENT_RENAME)
def rename(ls: KpirulesServer, params: types.RenameParams) -> types.WorkspaceEdit:
    analysis = ls.analysis(params.text_document.uri)
    try:
        edits = navigation.rename(analysis, *_parser_pos(analysis, params.position), params.new_name)
    except navigation.RenameRefused as refused:
        raise JsonRpcException(str(refused), code=REQUEST_FAILED) from None
    return types.WorkspaceEdit(changes={params.text_document.uri: [
        types.TextEdit(range=_range(analysis.lines.span_range(e.span)), new_text=e.new_text) for e in edits]})


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: KpirulesServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    """The whole document as ``kpirules fmt`` writes it; nothing while it has syntax errors."""
    from kpirules.lang.formatter import format_text

    analysis = ls.analysis(params.text_document.uri)
    document = ls.workspace.get_text_document(params.text_document.uri)
    try:
        formatted = format_text(document.source, analysis.path)
    except RuleFileError:
        ls.window_show_message(types.ShowMessageParams(
            types.MessageType.Warning, "kpirules: fix the syntax errors before formatting"))
        return None
    if formatted == document.source:
        return []
    lines = LineIndex(document.source, str(ls.workspace.position_encoding or "utf-16"))
    return [types.TextEdit(range=types.Range(start=types.Position(line=0, character=0),
                                             end=_pos(lines.end())), new_text=formatted)]


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def code_action(ls: KpirulesServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """A quick fix for each did-you-mean hint of a diagnostic in the requested range."""
    uri = params.text_document.uri
    analysis = ls.analysis(uri)
    wanted = (params.range.start.line, params.range.end.line)
    actions = []
    for diag in analysis.diagnostics:
        lsp_diag = to_lsp_diagnostic(diag, analysis.lines)
        if not wanted[0] <= lsp_diag.range.start.line <= wanted[1]:
            continue
        fix = fix_for(diag, analysis.lines.line_text(diag.line - 1))
        if fix is None:
            continue
        edit_range = Range(analysis.lines.to_editor(fix.line, fix.column),
                           analysis.lines.to_editor(fix.line, fix.end_column))
        actions.append(types.CodeAction(
            title=fix.title, kind=types.CodeActionKind.QuickFix, diagnostics=[lsp_diag],
            is_preferred=True,
            edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=_range(edit_range),
                                                                    new_text=fix.new_text)]})))
    return actions


def serve() -> None:
    """Run the server on standard input and output until the client says exit."""
    server.start_io()
