"""Reading test files: the format of interfaces §6 and clear errors for bad files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kpirules.errors import ConfigError, ExitCode
from kpirules.ruletest import collect, load_test_file

from .conftest import Run

Write = Callable[..., Path]

GOOD = """\
ruleset = "shop.kpi"

[[test]]
name = "conversion"
params = { min_visits = 10 }
tolerance = 1e-6
rows = [
  { period = "2026-01", channel = "web", visits = 1000, orders = 30 },
  { period = 2026-02-15, channel = "web", visits = "null", orders = 20 },
]
expect = [
  { values = { conversion = 0.03, cac = "null" }, status = { conversion = "ok" }, period = "2026-01" },
  { segment = { channel = "web" }, decisions = { verdict = "null" } },
]

[[test]]
name = "actions and objectives"
rows = [ { period = "2026-01", orders = 10 } ]
[[test.expect]]
rules = { low_conversion = false }
actions = ["notify", { name = "notify", rule = "low_conversion", args = { text = "x" } }]
objectives = { more_orders = "on_track", other = { status = "achieved", goal = 11 } }
"""


def test_a_good_file_is_parsed(shop: Path, write: Write) -> None:
    tf = load_test_file(write(GOOD))
    assert tf.ruleset_path == shop
    first, second = tf.tests
    assert first.name == "conversion"
    assert first.params == {"min_visits": 10}
    assert first.tolerance == 1e-6
    assert first.line == 3
    # dates become ISO text, "null" cells become None, every row has every column
    assert first.rows[1] == {"period": "2026-02-15", "channel": "web", "visits": None, "orders": 20}
    exp1, exp2 = first.expectations
    assert exp1.values == {"conversion": 0.03, "cac": None}
    assert exp1.period == "2026-01"
    assert exp1.segment == {}
    assert exp2.segment == {"channel": "web"}
    assert exp2.decisions == {"verdict": None}
    assert exp2.actions is None
    (exp,) = second.expectations
    assert exp.line == 19  # its [[test.expect]] header
    assert [a.name for a in exp.actions or ()] == ["notify", "notify"]
    assert (exp.actions or ())[1].args == {"text": "x"}
    assert exp.objectives == {"more_orders": {"status": "on_track"},
                              "other": {"status": "achieved", "goal": 11}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('ruleset = "shop.kpi"\n[[test]\nname = "x"\n', "shop_test.toml:2:"),
        ('[[test]]\nname = "x"\nrows = [{ period = "2026-01" }]\nexpect = [{ values = { a = 1 } }]\n',
         'missing "ruleset"'),
        ('ruleset = "nope.kpi"\n[[test]]\nname = "x"\nrows = [{ period = "2026-01" }]\n'
         'expect = [{ values = { a = 1 } }]\n', 'ruleset "nope.kpi" not found'),
        ('ruleset = "shop.kpi"\n', "no tests"),
        ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nrows = [{ period = "2026-01" }]\n',
         'has no "expect"'),
        ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nexpect = [{ values = { a = 1 } }]\n',
         'has no "rows"'),
        ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nrows = [{ visits = 1 }]\n'
         'expect = [{ values = { a = 1 } }]\n', "row 1 has no period column"),
        ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nrows = [{ period = "2026-01" }]\n'
         'expect = [{ valeus = { a = 1 } }]\n', 'unknown key "valeus" (did you mean "values"?)'),
        ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nrows = [{ period = "2026-01" }]\n'
         'expect = [{ status = { conversion = "bad" } }]\n', "status.conversion must be one of"),
        ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nrows = [{ period = "2026-01" }]\n'
         'expect = [{ values = { conversion = "high" } }]\n', 'must be a number or "null"'),
        ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nrows = [{ period = "2026-01" }]\n'
         'expect = [{ rules = { low_conversion = "yes" } }]\n', "must be true or false"),
        ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nrows = [{ period = "2026-01" }]\n'
         'expect = [{ segment = { chanel = "web" }, values = { visits = 1 } }]\n',
         'segment names "chanel", which no row has'),
        ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nrows = [{ period = "2026-01" }]\n'
         'expect = [{ period = "2026-01" }]\n', "checks nothing"),
        ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nrows = [{ period = "2026-01" }]\n'
         'expect = [{ objectives = { more_orders = "late" } }]\n', "objectives.more_orders status"),
    ],
)
def test_bad_files_are_config_errors_naming_the_file(shop: Path, write: Write, text: str,
                                                     message: str) -> None:
    path = write(text)
    with pytest.raises(ConfigError) as info:
        load_test_file(path, display="shop_test.toml")
    assert "shop_test.toml" in str(info.value)
    assert message in str(info.value)
    assert info.value.exit_code == ExitCode.INVALID_INPUT


def test_every_problem_of_a_file_is_reported_with_its_line(shop: Path, write: Write) -> None:
    text = (
        'ruleset = "shop.kpi"\n'
        "\n"
        "[[test]]\n"
        'name = "a"\n'
        'rows = [{ period = "2026-01" }]\n'
        'expect = [{ status = { conversion = "grey" } }]\n'
        "\n"
        "[[test]]\n"
        'name = "a"\n'
        'rows = [{ period = "2026-01" }]\n'
        "[[test.expect]]\n"
        "rules = { low_conversion = 1 }\n"
    )
    with pytest.raises(ConfigError) as info:
        load_test_file(write(text), display="t.toml")
    message = str(info.value)
    assert message.startswith("3 problems in test file t.toml")
    assert "t.toml:6: test \"a\", expectation 1: status.conversion" in message
    assert "t.toml:8: test name \"a\" is used twice (first at line 3)" in message
    assert "t.toml:11: test \"a\", expectation 1: rules.low_conversion" in message


def test_unknown_names_are_found_against_the_ruleset(shop: Path, write: Write,
                                                     kpirules_test: Run) -> None:
    path = write(
        'ruleset = "shop.kpi"\n'
        "[[test]]\n"
        'name = "typos"\n'
        'params = { min_visit = 3 }\n'
        'rows = [{ period = "2026-01", visits = 10 }]\n'
        "[[test.expect]]\n"
        "values = { conversoin = 1 }\n"
        'status = { cac = "ok" }\n'
        'decisions = { verdit = "keep" }\n'
        "rules = { low = true }\n"
        'objectives = { more = "achieved" }\n'
    )
    code, out, err = kpirules_test(str(path))
    assert code == ExitCode.INVALID_INPUT
    assert out == ""  # nothing runs when a file is invalid
    assert ':4: test "typos": "min_visit" is not a parameter of shop (did you mean "min_visits"?)' in err
    assert ':7: test "typos": "conversoin" is not a metric or KPI of shop (did you mean "conversion"?)' in err
    assert 'status of "cac" is checked, but it has no threshold' in err
    assert '"verdit" is not a decision of shop (did you mean "verdict"?)' in err
    assert '"low" is not a rule of shop' in err
    assert '"more" is not an objective of shop' in err


DUPLICATE_AND_NAMES = (
    'ruleset = "shop.kpi"\n'
    "\n"
    "[[test]]\n"
    'name = "a"\n'
    "params = { min_visit = 3 }\n"
    'rows = [{ period = "2026-01", visits = 10 }]\n'
    "expect = [{ values = { conversoin = 1 } }]\n"
    "\n"
    "[[test]]\n"
    'name = "a"\n'
    'rows = [{ period = "2026-01", visits = 10 }]\n'
    'expect = [{ status = { unused = "ok" } }]\n'
)


def test_a_duplicate_test_name_does_not_hide_the_other_problems(shop: Path, write: Write,
                                                                kpirules_test: Run) -> None:
    # The duplicate name used to be reported alone; the unknown names appeared
    # only once it was fixed.
    path = write(DUPLICATE_AND_NAMES)
    code, out, err = kpirules_test(str(path))
    assert code == ExitCode.INVALID_INPUT
    assert out == ""
    label = path.as_posix()
    assert f"4 problems in test file {label}" in err
    assert f'{label}:5: test "a": "min_visit" is not a parameter of shop' in err
    assert f'{label}:7: test "a": "conversoin" is not a metric or KPI of shop' in err
    assert f'{label}:9: test name "a" is used twice (first at line 3)' in err
    assert f'{label}:12: test "a": status of "unused" is checked, but it has no threshold' in err


def test_load_test_file_with_a_ruleset_reports_structure_and_names_together(
        shop: Path, write: Write) -> None:
    from kpirules.ruletest import Runner

    path = write(DUPLICATE_AND_NAMES.replace("expect = [{ status", "expect = [{ stauts = 1, status"))
    with pytest.raises(ConfigError) as info:
        load_test_file(path, display="t.toml", ruleset=Runner().ruleset)
    lines = str(info.value).splitlines()
    assert lines[0] == "5 problems in test file t.toml"
    assert [line.split(":")[1] for line in lines[1:]] == ["5", "7", "9", "12", "12"]
    assert 't.toml:12: test "a", expectation 1: unknown key "stauts" (did you mean "status"?)' in str(info.value)
    # without a ruleset, only the structure is checked (as before)
    with pytest.raises(ConfigError) as info:
        load_test_file(path, display="t.toml")
    assert str(info.value).startswith("2 problems in test file t.toml")


def test_a_test_file_with_problems_and_an_invalid_rule_file(tmp_path: Path, write: Write,
                                                            kpirules_test: Run) -> None:
    (tmp_path / "shop.kpi").write_text("ruleset shop\nkpi a = b +\n", encoding="utf-8")
    code, _, err = kpirules_test(str(write(DUPLICATE_AND_NAMES)))
    assert code == ExitCode.INVALID_INPUT
    assert 'test name "a" is used twice' in err  # the test file's own problems come first


def test_an_invalid_toml_file_exits_2_with_its_line(shop: Path, write: Write,
                                                   kpirules_test: Run) -> None:
    path = write('ruleset = "shop.kpi"\n[[test]]\nname = "x\n')
    code, _, err = kpirules_test(str(path))
    assert code == ExitCode.INVALID_INPUT
    assert f"{path.as_posix()}:3:" in err
    assert "invalid TOML" in err


def test_an_invalid_rule_file_exits_2(tmp_path: Path, write: Write, kpirules_test: Run) -> None:
    (tmp_path / "shop.kpi").write_text("ruleset shop\nkpi a = b +\n", encoding="utf-8")
    path = write('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nrows = [{ period = "2026-01" }]\n'
                 'expect = [{ values = { a = 1 } }]\n')
    code, _, err = kpirules_test(str(path))
    assert code == ExitCode.INVALID_INPUT
    assert "shop.kpi:2" in err


def test_directories_are_searched_for_test_files(shop: Path, write: Write, tmp_path: Path) -> None:
    write(GOOD, "b_test.toml")
    sub = tmp_path / "more"
    sub.mkdir()
    (sub / "a.toml").write_text(GOOD.replace('"shop.kpi"', '"../shop.kpi"'), encoding="utf-8")
    (tmp_path / "kpirules.toml").write_text('rulesets = ["shop.kpi"]\n', encoding="utf-8")
    (tmp_path / "other.toml").write_text("[tool]\nx = 1\n", encoding="utf-8")
    found = [path.name for path, _ in collect([str(tmp_path)])]
    assert found == ["b_test.toml", "a.toml"]
    # a file named twice is run once
    assert len(collect([str(tmp_path / "b_test.toml"), str(tmp_path)])) == 2


def test_a_missing_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such test file or directory"):
        collect([str(tmp_path / "missing.toml")])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigError, match="no test files"):
        collect([str(empty)])
