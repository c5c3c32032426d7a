"""The warning about a ruleset name that cannot name a file.

``kpirules run`` names report files after the ruleset; a name holding ``/``
or ``..`` (a backquoted name may) is made a plain file name there
(:mod:`kpirules.safe_paths`), so that a rule file never writes outside the
report folder. The author is told at ``check`` time, with the name the files
will get.
"""

from __future__ import annotations

from kpirules.display import shown
from kpirules.lang import ast
from kpirules.lang.diagnostics import Diagnostic
from kpirules.safe_paths import MAX_PART_BYTES, file_name, file_name_problem


def ruleset_name_warnings(name: ast.Ident) -> list[Diagnostic]:
    """A ``ruleset-name-not-file-name`` warning for ``name``, or nothing."""
    problem = file_name_problem(name.name)
    if problem is None:
        return []
    return [Diagnostic.at(
        name.span, "warning", "ruleset-name-not-file-name",
        f"the ruleset name {shown(name.name)} {problem}; report files are named after it, "
        f"so they will be called {shown(file_name(name.name, MAX_PART_BYTES))}",
        "use letters, digits, - and _ in a ruleset name")]
