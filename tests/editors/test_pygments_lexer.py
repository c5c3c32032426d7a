"""The Pygments lexer: found by name and file name through its entry point, and right on real files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.plugin import find_plugin_lexers
from pygments.token import Comment, Error, Keyword, Name, Number, String, Token

from kpirules.editors.pygments_lexer import KpirulesLexer
from kpirules.editors.vocabulary import vocabulary
from kpirules.lang.diagnostics import has_errors
from kpirules.lang.parser import parse

ROOT = Path(__file__).resolve().parents[2]


def _valid(path: Path) -> bool:
    """A rule file that parses (the diagnostics cases are broken on purpose)."""
    return not has_errors(parse(path.read_text(encoding="utf-8"), str(path))[1])


RULE_FILES = sorted(p for p in {*ROOT.glob("rulesets/*.kpi"), *ROOT.glob("tests/cases/**/*.kpi"),
                                *ROOT.glob("examples/**/*.kpi")} if _valid(p))


def tokens(code: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in KpirulesLexer().get_tokens(code) if t is not Token.Text.Whitespace]


def test_registered_through_the_entry_point() -> None:
    assert KpirulesLexer in list(find_plugin_lexers())
    assert isinstance(get_lexer_by_name("kpi"), KpirulesLexer)
    assert isinstance(get_lexer_by_name("kpirules"), KpirulesLexer)
    assert isinstance(get_lexer_for_filename("rulesets/funnel.kpi"), KpirulesLexer)


def test_each_kind_of_token() -> None:
    code = ('metric `Dépenses €` unit EUR  # spend\n'
            'kpi cr = round(leads / visits, 2) * 100% unit percent\n'
            'objective o "Grow"\n  cr increase 10% from 2026-01 to 2026-Q4\n'
            'rule r when cr is not ok and x == null then notify(text="{cr} \\"{{x}}\\"")\n')
    got = tokens(code)
    assert (Keyword.Declaration, "metric") in got
    assert (Name.Function, "`Dépenses €`") in got
    assert (Comment.Single, "# spend") in got
    assert (Name.Builtin, "round") in got
    assert (Number.Float, "100%") in got and (Number, "2") in got
    assert (Number.Other, "2026-01") in got and (Number.Other, "2026-Q4") in got
    assert (Keyword, "increase") in got and (Keyword, "ok") in got
    assert (Keyword.Constant, "null") in got
    assert (Name.Function, "notify") in got
    assert (String.Interpol, "{cr}") in got
    assert (String.Escape, "{{") in got and (String.Escape, '\\"') in got
    assert not [t for t, _ in got if t is Error]


def test_a_subtraction_of_numbers_is_not_a_period() -> None:
    got = tokens("kpi k = 2026-03\n")
    assert (Number, "2026") in got and (Number, "03") in got


def test_every_keyword_of_the_grammar_is_a_keyword() -> None:
    for word in vocabulary().keywords:
        kinds = [t for t, v in tokens(f"x {word} y") if v == word]
        assert kinds and all(t in Keyword for t in kinds), word


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_error_token_on_the_repositorys_rule_files(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    got = list(KpirulesLexer().get_tokens(text))
    assert not [v for t, v in got if t is Error]
    assert any(t in Keyword.Declaration for t, _ in got)


def test_rich_highlights_kpi_code() -> None:
    from rich.console import Console
    from rich.syntax import Syntax

    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system="truecolor", width=80).print(
        Syntax("kpi cr = leads / visits  unit percent\n", "kpi", theme="monokai"))
    plain = io.StringIO()
    Console(file=plain, force_terminal=True, color_system="truecolor", width=80).print(
        Syntax("kpi cr = leads / visits  unit percent\n", "text", theme="monokai"))
    assert out.getvalue() != plain.getvalue()  # kpi code gets colours plain text does not
    assert "\x1b[38;2;102;217;239" in out.getvalue()  # monokai's keyword blue, on "kpi"/"unit"


def _kpi_blocks() -> list[tuple[str, str]]:
    """Every ```kpi code block of the README and the docs, with where it is."""
    import re

    blocks = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^ *```kpi *\n(.*?)^ *```", text, re.S | re.M):
            line = text[: match.start()].count("\n") + 1
            blocks.append((f"{path.name}:{line}", match.group(1)))
    return blocks


def test_the_docs_mark_their_rule_code_for_the_lexer() -> None:
    blocks = _kpi_blocks()
    assert {where.split(":")[0] for where, _ in blocks} >= {"README.md", "language.md", "tutorial.md"}
    for where, code in blocks:
        errors = [v for t, v in KpirulesLexer().get_tokens(code) if t is Error]
        assert not errors, (where, errors)
