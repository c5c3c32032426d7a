"""docs/language.md cannot drift: every function and statement is documented, and
every complete example checks cleanly and is already in canonical style."""

from __future__ import annotations

import re

import pytest

import kpirules
from kpirules.lang.formatter import format_text
from kpirules.lang.functions import CORE_FUNCTIONS
from kpirules.lang.parser import STATEMENT_KEYWORDS
from kpirules.lang.transform import KEYWORDS
from support.golden import ROOT

DOC = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```kpi\n(.*?)```", DOC, flags=re.S)


@pytest.mark.parametrize("name", sorted(CORE_FUNCTIONS))
def test_every_core_function_is_documented(name: str) -> None:
    assert re.search(rf"^\| `{re.escape(name)}\(", DOC, flags=re.M), f"{name}() has no row in a table"


@pytest.mark.parametrize("name", sorted(CORE_FUNCTIONS))
def test_every_core_function_has_an_example(name: str) -> None:
    assert any(re.search(rf"\b{re.escape(name)}\(", example) for example in EXAMPLES), name


@pytest.mark.parametrize("keyword", STATEMENT_KEYWORDS)
def test_every_statement_has_a_section_and_an_example(keyword: str) -> None:
    assert re.search(rf"^## \d+\. `{keyword}`", DOC, flags=re.M) or f"`{keyword}` and" in DOC, keyword
    assert any(re.search(rf"^{keyword} ", example, flags=re.M) for example in EXAMPLES), keyword


def test_every_reserved_word_is_listed() -> None:
    block = DOC.split("cannot be used as")[1].split("```text")[1].split("```")[0]
    assert set(block.split()) == KEYWORDS


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.split("\n", 2)[0 if e.startswith("ruleset") else 1])
def test_examples_check_cleanly_and_are_canonical(example: str) -> None:
    ruleset = kpirules.loads(example, "docs/language.md")
    assert not [w for w in ruleset.warnings if w.code != "unknown-action"], ruleset.warnings
    assert format_text(example) == example
