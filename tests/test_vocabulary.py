"""The names the engine and the connectors agree on are written in one module each.

A frame column or a connector-contract column written as a literal in a second
module is a rename waiting to break one side silently (issue 11: "grep finds
each frame column name … in exactly one module"). The check reads string
constants from the syntax tree, so docstrings and comments that mention a name
do not count, and f-string parts (``f"__rows__{m}"``) do.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kpirules.data import table
from kpirules.engine import frame_columns

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*ROOT.joinpath("src").rglob("*.py"), *ROOT.joinpath("plugins").rglob("*.py")])

# name -> the module allowed to write it; a trailing "*" matches a prefix
DECLARED = {
    **{value: "src/kpirules/engine/frame_columns.py"
       for value in (frame_columns.P, frame_columns.SEG, frame_columns.OVERALL, frame_columns.YEAR,
                     frame_columns.T, frame_columns.ROW, frame_columns.INDEX)},
    table.CELL_PERIOD: "src/kpirules/data/table.py",
    table.CELL_LEVEL: "src/kpirules/data/table.py",
    table.COUNT_PREFIX + "*": "src/kpirules/data/table.py",
    table.rows_column("") + "*": "src/kpirules/data/table.py",
}


def _literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def _writes(literals: set[str], name: str) -> bool:
    if name.endswith("*"):
        return any(text.startswith(name[:-1]) for text in literals)
    return name in literals


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_each_shared_column_name_is_written_in_one_module(name: str) -> None:
    writers = [str(p.relative_to(ROOT)) for p in SOURCES if _writes(_literals(p), name)]
    assert writers == [DECLARED[name]], f"{name!r} is written in {writers}; import it from {DECLARED[name]}"


def test_the_check_sees_a_literal_in_an_f_string(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def rows(m):\n    """Mentions __rows__ in prose."""\n    return f"__rows__{m}"\n')
    assert _writes(_literals(sample), table.rows_column("") + "*")
    sample.write_text('def rows(m):\n    """Mentions __rows__ in prose only."""\n    return m\n')
    assert not _writes(_literals(sample), table.rows_column("") + "*")


# ── no command-line flag below the command line (issue 11: "the engine … writes no
# command-line flag names into its errors"; an option is named as data, see
# kpirules.errors.OptionHint, and the command line, the job and the rule tests word it) ──
FLAG_FREE = ("src/kpirules/engine", "src/kpirules/data", "src/kpirules/lang")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant of the module but its docstrings (f-string parts included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def _flags(path: Path) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{line}: {FLAG.search(text)[0]}"  # type: ignore[index]
            for line, text in _code_strings(path) if FLAG.search(text)]


def test_the_engine_data_and_language_layers_write_no_command_line_flag() -> None:
    found = [flag for folder in FLAG_FREE for path in sorted(ROOT.joinpath(folder).rglob("*.py"))
             for flag in _flags(path)]
    assert not found, f"name the option as data (kpirules.errors.OptionHint), not its flag: {found}"


def test_the_flag_check_sees_a_message_and_not_a_docstring(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def f(x):\n    """Read with ``--date-format``."""\n    raise ValueError(f"{x}: use --date-format DMY")\n')
    assert [flag.split(": ")[-1] for flag in _flags_in(sample)] == ["--date-format"]
    sample.write_text('def f(x):\n    """Read with ``--date-format``."""\n    raise ValueError(f"{x}: not a date")\n')
    assert _flags_in(sample) == []


def _flags_in(path: Path) -> list[str]:
    return [FLAG.search(text)[0] for _line, text in _code_strings(path) if FLAG.search(text)]  # type: ignore[index]


# ── a segment is written by engine.segment.Segment only ──

def _segment_writers(path: Path) -> list[int]:
    """Lines where a comprehension writes ``NAME=VALUE`` pairs of a segment (or ``where``) itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.GeneratorExp | ast.ListComp) or not isinstance(node.elt, ast.JoinedStr):
            continue
        if not any(isinstance(part, ast.Constant) and part.value == "=" for part in node.elt.values):
            continue  # not NAME=VALUE (a rule-language condition is the language's, not a segment's text)
        for loop in node.generators:
            call = loop.iter
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "items"
                    and re.search(r"segment|where", ast.unparse(call.func.value), re.IGNORECASE)):
                found.append(node.lineno)
    return found


def test_a_segment_is_written_in_one_module() -> None:
    writers = [f"{path.relative_to(ROOT)}:{line}" for path in SOURCES
               if path.name != "segment.py" for line in _segment_writers(path)]
    assert not writers, f"write segments with engine.segment.Segment (.assignments(), .label()): {writers}"


def test_the_segment_check_sees_a_segment_written_by_hand(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def text(doc):\n    return " ".join(f"{k}={v}" for k, v in doc["where"].items())\n')
    assert _segment_writers(sample) == [2]
    sample.write_text('def text(args):\n    return " ".join(f"{k}={v}" for k, v in args.items())\n')
    assert _segment_writers(sample) == []
    sample.write_text('def text(segment):\n    return [f"{k} == {v}" for k, v in segment.items()]\n')
    assert _segment_writers(sample) == []
