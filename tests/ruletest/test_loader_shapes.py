"""Test files of the wrong shape, bad parameters and periods: exit 2 at the right line, in test-file words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kpirules.errors import ExitCode

from .conftest import Run

Write = Callable[..., Path]
ROWS = 'rows = [{ period = "2026-01", visits = 10 }]\n'
EXPECT = "expect = [{ values = { visits = 10 } }]\n"


@pytest.mark.parametrize(("text", "line", "message"), [
    ('ruleset = 5\n[[test]]\nname = "x"\n' + ROWS + EXPECT, 1, '"ruleset" must be a text'),
    ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\nrows = { period = "2026-01" }\n' + EXPECT, 4,
     '"rows" must be a list of tables'),
    ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\n' + ROWS + "expect = { values = { visits = 10 } }\n", 5,
     '"expect" must be a list of tables'),
    ('ruleset = "shop.kpi"\n[test]\nname = "x"\n' + ROWS + EXPECT, 2, "[[test]] (double brackets)"),
    ('ruleset = "shop.kpi"\nparams = { min_visits = "abc" }\n[[test]]\nname = "x"\n' + ROWS + EXPECT, 2,
     'params: min_visits=abc: "min_visits" is a number'),
    ('ruleset = "shop.kpi"\n[[test]]\nname = "x"\n' + ROWS
     + 'expect = [{ period = "garbage", values = { visits = 10 } }]\n', 5, 'period "garbage"'),
])
def test_mistakes_are_reported_at_their_line(shop: Path, write: Write, kpirules_test: Run,
                                             text: str, line: int, message: str) -> None:
    code, out, err = kpirules_test(str(write(text)))
    assert code == ExitCode.INVALID_INPUT, err
    assert out == ""
    found = [ln for ln in err.splitlines() if f".toml:{line}:" in ln and message in ln]
    assert found, err
    assert "--param" not in err


def test_a_file_level_parameter_is_reported_once_at_its_line(shop: Path, write: Write,
                                                            kpirules_test: Run) -> None:
    text = ('ruleset = "shop.kpi"\nparams = { nope = 1 }\n'
            + "".join(f'[[test]]\nname = "t{i}"\n' + ROWS + EXPECT for i in range(3)))
    code, _, err = kpirules_test(str(write(text)))
    assert code == ExitCode.INVALID_INPUT
    assert err.count('"nope" is not a parameter') == 1
    assert ':2: params: "nope" is not a parameter of shop' in err


def test_rows_that_cannot_be_read_are_an_error_located_in_the_test_file(
        shop: Path, write: Write, kpirules_test: Run) -> None:
    path = write('ruleset = "shop.kpi"\n[[test]]\nname = "x"\n'
                 'rows = [{ period = "2026-13", visits = 10 }]\n' + EXPECT)
    code, out, _ = kpirules_test(str(path))
    assert code == ExitCode.FAILED
    assert f"{path.name}:2: the rows of the test: row 1" in out or ":2: the rows of the test" in out
    assert "DataError" not in out and "<rows>" not in out
