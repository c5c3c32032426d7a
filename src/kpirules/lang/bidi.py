"""Warnings for invisible bidirectional control characters ("Trojan Source", CVE-2021-42574).

A right-to-left override in a comment, a text or a quoted name makes an
editor show the line in an order other than the one kpirules reads: a
reviewer sees ``# check the rule`` where the file holds a different
condition. Compilers warn about these characters; so does ``kpirules check``,
at the line and column of each one.
"""

from __future__ import annotations

import re
import unicodedata

from kpirules.lang.diagnostics import Diagnostic

# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM, ALM
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_PLACES = re.compile(r'(?P<text>"(?:[^"\\\n]|\\.)*"?)|(?P<name>`[^`\n]*`?)|(?P<comment>#[^\n]*)')
_WHERE = {"text": "in a text", "name": "in a quoted name", "comment": "in a comment"}


def bidi_warnings(text: str, path: str) -> list[Diagnostic]:
    """One ``bidi-control`` warning per bidirectional control character of ``text``."""
    if BIDI_CONTROLS.search(text) is None:
        return []
    warnings = []
    for number, line in enumerate(text.split("\n"), 1):
        if BIDI_CONTROLS.search(line) is None:
            continue
        places = [(m.start(), m.end(), m.lastgroup or "") for m in _PLACES.finditer(line)]
        for found in BIDI_CONTROLS.finditer(line):
            char = found.group()
            where = next((_WHERE[kind] for start, end, kind in places if start <= found.start() < end), "")
            warnings.append(Diagnostic(
                path, number, found.start() + 1, "warning", "bidi-control",
                f"invisible bidirectional control character U+{ord(char):04X} "
                f"({unicodedata.name(char, 'bidi control')}){' ' + where if where else ''}: "
                "the line may show in another order than kpirules reads it",
                "remove it (right-to-left words need no control character)"))
    return warnings
