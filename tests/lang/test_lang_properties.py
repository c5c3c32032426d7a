"""Properties over thousands of rule files (hypothesis).

- Formatting random valid files is idempotent and keeps their meaning.
- Mutated files (characters and tokens deleted, inserted, swapped) never make
  the parser, the checker or the formatter fail with anything but
  ``RuleFileError``, and every diagnostic points at a real line and column.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kpi_strategies import rule_files

import kpirules
from kpirules.errors import RuleFileError
from kpirules.lang.diagnostics import render
from kpirules.lang.formatter import format_text
from kpirules.lang.parser import parse
from support.golden import CASES, SHIPPED_RULESETS, conformance_rule_files, same_meaning

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ROBUSTNESS_SETTINGS = settings(max_examples=2000, deadline=None,
                               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY_SETTINGS
@given(rule_files())
def test_formatting_random_files_is_idempotent_and_keeps_meaning(text: str) -> None:
    original, diagnostics = parse(text)
    assert not [d for d in diagnostics if d.code == "syntax"], (text, diagnostics)
    if diagnostics:  # e.g. a positional argument after a keyword one: refused, and that is all
        try:
            format_text(text)
        except RuleFileError:
            return
        raise AssertionError("a file with errors was formatted")
    formatted = format_text(text)
    assert format_text(formatted) == formatted
    again, diagnostics = parse(formatted)
    assert not diagnostics
    assert same_meaning(again.statements) == same_meaning(original.statements)
    assert _comment_words(formatted) == _comment_words(text)


def _comment_words(text: str) -> list[str]:
    """The words of every comment (comments may be joined or moved, never lost)."""
    from kpirules.lang.formatter import scan_comments

    return sorted(" ".join(c.text for c in scan_comments(text)).replace("#", " ").split())


# ───────────────────────── robustness ─────────────────────────


@lru_cache(maxsize=1)
def seed_files() -> tuple[str, ...]:
    paths = [*conformance_rule_files(), *SHIPPED_RULESETS, *sorted((CASES / "fmt").glob("*.kpi")),
             *sorted((CASES / "diagnostics").glob("*.kpi"))]
    return tuple(p.read_text(encoding="utf-8") for p in paths)


INSERT_CHARS = [*list('"`()[],=<>!+-*/^%#\\\n\t _aZ09.é€\x00\r'), "\u2028", "\ufeff"]
INSERT_TOKENS = [
    "ruleset", "metric", "kpi", "threshold", "decision", "objective", "rule", "param", "dimension",
    "when", "otherwise", "where", "for", "periods", "then", "from", "to", "by", "is", "not", "in",
    "and", "or", "unit", "agg", "label", "better", "missing", "scope", "severity", "grain",
    "critical", "warning", "ok", "increase", "decrease", "==", "=", "<=", "(", ")", "[", "]",
    "2026-13", "2026-W60", "2026-Q5", "2026-02-30", "99999999999999999999", "1e999", "0%",
    "previous(", "round(x, digits=2)", "`", '"', "# c\n", "\n", "-", "--", "1_", "_1",
]
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`\n]*`|\S+')


@st.composite
def mutations(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "delete_range", "insert_char", "insert_token",
                                     "swap_chars", "swap_tokens", "drop_token", "duplicate_line"]))
        pos = draw(st.integers(0, max(len(text), 1))) % (len(text) + 1)
        if kind == "delete":
            text = text[:pos] + text[pos + 1:]
        elif kind == "delete_range":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)):]
        elif kind == "insert_char":
            text = text[:pos] + draw(st.sampled_from(INSERT_CHARS)) + text[pos:]
        elif kind == "insert_token":
            text = text[:pos] + " " + draw(st.sampled_from(INSERT_TOKENS)) + " " + text[pos:]
        elif kind == "swap_chars" and pos + 1 < len(text):
            text = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2:]
        elif kind in ("swap_tokens", "drop_token"):
            spans = [m.span() for m in _TOKEN.finditer(text)]
            if len(spans) < 2:
                continue
            i = draw(st.integers(0, len(spans) - 2))
            (a0, a1), (b0, b1) = spans[i], spans[i + 1]
            if kind == "swap_tokens":
                text = text[:a0] + text[b0:b1] + text[a1:b0] + text[a0:a1] + text[b1:]
            else:
                text = text[:a0] + text[a1:]
        elif kind == "duplicate_line":
            lines = text.split("\n")
            j = pos % len(lines)
            lines.insert(j, lines[j])
            text = "\n".join(lines)
    return text


def mutated_files() -> st.SearchStrategy[str]:
    seeds = st.one_of(st.sampled_from(seed_files()), rule_files())
    return seeds.flatmap(mutations)


def _check_diagnostics_point_into_the_file(text: str, err: RuleFileError) -> None:
    assert err.diagnostics
    assert any(d.severity == "error" for d in err.diagnostics)
    for diag in err.diagnostics:
        assert diag.line >= 1 and diag.column >= 1, diag
        assert diag.message
        render(diag, text)  # never fails, even at the end of the file


@ROBUSTNESS_SETTINGS
@given(mutated_files())
def test_mutated_files_only_ever_raise_rule_file_errors(text: str) -> None:
    try:
        ruleset = kpirules.loads(text, "mutated.kpi")
    except RuleFileError as err:
        _check_diagnostics_point_into_the_file(text, err)
    else:
        assert ruleset.name
    try:
        formatted = format_text(text, "mutated.kpi")
    except RuleFileError as err:
        _check_diagnostics_point_into_the_file(text, err)
    else:
        assert format_text(formatted) == formatted
