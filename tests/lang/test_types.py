"""Kinds of values (language §7): `kpirules check` reports what the engine could not compute.

Each bad example used to pass `check` and then crash `eval` inside Polars (or hit
an assertion of the engine); now `check` names the offending operand.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import kpirules
from kpirules.lang.functions import FunctionRegistry, FunctionSpec
from kpirules.lang.loader import check_text
from support.cli import RunCli

HEADER = """ruleset t
dimension store
dimension channel
metric x
metric y
kpi v = x / y
decision dd
  "go" when v > 1
  "stop" otherwise
"""
FIRST = HEADER.count("\n") + 1  # the line of the first statement after the header

# (statements after the header, line offset, column, code, message, hint)
BAD = [
    ('rule r when store == 12 then log(t="{store}")', 0, 22, "type-mismatch",
     '"==" compares values of one kind, but dimension "store" is a string and 12 is a number',
     'the values of a dimension are strings: write "12"'),
    ('rule r when v == "a"', 0, 18, "type-mismatch",
     '"==" compares values of one kind, but KPI "v" is a number and "a" is a string',
     "only dimensions, decisions and string parameters hold strings"),
    ('rule r when v in ["a"]', 0, 19, "type-mismatch",
     '"in" compares values of one kind, but KPI "v" is a number and "a" is a string',
     "only dimensions, decisions and string parameters hold strings"),
    ('rule r when x not in [1, "a"]', 0, 26, "type-mismatch",
     '"not in" compares values of one kind, but metric "x" is a number and "a" is a string',
     "only dimensions, decisions and string parameters hold strings"),
    ("rule r when channel > 3", 0, 13, "type-mismatch",
     '">" compares numbers, but dimension "channel" is a string',
     'the values of a dimension are strings: test them with ==, != or in ["…"]'),
    ("kpi k = channel + 1", 0, 9, "type-mismatch",
     '"+" works on numbers, but dimension "channel" is a string',
     'the values of a dimension are strings: test them with ==, != or in ["…"]'),
    ("rule r when dd == 3", 0, 19, "type-mismatch",
     '"==" compares values of one kind, but decision "dd" is a string and 3 is a number',
     """a decision's value is one of its labels: "go", "stop\""""),
    ('kpi k = v + "x"', 0, 13, "type-mismatch", '"+" works on numbers, but "x" is a string',
     'strings can only be tested with ==, != or in ["…"]'),
    ('kpi k = sqrt("x")', 0, 14, "bad-argument", 'sqrt(): x must be a number, but "x" is a string',
     'strings can only be tested with ==, != or in ["…"]'),
    ('kpi k = sqrt("4")', 0, 14, "bad-argument", 'sqrt(): x must be a number, but "4" is a string',
     "write the number without quotes: 4"),
    ("kpi k = if(v, 1, 2)", 0, 12, "bad-argument",
     'if(): the condition c must be true or false, but KPI "v" is a number',
     "compare it to make a condition, e.g. v > 0"),
    ("rule r when v and true", 0, 13, "type-mismatch", '"and" combines conditions, but KPI "v" is a number',
     "compare it to make a condition, e.g. v > 0"),
    ("rule r when not v", 0, 17, "type-mismatch", '"not" negates a condition, but KPI "v" is a number',
     "compare it to make a condition, e.g. v > 0"),
    ("kpi k = round(v, v)", 0, 18, "bad-argument", 'round(): digits must be a constant whole number from -15 to 15, not KPI "v"',
     "write for instance round(x, 2) for two decimals"),
    ('kpi k = round(v, "a")', 0, 18, "bad-argument", 'round(): digits must be a constant whole number from -15 to 15, not "a"',
     "write for instance round(x, 2) for two decimals"),
    ("kpi k = round(x, digits=2.5)", 0, 25, "bad-argument",
     "round(): digits must be a constant whole number from -15 to 15, not 2.5",
     "write for instance round(x, 2) for two decimals"),
    ("rule r when v > 1 + true", 0, 21, "type-mismatch", '"+" works on numbers, but true is a boolean',
     "turn a condition into a number with if(CONDITION, 1, 0)"),
    ("kpi k = -(v > 1)", 0, 10, "type-mismatch", '"-" works on numbers, but the comparison v > 1 is a boolean',
     "turn a condition into a number with if(CONDITION, 1, 0)"),
    ("rule r when v", 0, 13, "type-mismatch",
     'the condition of rule "r" must be true or false, but KPI "v" is a number',
     "compare it to make a condition, e.g. v > 0"),
    ('decision d2\n  "a" when store\n  "b" otherwise', 1, 12, "type-mismatch",
     'the condition of "a" in decision "d2" must be true or false, but dimension "store" is a string',
     'compare it to make a condition, e.g. store == "…"'),
    ("threshold v where x\n  critical < 1", 0, 19, "type-mismatch",
     'the "where" guard of the threshold on "v" must be true or false, but metric "x" is a number',
     "compare it to make a condition, e.g. x > 0"),
    ('threshold v\n  critical < "3"', 1, 14, "type-mismatch", '"<" compares numbers, but "3" is a string',
     "write the number without quotes: 3"),
    ("threshold v\n  critical == true", 1, 15, "type-mismatch",
     '"==" compares values of one kind, but KPI "v" is a number and true is a boolean', None),
    ("kpi k = v > 1\nthreshold k\n  critical < 3", 2, 3, "type-mismatch",
     '"<" compares numbers, but KPI "k" is a boolean', "test a boolean with == true or == false"),
    ("kpi k = store", 0, 9, "type-mismatch",
     'KPI "k" must be a number or a boolean, but dimension "store" is a string',
     "a KPI measures something; to label segments, use a decision"),
    ('kpi k = coalesce(v, "none")', 0, 21, "bad-argument",
     'coalesce(): the values must be of one kind, but KPI "v" is a number and "none" is a string',
     "only dimensions, decisions and string parameters hold strings"),
    ('kpi k = if(v > 1, 1, "a")', 0, 22, "bad-argument",
     'if(): the values must be of one kind, but 1 is a number and "a" is a string',
     "only dimensions, decisions and string parameters hold strings"),
    ("kpi k = clamp(v, 0, store)", 0, 21, "bad-argument",
     'clamp(): hi must be a number, but dimension "store" is a string',
     'the values of a dimension are strings: test them with ==, != or in ["…"]'),
    ('param tag = "abc"\nkpi k = v > tag', 1, 13, "type-mismatch",
     '">" compares numbers, but parameter "tag" is a string', "give the parameter a number: param tag = …"),
    ("kpi k = v > 1\nkpi k2 = growth(k)", 1, 17, "bad-argument", 'growth(): x must be a number, but KPI "k" is a boolean',
     "turn a condition into a number with if(CONDITION, 1, 0)"),
]


def diagnostics(text: str, functions: FunctionRegistry | None = None) -> list[tuple[int, int, str, str, str | None]]:
    _, diags = check_text(text, "t.kpi", functions=functions)
    return [(d.line, d.column, d.code, d.message, d.hint) for d in diags if d.severity == "error"]


@pytest.mark.parametrize(("body", "offset", "column", "code", "message", "hint"), BAD,
                         ids=[b[0].splitlines()[-1] for b in BAD])
def test_type_mismatches_are_reported_at_the_operand(body: str, offset: int, column: int, code: str,
                                                      message: str, hint: str | None) -> None:
    assert diagnostics(HEADER + body + "\n") == [(FIRST + offset, column, code, message, hint)]


def test_each_offending_operand_is_reported() -> None:
    errors = diagnostics(HEADER + 'kpi k = min(v, "12", store) > 2\n')
    assert [(line, column, code) for line, column, code, _, _ in errors] == [
        (FIRST, 16, "bad-argument"), (FIRST, 22, "bad-argument")]
    assert errors[0][4] == "write the number without quotes: 12"


def test_a_string_kpi_is_reported_once() -> None:
    errors = diagnostics(HEADER + 'kpi k = store\nkpi k2 = k == "a"\nrule r when k\n')
    assert [(line, code) for line, _, code, _, _ in errors] == [(FIRST, "type-mismatch")]


GOOD = """ruleset mixes
param min_x = 10
param digits = 2
param wanted = "paid"
dimension channel
metric x
metric y
kpi cr = x / y unit percent
kpi big = x > 100 and channel != "none"
kpi mixed = if(cr > 1%, 1, 0) + round(cr, 2) + round(cr, digits=-1) + round(cr, digits) + clamp(cr, 0, 1)
kpi nulls = coalesce(cr, null, 0) + min(x, y, 0) + max(x, null) + if(big, x, null)
kpi was_big = previous(big) or overall(big) or previous(big, 2) == true
kpi paid = channel == "paid" or channel in ["a", "b", null] or channel == wanted or channel == null
kpi labels = coalesce(channel, "none") == previous(channel) and verdict != "stop"
kpi statuses = cr is ok or cr is not critical or big
threshold cr where x >= min_x and not big
  critical < 5%
  warning < 20%
threshold big
  critical == true
decision verdict
  "stop" when cr is critical or x < 1
  "go" when big
  "wait" otherwise
rule r when verdict == "stop" and (big or cr > 10% and null)
rule s when big
rule u when verdict in ["stop", "go"] and not statuses
"""


def test_valid_mixes_stay_clean() -> None:
    ruleset, diags = check_text(GOOD, "ok.kpi")
    assert ruleset is not None and diags == []


def test_boolean_kpis_and_valid_mixes_evaluate() -> None:
    rows = [{"month": "2026-01", "channel": "paid", "x": 120, "y": 10},
            {"month": "2026-02", "channel": "paid", "x": 200, "y": 10},
            {"month": "2026-02", "channel": "a", "x": 3, "y": 100}]
    doc = kpirules.loads(GOOD, "ok.kpi").evaluate(rows).to_dict()
    paid = next(r for r in doc["rows"] if r["segment"] == {"channel": "paid"})
    assert paid["values"]["big"] is True and paid["values"]["was_big"] is True and paid["values"]["paid"] is True
    assert paid["values"]["mixed"] == 62 and paid["status"]["big"] == "critical"
    assert paid["decisions"]["verdict"] == "go" and paid["rules"] == {"r": False, "s": True, "u": False}


def test_a_plugin_function_without_kinds_is_unknown() -> None:
    plugin = FunctionSpec("anything", ("x",), 1, 1, build=lambda x: x, plugin="p")
    typed = FunctionSpec("twice", ("x",), 1, 1, build=lambda x: x * 2, plugin="p",
                         arg_kinds=("number",), returns="number")
    functions = FunctionRegistry([plugin, typed])
    text = 'ruleset t\ndimension c\nkpi k = anything(c) + 1\nrule r when anything(c) == "a" and anything(1)\n'
    assert diagnostics(text, functions) == []
    assert diagnostics('ruleset t\ndimension c\nkpi k = twice(c)\nrule r when twice(1) == "a"\n', functions) == [
        (3, 15, "bad-argument", 'twice(): x must be a number, but dimension "c" is a string',
         'the values of a dimension are strings: test them with ==, != or in ["…"]'),
        (4, 25, "type-mismatch", '"==" compares values of one kind, but twice(1) is a number and "a" is a string',
         "only dimensions, decisions and string parameters hold strings"),
    ]


def test_unknown_names_and_bad_calls_add_no_type_error() -> None:
    errors = diagnostics(HEADER + 'kpi k = nope + 1\nkpi k2 = round(v, places=2) + sqrt(1, 2)\nrule r when nope\n')
    assert {code for _, _, code, _, _ in errors} == {"unknown-name", "bad-argument", "bad-argument-count"}
    assert all("must be" not in message and "kind" not in message for _, _, _, message, _ in errors)


# ── eval refuses what check refuses: exit 2 before reading the data ──

@pytest.mark.parametrize(("body", "offset", "column", "code", "message"), [b[:5] for b in BAD[:18]],
                         ids=[b[0].splitlines()[-1] for b in BAD[:18]])
def test_eval_refuses_a_type_mismatch_before_reading_data(tmp_path: Path, body: str, offset: int, column: int,
                                                          code: str, message: str, run_cli: RunCli,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.kpi").write_text(HEADER + body + "\n", encoding="utf-8")
    proc = run_cli("eval", "bad.kpi", "--data", "does-not-exist.csv")
    assert proc.code == 2, proc.err
    assert f"bad.kpi:{FIRST + offset}:{column}: error: {message}" in proc.err
    assert "Traceback" not in proc.err and "internal error" not in proc.err
    assert "does-not-exist" not in proc.err


# ── action arguments keep whole numbers whole ──

ACTIONS = 'ruleset t\nmetric x\nrule r when x > 0 then log(m="x", k=3, n=-2, f=1.5, p=30%, d=3.0, z=null, b=true)\n'


def test_whole_action_arguments_are_ints() -> None:
    args = kpirules.loads(ACTIONS).rules["r"].actions[0].args
    assert args == {"m": "x", "k": 3, "n": -2, "f": 1.5, "p": 0.3, "d": 3.0, "z": None, "b": True}
    assert type(args["k"]) is int and type(args["n"]) is int
    assert type(args["f"]) is float and type(args["p"]) is float and type(args["d"]) is float
    fired = kpirules.loads(ACTIONS).evaluate(pl.DataFrame({"month": ["2026-01"], "x": [1]})).to_dict()["actions"]
    assert type(fired[0]["args"]["k"]) is int


def test_whole_action_arguments_are_ints_in_eval_json(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "rules.kpi").write_text(ACTIONS, encoding="utf-8")
    (tmp_path / "data.csv").write_text("month,x\n2026-01,1\n", encoding="utf-8")
    proc = run_cli("eval", tmp_path / "rules.kpi", "--data", tmp_path / "data.csv", "--format", "json")
    assert proc.code == 0, proc.err
    args = json.loads(proc.out)["actions"][0]["args"]
    assert '"k": 3,' in proc.out and args["k"] == 3 and args["p"] == 0.3 and args["f"] == 1.5
