"""The problems of one rule-test file, collected and raised together.

Both the loader (shapes, types) and the check against the ruleset (names,
periods) add to the same list, so this sits below them both.
"""

from __future__ import annotations

from collections.abc import Iterable

from kpirules.errors import ConfigError
from kpirules.lang.diagnostics import did_you_mean


class Problems:
    """Collects ``(line, message)`` pairs for one file and raises them together."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.items: list[tuple[int | None, str]] = []

    def add(self, line: int | None, message: str) -> None:
        """Record one problem; ``line`` ``None`` when it cannot be located."""
        self.items.append((line, message))

    def render(self) -> str:
        """``FILE:LINE: MESSAGE`` lines in line order, under a count when there are several.

        The command line prefixes the whole text with ``error:``.
        """
        ordered = sorted(self.items, key=lambda item: item[0] or 0)
        lines = [f"{self.label}:{line}: {msg}" if line else f"{self.label}: {msg}"
                 for line, msg in ordered]
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} problems in test file {self.label}\n" + "\n".join(
            "  " + line for line in lines)

    def raise_if_any(self) -> None:
        """Raise :class:`ConfigError` carrying every problem, if there is one."""
        if self.items:
            raise ConfigError(self.render())


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean "cac"?)`` when a close name exists, else ``""``."""
    close = did_you_mean(word, choices)
    return f" ({close})" if close else ""
