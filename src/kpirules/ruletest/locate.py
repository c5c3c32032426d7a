"""Line numbers for the parts of a TOML test file.

``tomllib`` returns plain dictionaries without positions, yet a useful error
says *where* the mistake is. The test layout is regular (``[[test]]`` headers,
``[[test.expect]]`` headers or an ``expect = [`` array with one ``{ … }`` per
line), so scanning the text for those markers finds the line of each test and
expectation; within a test, the first line naming a word finds a misspelt
name. When the layout is unusual the locator answers ``None`` and messages
fall back to the test's own line.
"""

from __future__ import annotations

import re

_TEST_HEADER = re.compile(r"^\s*\[\[\s*test\s*\]\]")
_EXPECT_HEADER = re.compile(r"^\s*\[\[\s*test\s*\.\s*expect\s*\]\]")
_EXPECT_KEY = re.compile(r"^\s*expect\s*=")
_INLINE_ITEM = re.compile(r"^\s*\{")


class Locator:
    """Finds the lines of tests, expectations and words in one test file."""

    def __init__(self, text: str, test_count: int) -> None:
        self.lines = text.splitlines()
        headers = [i + 1 for i, line in enumerate(self.lines) if _TEST_HEADER.match(line)]
        # Only trust the headers when they account for every test.
        self._tests = headers if len(headers) == test_count else []

    def test_span(self, index: int) -> tuple[int | None, int | None]:
        """First and last line of test ``index`` (0-based), or ``(None, None)``."""
        if index >= len(self._tests):
            return None, None
        start = self._tests[index]
        end = self._tests[index + 1] - 1 if index + 1 < len(self._tests) else len(self.lines)
        return start, end

    def expectation_lines(self, index: int, count: int) -> list[int | None]:
        """The line of each of the ``count`` expectations of test ``index``."""
        start, end = self.test_span(index)
        if start is None or end is None:
            return [None] * count
        span = range(start, end + 1)
        headers = [n for n in span if _EXPECT_HEADER.match(self.lines[n - 1])]
        if len(headers) == count:
            return list(headers)
        key = next((n for n in span if _EXPECT_KEY.match(self.lines[n - 1])), None)
        if key is None:
            return [None] * count
        items = [n for n in range(key + 1, end + 1) if _INLINE_ITEM.match(self.lines[n - 1])]
        if len(items) == count:
            return list(items)
        # ``expect = [ { … } ]`` on one line, or an unusual layout.
        return [key] * count

    def find(self, word: str, start: int | None, end: int | None = None) -> int | None:
        """The first line in ``[start, end]`` where ``word`` appears as a whole word."""
        if start is None:
            return None
        last = end if end is not None else len(self.lines)
        pattern = re.compile(r"(?<![\w.])" + re.escape(word) + r"(?!\w)")
        for number in range(start, min(last, len(self.lines)) + 1):
            if pattern.search(self.lines[number - 1]):
                return number
        return None
