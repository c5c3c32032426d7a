"""The formatter: golden files, canonical style details, comments, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpirules.errors import RuleFileError
from kpirules.lang import ast
from kpirules.lang.formatter import (
    format_expr,
    format_text,
    quote_name,
    quote_string,
    scan_comments,
)
from kpirules.lang.parser import parse
from support.golden import (
    CASES,
    SHIPPED_RULESETS,
    check_golden,
    conformance_rule_files,
    same_meaning,
)

FMT_CASES = sorted(p for p in (CASES / "fmt").glob("*.kpi") if not p.name.endswith(".formatted.kpi"))


def assert_formatting_contract(text: str) -> str:
    """Format, then check idempotence and that the meaning did not change."""
    formatted = format_text(text)
    assert format_text(formatted) == formatted, "formatting twice changed the file"
    before, _diags_before = parse(text)
    after, diags_after = parse(formatted)
    assert not diags_after, diags_after
    assert same_meaning(after.statements) == same_meaning(before.statements)
    return formatted


@pytest.mark.parametrize("case", FMT_CASES, ids=lambda p: p.stem)
def test_golden_format(case: Path) -> None:
    formatted = assert_formatting_contract(case.read_text(encoding="utf-8"))
    check_golden(case.with_name(case.stem + ".formatted.kpi"), formatted)


@pytest.mark.parametrize("case", FMT_CASES, ids=lambda p: p.stem)
def test_golden_output_is_a_fixed_point(case: Path) -> None:
    golden = case.with_name(case.stem + ".formatted.kpi")
    if golden.exists():
        text = golden.read_text(encoding="utf-8")
        assert format_text(text) == text


@pytest.mark.parametrize("path", [*SHIPPED_RULESETS, *[p for p in conformance_rule_files()
                                                       if "errors" not in p.parent.name]],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_rule_files_keep_their_meaning_and_comments(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    formatted = assert_formatting_contract(text)
    assert [c.text for c in scan_comments(text)] == [c.text for c in scan_comments(formatted)]


# ───────────────────────── expressions ─────────────────────────


def _kpi_expr(text: str) -> ast.Expr:
    rule_file, diags = parse(f"ruleset t\nkpi k = {text}\n")
    assert not diags, diags
    stmt = rule_file.statements[1]
    assert isinstance(stmt, ast.KpiStmt)
    return stmt.expr


@pytest.mark.parametrize(("written", "canonical"), [
    ("((a + b)) + (c)", "a + b + c"),
    ("a - (b - c)", "a - (b - c)"),
    ("(a - b) - c", "a - b - c"),
    ("a * (b / c)", "a * (b / c)"),
    ("(a + b) * c", "(a + b) * c"),
    ("a ^ (b ^ c)", "a ^ b ^ c"),
    ("(a ^ b) ^ c", "(a ^ b) ^ c"),
    ("-(a ^ 2)", "-a ^ 2"),
    ("(-a) ^ 2", "(-a) ^ 2"),
    ("(-2) ^ a", "(-2) ^ a"),
    ("a ^ (-2)", "a ^ -2"),
    ("a ^ (-b)", "a ^ -b"),
    ("a ^ (b * c)", "a ^ (b * c)"),
    ("a - (-2)", "a - -2"),
    ("-(-a)", "--a"),
    ("- (20%)", "-20%"),
    ("-(a + b)", "-(a + b)"),
    ("(-a) * b", "-a * b"),
    ("a*-b", "a * -b"),
    ("(a < b) == (b < c)", "(a < b) == (b < c)"),
    ("a == (not b)", "a == (not b)"),
    ("not (a == b)", "not a == b"),
    ("not (a and b)", "not (a and b)"),
    ("(not a) and b", "not a and b"),
    ("a or (b and c)", "a or b and c"),
    ("(a or b) and c", "(a or b) and c"),
    ("a and (b and c)", "a and (b and c)"),
    ("a or (b or c)", "a or (b or c)"),
    ("(a + b) in [1, (2), 3,]", "a + b in [1, 2, 3]"),
    ("(a < b) in [true]", "(a < b) in [true]"),
    ("(a) not in []", "a not in []"),
    ("(a + 1) is not ok", "a + 1 is not ok"),
    ("(a is ok) == true", "(a is ok) == true"),
    ("-(a is ok)", "-(a is ok)"),
    ("round((a / b), digits = (2))", "round(a / b, digits=2)"),
    ("f()", "f()"),
    ("1_000 + 2.5e6 + .5 + 30% + 1e-3", "1_000 + 2.5e6 + .5 + 30% + 1e-3"),
    ('"a\\"b" == "c\\\\d"', '"a\\"b" == "c\\\\d"'),
    ("null == true or false", "null == true or false"),
])
def test_expressions_get_minimal_parentheses(written: str, canonical: str) -> None:
    expr = _kpi_expr(written)
    assert format_expr(expr) == canonical
    assert _kpi_expr(canonical) == expr


def test_names_are_quoted_only_where_needed() -> None:
    assert quote_name("visits") == "visits"
    assert quote_name("_x1") == "_x1"
    assert quote_name("unit") == "`unit`"
    assert quote_name("when") == "`when`"
    assert quote_name("Taux de rebond") == "`Taux de rebond`"
    assert quote_name("é") == "`é`"
    assert quote_name("1st") == "`1st`"
    assert quote_name("growth") == "growth"  # function names are not keywords


def test_strings_are_re_escaped() -> None:
    assert quote_string('say "hi"') == '"say \\"hi\\""'
    assert quote_string("back\\slash") == '"back\\\\slash"'
    assert quote_string("two\nlines") == '"two\\nlines"'
    assert quote_string("tab\tand é") == '"tab\\tand é"'
    assert quote_string('a\nb\tc "q" \\ end') == '"a\\nb\\tc \\"q\\" \\\\ end"'


@pytest.mark.parametrize("escape", ['\\"', "\\\\", "\\n", "\\t"])
def test_every_escape_of_the_lexer_round_trips(escape: str) -> None:
    # fmt once wrote the value of \t (a tab character) instead of the escape.
    text = f'ruleset t "a{escape}b"\n\nmetric m label "x{escape}y"\n'
    assert assert_formatting_contract(text) == text


def test_redundant_escapes_and_backticks_are_dropped() -> None:
    text = 'ruleset `t` "\\q"\nmetric `visits`\n'
    assert format_text(text) == 'ruleset t "q"\n\nmetric visits\n'


# ───────────────────────── layout ─────────────────────────


def test_canonical_header_and_clause_indentation() -> None:
    text = 'ruleset f "F" grain week threshold x critical < 1 warning<2 decision d "a" when x>1 "b" otherwise'
    assert format_text(text) == (
        'ruleset f "F"\n'
        "  grain week\n"
        "\n"
        "threshold x\n"
        "  critical < 1\n"
        "  warning < 2\n"
        "\n"
        "decision d\n"
        '  "a" when x > 1\n'
        '  "b" otherwise\n'
    )


def test_options_in_canonical_order() -> None:
    text = ('ruleset t\nmetric m label "L" missing 0 agg avg unit count\n'
            'kpi k = m label "K" better lower unit EUR\n'
            "rule r when k > 1 severity info scope overall for 2 periods\n")
    assert format_text(text) == (
        "ruleset t\n\n"
        'metric m unit count  agg avg  missing 0  label "L"\n\n'
        'kpi k = m  unit EUR  better lower  label "K"\n\n'
        "rule r\n  when k > 1\n  for 2 periods\n  scope overall\n  severity info\n"
    )


def test_repeated_options_keep_their_relative_order() -> None:
    # an error for the checker, but formatting must not change which one counts
    text = "ruleset t\nmetric m unit a label \"x\" unit b\n"
    assert format_text(text) == 'ruleset t\n\nmetric m unit a  unit b  label "x"\n'


def test_blank_lines_between_groups_and_kept_within() -> None:
    text = "ruleset t\nmetric a\n\n\n\nmetric b\nmetric c\nkpi k = a\nkpi j = b\n"
    assert format_text(text) == "ruleset t\n\nmetric a\n\nmetric b\nmetric c\n\nkpi k = a\nkpi j = b\n"


def test_several_actions_one_per_line() -> None:
    text = 'ruleset t\nrule r when x then a(k=1, j=-2.5,) b() c(s="x", t=true, n=null, p=-5%)'
    assert format_text(text) == (
        "ruleset t\n\nrule r\n  when x\n  then a(k=1, j=-2.5)\n    b()\n"
        '    c(s="x", t=true, n=null, p=-5%)\n'
    )


def test_empty_file_and_comment_only_file() -> None:
    assert format_text("") == ""
    assert format_text("\n\n   \n") == ""
    assert format_text("# just a comment   \n\n\n# and another\n") == "# just a comment\n\n# and another\n"


def test_crlf_line_endings_become_lf() -> None:
    text = "ruleset t\r\nmetric m  # note\r\n"
    assert format_text(text) == "ruleset t\n\nmetric m  # note\n"


# ───────────────────────── comments ─────────────────────────


def test_comment_scanner_ignores_hashes_in_strings_and_names() -> None:
    text = 'kpi `a#b` = 1 # one\nrule r when x then log(text="#no") # two\n   # three\n'
    comments = scan_comments(text)
    assert [(c.line, c.column, c.text, c.trailing) for c in comments] == [
        (1, 15, "# one", True), (2, 36, "# two", True), (3, 4, "# three", False)]


def test_full_line_comments_stay_before_what_follows() -> None:
    text = "ruleset t\n# about m\nmetric m\nthreshold m\n  # about warning\n  warning < 1\n# end\n"
    assert format_text(text) == (
        "ruleset t\n\n# about m\nmetric m\n\nthreshold m\n  # about warning\n  warning < 1\n# end\n")


def test_trailing_comments_follow_their_clause_even_when_options_move() -> None:
    text = ("ruleset t\nrule r\n  when x > 1\n  severity critical  # loud\n"
            "  for 2 periods  # patient\n")
    assert format_text(text) == (
        "ruleset t\n\nrule r\n  when x > 1\n  for 2 periods  # patient\n"
        "  severity critical  # loud\n")


def test_several_trailing_comments_on_one_output_line() -> None:
    text = "ruleset t\nkpi k = a +  # first\n  b  # second\n"
    formatted = format_text(text)
    assert formatted == "ruleset t\n\nkpi k = a + b  # first  # second\n"
    assert format_text(formatted) == formatted


def test_comment_inside_a_statement_moves_before_it() -> None:
    text = "ruleset t\nkpi k = a\n  # why b\n  + b\n"
    assert format_text(text) == "ruleset t\n\n# why b\nkpi k = a + b\n"


# ───────────────────────── errors ─────────────────────────


@pytest.mark.parametrize("text", [
    "ruleset t\nkpi a = (b\n",
    'ruleset "t\n',
    "ruleset t\nmetric unit\n",  # a reserved word: an error of the parser
    "ruleset t\nkpi k = f(a=1, 2)\n",  # positional after keyword
])
def test_files_with_errors_are_refused(text: str) -> None:
    with pytest.raises(RuleFileError) as info:
        format_text(text, "broken.kpi")
    assert info.value.diagnostics
    assert all(d.file == "broken.kpi" for d in info.value.diagnostics)


@pytest.mark.slow
def test_printing_and_comparing_deep_trees_does_not_recurse() -> None:
    """However deep an expression the parser accepts, the formatter can print and check it."""
    from kpirules.lang.formatter import same_tree

    deep: ast.Expr = ast.Name("m")
    for _ in range(5000):
        deep = ast.Binary("+", deep, ast.Unary("-", ast.Name("x")))
    text = format_expr(deep)
    assert text.startswith("m + -x + -x") and text.count("-x") == 5000
    other: ast.Expr = ast.Name("m")
    for _ in range(5000):
        other = ast.Binary("+", other, ast.Unary("-", ast.Name("x")))
    assert same_tree(deep, other)
    assert not same_tree(deep, ast.Binary("+", other, ast.Name("y")))
