"""Completion: what may come next at the cursor, as the grammar says.

The text of the current statement up to the cursor is fed to Lark's
interactive parser, which answers which terminals it accepts next: keywords
are offered only where the grammar takes them (``unit`` after a KPI's
formula, ``and`` after a condition, a statement keyword where a statement may
start), a period literal only after ``from``/``to``/``by``. Where a name is
accepted, the word before it says which names: units after ``unit``, the
grains after ``grain``, actions after ``then``, the names in scope and the
functions inside an expression. Nothing here lists keywords by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from attrs import frozen
from lark import Token
from lark.exceptions import LarkError

from kpirules.editors.vocabulary import COMMON_UNITS, vocabulary
from kpirules.lang import ast
from kpirules.lang.formatter import quote_name
from kpirules.lang.grammar import parser as lark_parser
from kpirules.lang.periods import GRAINS, index_of_date, label
from kpirules.lsp.analysis import Analysis
from kpirules.lsp.hover import describe_function, describe_symbol, functions_of, signature
from kpirules.lsp.positions import Position


@frozen
class Item:
    """One completion: what is shown, what kind of thing, and what is inserted."""

    label: str
    kind: str  # keyword, variable, function, unit, value, period, action
    detail: str = ""
    insert_text: str | None = None
    snippet: bool = False
    documentation: str | None = None


# Words after which the grammar takes a name that is a setting, not a name in scope.
AGGREGATES = ("sum", "avg", "min", "max", "first", "last")
SETTINGS: dict[str, tuple[str, ...]] = {
    "grain": GRAINS,
    "agg": AGGREGATES,
    "better": ("higher", "lower"),
    "scope": ("segments", "overall"),
    "locale": ("en", "fr"),
}
_PARTIAL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*|\d[\w-]*)\Z")
_LINE_SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*("?)|`[^`\n]*(`?)|#[^\n]*')
_WORDS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|`[^`\n]*`?|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*')
_TEMPLATE = re.compile(r"(?<!\{)\{[^{}]*\Z")


def complete(analysis: Analysis, position: Position, today: date | None = None) -> list[Item]:
    """Completions at an editor position."""
    line, column = analysis.lines.to_parser(position)
    line_text = analysis.lines.line_text(line - 1)[: column - 1]
    inside = _inside_string_or_comment(line_text)
    if inside == "comment":
        return []
    if inside == "string":  # only a placeholder of an action's text: {name}
        if not _TEMPLATE.search(line_text):
            return []
        return [*_scope_items(analysis), Item("period", "value", "the period of the firing")]
    before = analysis.text[: analysis.lines.offset(position)]
    if inside == "name":  # an unclosed backtick: the name being typed starts there
        context = before[: before.rindex("`")]
    else:
        partial = _PARTIAL.search(before)
        context = before[: partial.start()] if partial else before
    accepted, tokens = accepted_terminals(context[_statement_start(context):])
    if accepted is None:  # the statement does not parse up to here: offer what may fit
        return _keywords(vocabulary().keywords) + _expression_items(analysis)
    return _items_for(analysis, accepted, tokens, today or date.today())


def accepted_terminals(statement_text: str) -> tuple[set[str] | None, list[Token]]:
    """The terminals the parser accepts after ``statement_text``, and its tokens.

    ``None`` when the text does not parse up to its end.
    """
    try:
        interactive = lark_parser().parse_interactive(statement_text)
        tokens = list(interactive.iter_parse())
        return set(interactive.accepts()), tokens
    except LarkError:
        return None, []


def _items_for(analysis: Analysis, accepted: set[str], tokens: list[Token], today: date) -> list[Item]:
    keyword_of = _keyword_terminals()
    items = _keywords(sorted(keyword_of[t] for t in accepted if t in keyword_of))
    if "PERIOD" in accepted:
        items += _period_items(analysis, today)
    if "NAME" in accepted or "QUOTED_NAME" in accepted:
        items += _name_items(analysis, tokens)
    return items


def _name_items(analysis: Analysis, tokens: list[Token]) -> list[Item]:
    """Which names fit where the grammar takes a name, judged by the tokens before it."""
    previous = str(tokens[-1]) if tokens else ""
    statement = str(tokens[0]) if tokens else ""
    if previous in SETTINGS:
        return [Item(word, "value", previous) for word in SETTINGS[previous]]
    if previous == "unit":
        return [Item(unit, "unit", "unit") for unit in _units(analysis)]
    if previous == statement and previous in vocabulary().statement_keywords:
        if statement == "threshold":
            return _scope_items(analysis, ("kpi", "metric"))
        return []  # a new name is being defined
    if statement == "objective" and not any(str(t) in ("increase", "decrease") or t.type == "COMPARE"
                                            for t in tokens):
        return _scope_items(analysis, ("kpi", "metric"))  # the objective's target
    if _in_actions(tokens):
        return _action_items(analysis)
    return _expression_items(analysis)


def _in_actions(tokens: list[Token]) -> bool:
    """After ``then`` (or another action clause), outside an action's parentheses."""
    depth, seen = 0, False
    for tok in tokens:
        if tok.type == "LPAR":
            depth += 1
        elif tok.type == "RPAR":
            depth -= 1
        elif str(tok) in ("then", "resolve"):
            seen = True
    return seen and depth == 0 and bool(tokens) and tokens[-1].type != "COMMA"


def _expression_items(analysis: Analysis) -> list[Item]:
    functions = [
        Item(spec.name, "function", signature(spec),
             insert_text=f"{spec.name}(" + ", ".join(
                 f"${{{i + 1}:{p}}}" for i, p in enumerate(spec.params[: spec.min_args])) + ")",
             snippet=True, documentation=describe_function(spec))
        for spec in sorted(functions_of(analysis).values(), key=lambda s: s.name)
    ]
    return _scope_items(analysis) + functions


def _scope_items(analysis: Analysis, kinds: Iterable[str] | None = None) -> list[Item]:
    wanted = set(kinds) if kinds is not None else None
    items, seen = [], set()
    for symbol in analysis.index.scope():
        if (wanted is not None and symbol.kind not in wanted) or symbol.name in seen:
            continue
        seen.add(symbol.name)
        quoted = quote_name(symbol.name)
        items.append(Item(symbol.name, "variable", symbol.kind,
                          insert_text=quoted if quoted != symbol.name else None,
                          documentation=describe_symbol(analysis, symbol)))
    return items


def _action_items(analysis: Analysis) -> list[Item]:
    known = analysis.environment.known_actions or frozenset()
    used = {c.name.name for s in analysis.statements if isinstance(s, ast.RuleStmt) for c in s.actions}
    return [Item(name, "function", "action", insert_text=f"{name}($1)", snippet=True)
            for name in sorted(known | used)]


def _units(analysis: Analysis) -> list[str]:
    used = [opt.value.name for s in analysis.statements for opt in getattr(s, "options", ())
            if isinstance(opt, ast.Option) and opt.key == "unit" and isinstance(opt.value, ast.Ident)]
    return list(dict.fromkeys([*COMMON_UNITS, *used]))


def _period_items(analysis: Analysis, today: date) -> list[Item]:
    """Today's period at the ruleset's grain and at each coarser one (``2026-03``, ``2026-Q1``, ``2026``)."""
    grain = "month"
    for stmt in analysis.statements:
        if isinstance(stmt, ast.RulesetStmt) and stmt.grain is not None and stmt.grain.name in GRAINS:
            grain = stmt.grain.name
    return [Item(label(index_of_date(today, g), g), "period", f"this {g}")
            for g in GRAINS[GRAINS.index(grain):]]


def _keywords(words: Iterable[str]) -> list[Item]:
    return [Item(word, "keyword", "keyword") for word in words]


def _keyword_terminals() -> dict[str, str]:
    """Terminal name → keyword, for the grammar's word terminals (``UNIT`` → ``unit``)."""
    words = set(vocabulary().keywords)
    return {t.name: t.pattern.value for t in lark_parser().terminals
            if t.pattern.type == "str" and t.pattern.value in words}


def _statement_start(text: str) -> int:
    """Where the statement around the end of ``text`` starts (its keyword), else 0."""
    starts = vocabulary().statement_keywords
    start = 0
    for match in _WORDS.finditer(text):
        if match.group(0) in starts:
            start = match.start()
    return start



def _inside_string_or_comment(line_text: str) -> str | None:
    """``string``, ``comment`` or ``name`` (an unclosed backtick) when ``line_text`` ends inside one."""
    for match in _LINE_SCAN.finditer(line_text):
        if match.end() == len(line_text):
            text = match.group(0)
            if text.startswith("#"):
                return "comment"
            if text.startswith('"') and not (len(text) > 1 and match.group(1)):
                return "string"
            if text.startswith("`") and not (len(text) > 1 and match.group(2)):
                return "name"
    return None


@frozen
class CallHint:
    """The function call the cursor is in, for signature help: which function, which argument."""

    spec_name: str
    signature: str
    parameters: tuple[str, ...]
    active: int
    documentation: str


def call_at_cursor(analysis: Analysis, position: Position) -> CallHint | None:
    """The innermost function call still open before the cursor, and the argument being typed."""
    before = analysis.text[: analysis.lines.offset(position)]
    _, tokens = accepted_terminals(before[_statement_start(before):])
    open_calls: list[tuple[str | None, int]] = []  # (function name, or None for a bracket; argument)
    previous: Token | None = None
    for tok in tokens:
        if tok.type == "LPAR":
            is_call = previous is not None and previous.type in ("NAME", "QUOTED_NAME")
            open_calls.append((str(previous) if is_call else None, 0))
        elif tok.type == "RPAR" and open_calls:
            open_calls.pop()
        elif tok.type == "COMMA" and open_calls:
            name, index = open_calls.pop()
            open_calls.append((name, index + 1))
        previous = tok
    calls = [(name, index) for name, index in open_calls if name is not None]
    if not calls:
        return None
    name, index = calls[-1]
    spec = functions_of(analysis).get(name)
    if spec is None:
        return None
    params = tuple(p if i < spec.min_args else f"[{p}]" for i, p in enumerate(spec.params))
    if spec.max_args is None:
        params = (*params, "…")
    return CallHint(spec.name, signature(spec), params, min(index, len(params) - 1), spec.doc)
