"""Rule files generated from the grammar itself, and a fuzz loop that judges how they fail.

:func:`grammar_file` walks the rules of the Lark grammar (``kpirules.lark``,
as Lark compiled it), choosing an expansion at random at every step, so the
files it writes are syntactically plausible (mostly valid, every statement
and option the grammar has, new syntax included as soon as it is in the
grammar) and semantically wild (unknown names, cycles, wrong kinds, absurd
numbers and periods). :func:`mutate` then damages some of them, as the
hypothesis mutation fuzzer of ``test_lang_properties`` does.

:func:`judge` runs one file through the loader and the formatter and says
whether it failed acceptably: every failure must be a ``RuleFileError``
whose every diagnostic has a file, a line and a column.

Used by ``tests/lang/test_fuzz_rules.py`` (a few hundred files) and
``benchmarks/fuzz_rules.py`` (100,000).
"""

from __future__ import annotations

import random
import re
import traceback
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from lark.grammar import NonTerminal, Rule, Terminal

import kpirules
from kpirules.errors import RuleFileError
from kpirules.lang.diagnostics import render
from kpirules.lang.formatter import format_text
from kpirules.lang.grammar import parser as lark_parser

# Sample texts for the grammar's regular-expression terminals, awkward ones included.
SAMPLES: dict[str, list[str]] = {
    "NAME": ["visits", "leads", "spend", "revenue", "cac", "x", "_y2", "Orders", "a" * 300,
             "when", "kpi", "period", "previous", "if", "sum", "channel", "status"],
    "QUOTED_NAME": ["`Taux de rebond`", "`a#b`", "`é`", "` padded `", "`when`", "`x\u202ey`"],
    "NUMBER": ["0", "42", "3.14", "1_000", "2.5e6", ".5", "1e-3", "007", "1e999", "9" * 400, "0.0"],
    "PERCENT": ["30%", "0.5%", "100%", "1e2%", "1e400%", "0%"],
    "STRING": ['"Hello"', '""', '"{visits} visits"', '"{unknown}"', '"\\"quoted\\""', '"{"', '"}{"',
               '"\u202eevil"', '"a\\\\b"', '"{period} {cac:.2f}"'],
    "PERIOD": ["2026", "2026-Q3", "2026-03", "2026-W05", "2026-03-31", "1999-12", "2026-13",
               "2026-Q5", "2026-W60", "2026-02-30", "0000", "9999-99-99", "2026-00"],
    "COMPARE": ["<", "<=", ">", ">=", "==", "!="],
    "COMMENT": ["# note", "#", "# \u2066hidden\u2069"],
}
SPACES = [" ", " ", " ", "\n", "\n  ", "  ", "\t"]


@lru_cache(maxsize=1)
def _grammar() -> tuple[dict[str, list[Rule]], dict[str, Any], dict[str, int]]:
    """Rules by origin, terminal definitions, and each symbol's smallest derivation depth."""
    lark = lark_parser()
    rules: dict[str, list[Rule]] = {}
    for rule in lark.rules:
        rules.setdefault(rule.origin.name, []).append(rule)
    terminals = {t.name: t for t in lark.terminals}
    depth: dict[str, int] = {name: 0 for name in terminals}
    changed = True
    while changed:  # fixed point: a rule's depth is 1 + its deepest symbol's
        changed = False
        for origin, options in rules.items():
            for rule in options:
                if all(s.name in depth for s in rule.expansion):
                    d = 1 + max((depth[s.name] for s in rule.expansion), default=0)
                    if d < depth.get(origin, 1 << 30):
                        depth[origin] = d
                        changed = True
    return rules, terminals, depth


def _terminal(rng: random.Random, name: str, terminals: dict[str, Any]) -> str:
    pattern = terminals[name].pattern
    if pattern.type == "str":
        return str(pattern.value)
    samples = SAMPLES.get(name)
    if samples:
        return rng.choice(samples)
    # A terminal added to the grammar since: any sample of another terminal that it matches.
    regex = re.compile(pattern.to_regexp())
    fits = [s for values in SAMPLES.values() for s in values if regex.fullmatch(s)]
    return rng.choice(fits) if fits else "x"


def grammar_file(rng: random.Random, max_depth: int = 14) -> str:
    """A rule file derived at random from the grammar's rules."""
    rules, terminals, min_depth = _grammar()
    out: list[str] = []
    stack: list[tuple[Any, int]] = [(NonTerminal("start"), 0)]
    while stack:
        symbol, depth = stack.pop()
        if isinstance(symbol, Terminal):
            out.append(_terminal(rng, symbol.name, terminals))
            out.append(rng.choice(SPACES))
            continue
        options = rules[symbol.name]
        if depth >= max_depth:  # close off: only the shallowest expansions
            shallow = min(_rule_depth(r, min_depth) for r in options)
            options = [r for r in options if _rule_depth(r, min_depth) == shallow]
        elif symbol.name.startswith("__") and ("star" in symbol.name or "plus" in symbol.name):
            options = options + options  # repetitions: longer lists a little more often
        rule = rng.choice(options)
        stack.extend((s, depth + 1) for s in reversed(rule.expansion))
        if symbol.name == "statement" or symbol.name.endswith("_stmt"):
            out.append("\n")
    text = "".join(out)
    if rng.random() < 0.3:
        text = text.replace("\n", "\n# comment\n", 1)
    return text


def _rule_depth(rule: Rule, min_depth: dict[str, int]) -> int:
    return 1 + max((min_depth.get(s.name, 1 << 30) for s in rule.expansion), default=0)


INSERT_CHARS = [*'"`()[],=<>!+-*/^%#\\\n\t _aZ09.é€\x00\r', "\u2028", "\ufeff", "\u202e", "\u2066"]
INSERT_TOKENS = [
    "ruleset", "metric", "kpi", "threshold", "decision", "objective", "rule", "param", "dimension",
    "when", "otherwise", "where", "for", "periods", "then", "from", "to", "by", "is", "not", "in",
    "and", "or", "(", ")", "[", "]", "==", "=", "2026-13", "99999-12", "1e999", "`", '"', "\n", "-",
    "((((((((((", "))))))))))", "+ x " * 50,
]
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`\n]*`|\S+')


def mutate(rng: random.Random, text: str) -> str:
    """``text`` with one to four random edits (deletions, insertions, swaps, duplicated lines)."""
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(text))
        kind = rng.choice(["delete", "delete_range", "insert_char", "insert_token", "swap_tokens",
                           "drop_token", "duplicate_line"])
        if kind == "delete":
            text = text[:pos] + text[pos + 1:]
        elif kind == "delete_range":
            text = text[:pos] + text[pos + rng.randint(1, 40):]
        elif kind == "insert_char":
            text = text[:pos] + rng.choice(INSERT_CHARS) + text[pos:]
        elif kind == "insert_token":
            text = text[:pos] + " " + rng.choice(INSERT_TOKENS) + " " + text[pos:]
        elif kind in ("swap_tokens", "drop_token"):
            spans = [m.span() for m in _TOKEN.finditer(text)]
            if len(spans) < 2:
                continue
            i = rng.randint(0, len(spans) - 2)
            (a0, a1), (b0, b1) = spans[i], spans[i + 1]
            if kind == "swap_tokens":
                text = text[:a0] + text[b0:b1] + text[a1:b0] + text[a0:a1] + text[b1:]
            else:
                text = text[:a0] + text[a1:]
        else:
            lines = text.split("\n")
            j = pos % len(lines)
            lines.insert(j, lines[j])
            text = "\n".join(lines)
    return text


def judge(text: str) -> str | None:
    """``None`` when ``text`` loads, formats, or fails as it should; else what went wrong
    (``"traceback: …"`` or ``"unlocated: …"``)."""
    for step in (_load, _format):  # formatting only what loads: a file in error fails the same parse
        try:
            step(text)
        except RuleFileError as err:
            for diag in err.diagnostics:
                if not diag.file or diag.line < 1 or diag.column < 1:
                    return f"unlocated: {diag.short()}"
            if not err.diagnostics:
                return f"unlocated: {err}"
            for diag in err.diagnostics:
                render(diag, text)
            return None
        except AssertionError as err:
            return f"unstable format: {err}"
        except Exception:  # what the fuzzer is here to find
            return "traceback: " + traceback.format_exc(limit=-3).strip().splitlines()[-1]
    return None


def _load(text: str) -> None:
    kpirules.loads(text, "fuzz.kpi")


def _format(text: str) -> None:
    formatted = format_text(text, "fuzz.kpi")
    if format_text(formatted, "fuzz.kpi") != formatted:
        raise AssertionError("formatting is not idempotent")


Generator = Callable[[random.Random], str]


def grammar_generated(rng: random.Random) -> str:
    text = grammar_file(rng)
    return mutate(rng, text) if rng.random() < 0.5 else text
