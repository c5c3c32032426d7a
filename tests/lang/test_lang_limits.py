"""Rule files built to exhaust the front end, or to fool a reviewer (issue 10).

- did-you-mean scanned every name for every unknown name (5,000 unknown names: 42 s);
- a flat sum of 202 terms was refused as "nests more than 200 levels deep";
- ``to 99999-12`` said 'unexpected "9"';
- bidirectional control characters ("Trojan Source") passed silently.
"""

from __future__ import annotations

import difflib
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpirules
from kpirules.errors import RuleFileError
from kpirules.lang.diagnostics import Diagnostic, did_you_mean
from kpirules.lang.loader import diagnose_text
from kpirules.lang.parser import MAX_DEPTH, MAX_TERMS
from kpirules.lang.suggest import NameIndex
from support.cli import RunCli


def errors(text: str) -> list[Diagnostic]:
    with pytest.raises(RuleFileError) as err:
        kpirules.loads(text, "r.kpi")
    return [d for d in err.value.diagnostics if d.severity == "error"]


# ───────────────────────── did you mean ─────────────────────────

def old_did_you_mean(word: str, candidates: list[str]) -> str | None:
    """The implementation before the index: difflib over every candidate, then case."""
    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        matches = [lowered[word.lower()]] if word.lower() in lowered else []
    return f'did you mean "{matches[0]}"?' if matches else None


WORDS = st.text(alphabet="abcdeAB_1", min_size=0, max_size=12)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(WORDS, st.lists(WORDS, max_size=40))
def test_the_index_suggests_what_difflib_suggested(word: str, candidates: list[str]) -> None:
    assert did_you_mean(word, candidates) == old_did_you_mean(word, candidates)


def test_the_index_suggests_what_difflib_suggested_on_real_names() -> None:
    names = ["visits", "leads", "spend", "revenue", "cac", "conversion_rate", "Orders", "roi",
             "cost_per_lead", "signups", "trials", "churn", "mrr", "arpu", "ltv"]
    rng = random.Random(7)
    for _ in range(500):
        word = list(rng.choice(names))
        for _ in range(rng.randint(0, 3)):
            word.insert(rng.randint(0, len(word)), rng.choice("aeistx_"))
        typed = "".join(word).upper() if rng.random() < 0.1 else "".join(word)
        assert did_you_mean(typed, names) == old_did_you_mean(typed, names)


def test_a_budget_stops_hints_but_never_the_answers_already_given() -> None:
    index = NameIndex([f"name_{i}" for i in range(100)], budget=250)
    first = index.hint("name_1x")
    assert first == 'did you mean "name_1"?'
    for i in range(10):
        index.hint(f"nam_{i}y")
    assert index.hint("name_2x") is None  # budget spent
    assert index.hint("name_1x") == first  # remembered


@pytest.mark.slow
def test_a_file_of_thousands_of_unknown_names_reports_each_and_hints_the_first() -> None:
    count = 3_000
    text = "ruleset big\nmetric visits\n" + "".join(
        f"kpi kpi_{i} = kpi_{i}x + visits\n" for i in range(count))
    diags = [d for d in diagnose_text(text, "big.kpi") if d.code == "unknown-name"]
    assert len(diags) == count
    assert diags[0].hint == 'did you mean "kpi_0"?'
    assert diags[-1].hint is None  # past the budget: no hint, still the error


# ───────────────────────── nesting and chains ─────────────────────────

@pytest.mark.slow
def test_a_flat_sum_of_many_terms_is_not_nesting() -> None:
    terms = 600
    text = "ruleset r\nmetric a\nkpi total = " + " + ".join(["a"] * terms) + "\n"
    result = kpirules.loads(text, "r.kpi").evaluate([{"period": "2026-01", "a": 2.0}])
    assert result.value("total") == 2.0 * terms


@pytest.mark.parametrize("operator", [" - ", " * ", " and ", " or "])
def test_long_chains_of_one_operator_load(operator: str) -> None:
    value = "(a > 0)" if operator in (" and ", " or ") else "a"
    kpirules.loads(f"ruleset r\nmetric a\nkpi k = {operator.join([value] * 250)}\n", "r.kpi")


def test_a_chain_longer_than_the_limit_is_refused_cleanly() -> None:
    text = "ruleset r\nmetric a\nkpi total = " + " + ".join(["a"] * (MAX_TERMS + 5)) + "\n"
    [diag] = errors(text)
    assert (diag.code, diag.line, diag.column) == ("too-deep", 3, 1)
    assert f"more than {MAX_TERMS:,} operands" in diag.message


def test_deep_nesting_is_still_refused_cleanly() -> None:
    depth = MAX_DEPTH + 5
    text = "ruleset r\nmetric a\nkpi k = " + "(a + " * depth + "a" + ")" * depth + "\n"
    [diag] = errors(text)
    assert (diag.code, diag.line, diag.column) == ("too-deep", 3, 1)
    assert f"nests more than {MAX_DEPTH} levels deep" in diag.message


def test_nesting_just_under_the_limit_loads() -> None:
    depth = MAX_DEPTH - 10
    kpirules.loads("ruleset r\nmetric a\nkpi k = " + "(a + " * depth + "a" + ")" * depth + "\n", "r.kpi")


# ───────────────────────── periods ─────────────────────────

@pytest.mark.parametrize("period", ["99999-12", "26-03", "march", "20260"])
def test_what_is_not_a_period_after_to_is_a_period_error_at_its_start(period: str) -> None:
    text = f"ruleset r\nmetric a\nobjective o a increase 10% from 2026-01 to {period}\n"
    [diag] = errors(text)
    assert (diag.code, diag.line, diag.column) == ("bad-period", 3, 44)
    assert f'"{period}" is not a period' in diag.message and "2026-03" in diag.message
    assert diag.hint is not None and "four digits" in diag.hint


def test_a_period_error_after_by_and_from() -> None:
    [diag] = errors("ruleset r\nmetric a\nobjective o a >= 3 by 2026-Q1 from 123456\n")
    assert (diag.code, diag.column) == ("bad-period", 36)


def test_a_name_called_to_is_not_taken_for_a_period() -> None:
    [diag] = errors("ruleset r\nmetric a\nrule r when a > 1 then email(to x)\n")
    assert diag.code == "syntax"


# ───────────────────────── bidi controls ─────────────────────────

@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                                  "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"])
def test_every_bidi_control_character_is_a_warning_at_its_place(char: str) -> None:
    text = f'ruleset r\nmetric a # ok{char} really\nkpi k = a label "x{char}"\n'
    ruleset = kpirules.loads(text, "r.kpi")
    places = [(w.code, w.line, w.column) for w in ruleset.warnings if w.code == "bidi-control"]
    assert places == [("bidi-control", 2, 14), ("bidi-control", 3, 19)]
    assert f"U+{ord(char):04X}" in ruleset.warnings[0].message


def test_check_reports_a_trojan_source_name_in_json(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "r.kpi"
    path.write_text("ruleset r\nmetric `cost\u202e`\nkpi k = `cost\u202e`\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", path)
    found = [d for d in json.loads(result.out) if d["code"] == "bidi-control"]
    assert [(d["line"], d["column"], d["severity"]) for d in found] == [(2, 13, "warning"), (3, 14, "warning")]
    assert "quoted name" in found[0]["message"]
    assert result.code == 0


def test_plain_right_to_left_text_is_no_warning() -> None:
    ruleset = kpirules.loads('ruleset r\nmetric a label "عربى"\n', "r.kpi")
    assert not [w for w in ruleset.warnings if w.code == "bidi-control"]


def test_deep_nesting_written_over_many_lines_is_refused_too() -> None:
    """A statement over several lines is measured by its characters, not its last line."""
    depth = MAX_DEPTH + 5
    text = "ruleset r\nmetric a\nkpi k = " + "(a +\n" * depth + "a" + ")" * depth + "\n"
    [diag] = errors(text)
    assert (diag.code, diag.line, diag.column) == ("too-deep", 3, 1)
    assert f"nests more than {MAX_DEPTH} levels deep" in diag.message


def test_a_rule_over_a_few_lines_is_not_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short statements cannot be too deep: the walk over their tree is skipped (check's speed)."""
    from kpirules.lang import parser

    measured: list[object] = []
    monkeypatch.setattr(parser, "_too_deep", lambda statement: measured.append(statement))
    kpirules.loads("ruleset r\nmetric a\nkpi k = a\nthreshold k\n  critical < 1\n  warning < 2\n"
                   "rule low when k is critical\n  then log(text=\"low\")\n", "r.kpi")
    assert measured == []
