"""The language server's features in-process: completion contexts, quick fixes, the index."""

from __future__ import annotations

from datetime import date

import pytest

from kpirules.editors.vocabulary import vocabulary, vocabulary_of
from kpirules.lang.diagnostics import Diagnostic
from kpirules.lang.transform import KEYWORDS
from kpirules.lsp.analysis import Analysis, analyse
from kpirules.lsp.completion import complete
from kpirules.lsp.environment import Environment, find_nearby_config
from kpirules.lsp.positions import Position
from kpirules.lsp.quickfix import fix_for

ENV = Environment(None, frozenset({"notify", "log"}), None)
RULES = """\
ruleset r
  grain week
metric visits unit count
metric leads
kpi cr = leads / visits unit percent
"""


def at_end(text: str) -> tuple[Analysis, Position]:
    analysis = analyse(text, "<t>", ENV)
    lines = text.split("\n")
    return analysis, Position(len(lines) - 1, len(lines[-1]))


def labels(text: str, today: date | None = None) -> list[str]:
    analysis, position = at_end(text)
    return [item.label for item in complete(analysis, position, today)]


def test_the_vocabulary_is_the_grammars() -> None:
    assert set(vocabulary().keywords) >= KEYWORDS  # every reserved word is known to the editors
    assert "ruleset" in vocabulary().statement_keywords and "unit" not in vocabulary().statement_keywords
    assert vocabulary().constants == ("false", "null", "true")


def test_a_keyword_added_to_the_grammar_is_picked_up() -> None:
    grammar = '!alert_stmt: "alert" name "every" NUMBER\nYES: "yes"\n// "commented"\n'
    words = vocabulary_of(grammar)
    assert words.keywords == ("alert", "every", "yes")
    assert words.statement_keywords == ("alert",)
    assert words.constants == ("yes",)


@pytest.mark.parametrize("tail, expected, absent", [
    ("", {"ruleset", "metric", "kpi", "rule", "better"}, {"critical", "visits"}),
    ("metric spend agg ", {"sum", "avg", "last"}, {"visits", "unit"}),
    ("metric spend ", {"unit", "agg", "missing", "label"}, {"better", "visits"}),
    ("threshold ", {"visits", "cr", "leads"}, {"abs", "unit"}),
    ("threshold cr\n  ", {"critical", "warning", "where"}, {"visits"}),
    ("rule x when cr > 1 ", {"and", "or", "for", "scope", "severity", "then"}, {"visits"}),
    ("rule x when cr > 1 scope ", {"segments", "overall"}, {"visits"}),
    ("rule x when cr > 1 then ", {"notify", "log"}, {"visits", "abs"}),
    ("rule x when cr > 1 then notify(text=\"{", {"cr", "visits", "period"}, {"abs"}),
    ("rule x when cr > 1 then notify(text=\"cost ", set(), {"cr"}),
    ("kpi y = cr # a comment ", set(), {"cr", "unit"}),
    ("kpi y = cr is ", {"ok", "warning", "critical", "no_data", "skipped", "not"}, {"cr"}),
    ("objective o ", {"cr", "visits"}, {"abs"}),
    ("objective o cr <= ", {"cr", "abs"}, {"unit"}),
    ("kpi y = `vis", {"visits", "cr"}, set()),
    ("kpi ", set(), {"visits", "unit"}),
])
def test_completion_offers_what_the_grammar_takes_here(tail: str, expected: set[str], absent: set[str]) -> None:
    got = set(labels(RULES + tail))
    assert expected <= got
    assert not (absent & got)


def test_period_literals_are_todays_at_the_grain_and_coarser() -> None:
    got = labels(RULES + "objective o visits increase 10% from ", date(2026, 3, 17))
    assert got == ["2026-W12", "2026-03", "2026-Q1", "2026"]


def test_a_broken_statement_still_gets_offers() -> None:
    got = set(labels(RULES + "kpi y = ) + "))
    assert {"visits", "unit"} <= got


def diag(line: int, column: int, hint: str | None, end: int | None = None) -> Diagnostic:
    return Diagnostic("<t>", line, column, "error", "unknown-name", "x", hint, end)


def test_quick_fix_replaces_the_diagnostics_range() -> None:
    fix = fix_for(diag(1, 9, 'did you mean "visits"?', 14), "kpi a = visit / 2")
    assert fix is not None and (fix.column, fix.end_column, fix.new_text) == (9, 14, "visits")


def test_quick_fix_quotes_a_name_that_needs_backticks_but_not_a_keyword() -> None:
    fix = fix_for(diag(1, 9, 'did you mean "Dépenses €"?', 17), "kpi a = depenses / 2")
    assert fix is not None and fix.new_text == "`Dépenses €`"
    fix = fix_for(diag(1, 1, 'did you mean "threshold"?'), "treshold cr")
    assert fix is not None and (fix.column, fix.end_column, fix.new_text) == (1, 9, "threshold")


def test_no_quick_fix_without_a_suggestion() -> None:
    assert fix_for(diag(1, 1, "use day, week, month, quarter or year"), "grain x") is None
    assert fix_for(diag(1, 1, None), "grain x") is None


def test_the_nearest_configuration_above_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "kpirules.toml").write_text("rulesets = []\n", encoding="utf-8")
    deep = tmp_path / "rulesets" / "web"
    deep.mkdir(parents=True)
    assert find_nearby_config(deep) == tmp_path / "kpirules.toml"


def test_diagnostic_columns_cover_the_word_or_one_character() -> None:
    from kpirules.lsp.quickfix import diagnostic_columns

    assert diagnostic_columns(diag(1, 9, None, 14), "kpi a = visit / 2") == (9, 14)
    assert diagnostic_columns(diag(1, 9, None), "kpi a = visit / 2") == (9, 14)
    assert diagnostic_columns(diag(1, 9, None), "kpi a = `Dé penses` / 2") == (9, 20)
    assert diagnostic_columns(diag(1, 7, None), "kpi a = ) / 2") == (7, 8)
    assert diagnostic_columns(diag(1, 14, None), "kpi a = (x / ") == (14, 14)


@pytest.mark.parametrize("tail, expected", [
    ("kpi y = round(", ("round(x, [digits])", 0)),
    ("kpi y = round(cr, ", ("round(x, [digits])", 1)),
    ("kpi y = round(growth(cr, ", ("growth(x, [n])", 1)),
    ("kpi y = round(growth(cr, 2), ", ("round(x, [digits])", 1)),
    ("kpi y = max(cr, visits, leads, ", ("max(a, …)", 1)),
    ("kpi y = (cr + ", None),
    ("kpi y = round(cr) + ", None),
])
def test_signature_help_follows_the_arguments(tail: str, expected: tuple[str, int] | None) -> None:
    from kpirules.lsp.completion import call_at_cursor

    analysis, position = at_end(RULES + tail)
    hint = call_at_cursor(analysis, position)
    assert (None if hint is None else (hint.signature, hint.active)) == expected


def test_crlf_and_bom_keep_editor_columns() -> None:
    from kpirules.lsp.navigation import rename

    text = "\ufeffruleset r\r\nmetric visits\r\nkpi k = visit / 2\r\n"
    analysis = analyse(text, "<t>", ENV)
    (unknown,) = [d for d in analysis.diagnostics if d.code == "unknown-name"]
    assert analysis.lines.to_editor(unknown.line, unknown.column) == Position(2, 8)
    edits = rename(analysis, 2, 9, "sessions")
    assert [(e.span.line, e.span.column, e.span.end_column) for e in edits] == [(2, 8, 14)]
    first = analysis.index.symbols[0]
    assert analysis.lines.span_range(first.span).start == Position(0, 9)  # "r" after the BOM and "ruleset "


@pytest.mark.slow
def test_a_configuration_whose_plugin_fails_still_names_its_actions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kpirules.lsp.environment import Environments

    (tmp_path / "kpirules.toml").write_text('plugins = ["missing.py"]\n[actions.notify]\ntype = "log"\n',
                                            encoding="utf-8")
    warnings: list[str] = []
    environment = Environments(warn=warnings.append).for_file(tmp_path / "r.kpi")
    assert environment.config == tmp_path / "kpirules.toml"
    assert environment.known_actions is not None and {"notify", "log"} <= environment.known_actions
    assert environment.functions is not None and "growth" in environment.functions
    assert len(warnings) == 1 and "missing.py" in warnings[0]
