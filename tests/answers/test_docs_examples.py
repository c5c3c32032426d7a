"""docs/why-and-whatif.md cannot drift: every console example runs and prints what the page shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from support.cli import run_process

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "why-and-whatif.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```console\n\$ (kpirules [^\n]*)\n(.*?)```", DOC, flags=re.S)


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.slow
@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c[:60] for c, _ in EXAMPLES])
def test_each_example_prints_what_the_page_shows(command: str, expected: str) -> None:
    args = shlex.split(command)[1:]
    proc = run_process(*args, cwd=ROOT, env={"NO_COLOR": "1"})
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stdout == expected
