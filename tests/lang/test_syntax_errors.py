"""The one table of syntax mistakes, and the Lark versions the fast parser is tested with."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from kpirules.lang.parser import parse
from kpirules.lang.syntax_errors import MISTAKES

ROOT = Path(__file__).resolve().parents[2]


def _examples() -> list[tuple[str, str, str | None]]:
    return [(m.label, example, m.hint) for m in MISTAKES for example in m.examples]


def test_no_mistake_example_is_listed_twice() -> None:
    examples = [example for _label, example, _hint in _examples()]
    assert len(examples) == len(set(examples))


@pytest.mark.parametrize(("label", "example", "hint"), _examples())
def test_each_example_is_reported_as_its_mistake_with_its_hint(label: str, example: str, hint: str | None) -> None:
    _tree, diagnostics = parse(f"ruleset r\nmetric x\nmetric y\n{example}\n", "r.kpi")
    assert len(diagnostics) == 1
    assert diagnostics[0].message.startswith(label), diagnostics[0].message
    if label != "unclosed parenthesis":  # reported at the "(", with its own hint
        assert diagnostics[0].hint == hint


def test_the_installed_lark_is_within_the_tested_versions() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    spec = next(d for d in dependencies if d.startswith("lark"))
    upper = re.search(r"<\s*([\d.]+)", spec)
    assert upper is not None, f"no upper bound on Lark in {spec!r}"
    installed = tuple(int(p) for p in metadata.version("lark").split(".")[:2])
    assert installed < tuple(int(p) for p in upper.group(1).split(".")[:2])
