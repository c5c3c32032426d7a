"""Reading, parsing and checking a rule file in one call (``kpirules.load``)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

from kpirules.errors import RuleFileError
from kpirules.lang.ast import RuleFile
from kpirules.lang.checker import Checker
from kpirules.lang.diagnostics import Diagnostic, has_errors, sort_key
from kpirules.lang.functions import FunctionRegistry
from kpirules.lang.model import Ruleset
from kpirules.lang.parser import gc_paused, parse

_DEFINES = re.compile(r"^\s*(?:param|dimension|metric|kpi|decision)\s+(`[^`\n]+`|[A-Za-z_]\w*)", re.M)


def read_source(path: str | Path) -> tuple[str, str]:
    """(display name, text) of a rule file; ``-`` is standard input."""
    if str(path) == "-":
        return "<stdin>", sys.stdin.read().removeprefix("\ufeff")
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise RuleFileError([Diagnostic(str(path), 0, 0, "error", "unreadable",
                                        f"cannot read the rule file: {err.strerror or err}")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise RuleFileError([Diagnostic(str(path), line, column, "error", "encoding",
                                        "the rule file is not valid UTF-8",
                                        "save it as UTF-8")]) from None
    return str(path), text


def check_text(text: str, path: str = "<string>", *, functions: FunctionRegistry | None = None,
               known_actions: Iterable[str] | None = None) -> tuple[Ruleset | None, list[Diagnostic]]:
    """Parse and check; return the Ruleset (None when there are errors) and every diagnostic."""
    with gc_paused():
        checker, diagnostics = _checked(text, path, functions, known_actions)
        if has_errors(diagnostics):
            return None, diagnostics
        source_path = Path(path) if not path.startswith("<") else None
        return checker.ruleset(source_path, text.removeprefix("\ufeff")), diagnostics


def diagnose_text(text: str, path: str = "<string>", *, functions: FunctionRegistry | None = None,
                  known_actions: Iterable[str] | None = None) -> list[Diagnostic]:
    """Every diagnostic of a rule file, without building the ruleset (``kpirules check``)."""
    return parse_and_diagnose(text, path, functions=functions, known_actions=known_actions)[1]


def parse_and_diagnose(text: str, path: str = "<string>", *, functions: FunctionRegistry | None = None,
                       known_actions: Iterable[str] | None = None) -> tuple[RuleFile, list[Diagnostic]]:
    """The statements that parsed and every diagnostic, from one parse (the language server's need)."""
    with gc_paused():
        checker, diagnostics = _checked(text, path, functions, known_actions)
        return checker.file, diagnostics


def _checked(text: str, path: str, functions: FunctionRegistry | None,
             known_actions: Iterable[str] | None) -> tuple[Checker, list[Diagnostic]]:
    text = text.removeprefix("\ufeff")  # a BOM from an editor is not part of the rules
    rule_file, diagnostics = parse(text, path)
    suppress: frozenset[str] = frozenset()
    if has_errors(diagnostics):
        # names defined by statements that did not parse must not be reported as unknown
        suppress = frozenset(m.group(1).strip("`") for m in _DEFINES.finditer(text))
    checker = Checker(rule_file, functions, known_actions)
    diagnostics = sorted([*diagnostics, *checker.run(suppress, bool(suppress) or has_errors(diagnostics))],
                         key=sort_key)
    return checker, diagnostics


def load_text(text: str, path: str = "<string>", *, functions: FunctionRegistry | None = None) -> Ruleset:
    ruleset, diagnostics = check_text(text, path, functions=functions)
    if ruleset is None:
        raise RuleFileError(diagnostics)
    return ruleset


def load_file(path: str | Path, *, functions: FunctionRegistry | None = None) -> Ruleset:
    name, text = read_source(path)
    return load_text(text, name, functions=functions)
