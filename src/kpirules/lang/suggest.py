"""Did-you-mean hints that stay cheap when a file holds thousands of names.

:func:`difflib.get_close_matches` compares a word with every candidate, and a
checker that asked it once per unknown name spent quadratic time on a file of
5,000 unknown names (42 s). :class:`NameIndex` is built once per set of names
and gives the same answer as ``get_close_matches(word, names, n=1,
cutoff=0.6)`` (then a case-insensitive match), while

- skipping whole groups of candidates whose length alone rules them out (a
  close match has a length within 3/7 to 7/3 of the word's: difflib's
  ``real_quick_ratio`` bound, applied per length rather than per name),
- remembering the answer for a word already asked about, and
- spending at most ``budget`` candidate comparisons in all: past it, further
  words get no hint (a file with that many unknown names needs no more of
  them), so checking stays linear in the size of the file.
"""

from __future__ import annotations

from collections.abc import Iterable

CUTOFF = 0.6
DEFAULT_BUDGET = 100_000  # candidate comparisons per index: a few tenths of a second


class NameIndex:
    """The closest name to a word, among names indexed by their length."""

    def __init__(self, candidates: Iterable[str], budget: int | None = None) -> None:
        pool = sorted(set(candidates))
        self._by_length: dict[int, list[str]] = {}
        for name in pool:
            self._by_length.setdefault(len(name), []).append(name)
        self._lowered = {name.lower(): name for name in pool}
        self._budget = budget
        self._answers: dict[str, str | None] = {}

    def closest(self, word: str) -> str | None:
        """The candidate difflib would pick (the highest ratio, ties to the greater name), or a
        candidate equal but for case; ``None`` when none is close or the budget is spent."""
        if word in self._answers:
            return self._answers[word]
        if self._budget is not None:
            if self._budget <= 0:
                return None
            self._budget -= sum(len(names) for names in self._lengths_near(len(word)))
        answer = self._closest(word)
        self._answers[word] = answer
        return answer

    def hint(self, word: str) -> str | None:
        """``did you mean "x"?`` for the closest candidate, if any is close."""
        match = self.closest(word)
        return f'did you mean "{match}"?' if match is not None else None

    def _lengths_near(self, size: int) -> list[list[str]]:
        """Candidates grouped by length, for the lengths that can reach the cutoff."""
        return [names for length, names in self._by_length.items()
                if size + length == 0 or 2.0 * min(size, length) / (size + length) >= CUTOFF]

    def _closest(self, word: str) -> str | None:
        import difflib  # only a mistake needs it: not imported on start-up

        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        best: tuple[float, str] | None = None
        for names in self._lengths_near(len(word)):
            for name in names:
                matcher.set_seq1(name)
                if matcher.quick_ratio() >= CUTOFF:
                    score = matcher.ratio()
                    if score >= CUTOFF and (best is None or (score, name) > best):
                        best = (score, name)
        if best is not None:
            return best[1]
        return self._lowered.get(word.lower())
