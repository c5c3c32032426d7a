"""Finding test files from the command line's arguments.

A file argument is always a test file. A directory is searched recursively for
``*.toml`` files that look like test files (a ``ruleset =`` key or a
``[[test]]`` table), so that a project's ``pyproject.toml`` or
``kpirules.toml`` lying in the same folder is not mistaken for one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from kpirules.errors import ConfigError

_TEST_MARK = re.compile(r"^\s*(\[\[\s*test\s*\]\]|ruleset\s*=|test\s*=)", re.MULTILINE)
_NOT_TESTS = {"pyproject.toml", "kpirules.toml"}


def looks_like_test_file(path: Path) -> bool:
    """Whether a ``.toml`` file found in a directory should be run as a test file."""
    if path.name in _NOT_TESTS:
        return False
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(_TEST_MARK.search(text))


def collect(arguments: Sequence[str]) -> list[tuple[Path, str]]:
    """``(path, label)`` of every test file named or found, without duplicates.

    The label is the path as the user would write it (``rulesets/tests/funnel.toml``);
    a missing argument or a directory without test files is a :class:`ConfigError`.
    """
    found: list[tuple[Path, str]] = []
    seen: set[Path] = set()

    def add(path: Path, label: str) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append((path, label))

    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            matches = sorted(p for p in path.rglob("*.toml") if looks_like_test_file(p))
            if not matches:
                raise ConfigError(f"{argument}: no test files (*.toml) in this directory")
            for match in matches:
                add(match, match.as_posix())
        elif path.is_file():
            add(path, path.as_posix())
        else:
            raise ConfigError(f"{argument}: no such test file or directory")
    return found
