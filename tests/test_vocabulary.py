"""The names the engine and the connectors agree on are written in one module each.

A frame column or a connector-contract column written as a literal in a second
module is a rename waiting to break one side silently (issue 11: "grep finds
each frame column name … in exactly one module"). The check reads string
constants from the syntax tree, so docstrings and comments that mention a name
do not count, and f-string parts (``f"__rows__{m}"``) do.
"""

from __future__ import annotations

import ast
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
