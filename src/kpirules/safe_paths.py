"""File names built from rule files and data stay inside their folder.

A report's file name is made from a template of the configuration and from
values the configuration does not control: the ruleset name (written in a
rule file, where a backquoted name may hold ``/`` or ``..``) and the as-of
period (read from the data). Whoever writes a rule file or a data file must
not be able to make ``kpirules run`` write, or create folders, anywhere else.
So each value put into a name is first made a plain file name
(:func:`file_name`), and the final path is resolved and checked to be inside
the folder (:func:`inside`), which also catches a symbolic link in the folder
pointing out of it.

``kpirules check`` warns about a ruleset name that is not a plain file name
(:func:`file_name_problem`), so the author learns why the report is named
differently from the ruleset.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Bytes a file name may take, leaving room for an extension within the usual 255.
MAX_NAME_BYTES = 200
#: Bytes a value put into a file name may take (a ruleset name), leaving room for the rest.
MAX_PART_BYTES = 100

_SEPARATORS = re.compile(r"[/\\]")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


class PathEscapeError(ValueError):
    """A path that would resolve outside the folder it must stay in."""


def file_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be used as one file name as it is, or ``None``."""
    if not name.strip():
        return "is empty"
    if _SEPARATORS.search(name):
        return "holds a folder separator (/ or \\)"
    if name in (".", ".."):
        return f'is "{name}", a folder'
    if _CONTROL.search(name):
        return "holds a control character"
    if len(name.encode("utf-8", "replace")) > MAX_PART_BYTES:
        return f"is longer than {MAX_PART_BYTES} bytes"
    return None


def file_name(text: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """``text`` made a plain file name: separators and control characters become ``_``.

    ``".."`` and ``"."`` become ``"_"``, and a name too long is cut (on a
    character boundary) to ``max_bytes``.
    """
    text = text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogate: not a file name
    name = _CONTROL.sub("_", _SEPARATORS.sub("_", text))
    if name.strip() in ("", ".", ".."):
        name = "_"
    data = name.encode("utf-8")
    if len(data) > max_bytes:
        name = data[:max_bytes].decode("utf-8", "ignore")
    return name


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, resolved; :class:`PathEscapeError` if it leaves ``folder``.

    Symbolic links are followed on both sides, so a link inside the folder
    that points out of it is refused too.
    """
    root = folder.resolve()
    target = (root / name).resolve()
    if root not in target.parents:
        raise PathEscapeError(f"{name}: resolves outside the folder {root}; not written")
    return target


def report_file_name(template: str, ruleset: str, as_of: str, extension: str) -> str:
    """The file name of a report: the ``[report] name`` template filled with plain names.

    The ruleset name comes from a rule file and the as-of period from the
    data: neither may add a folder (``ruleset `../../x` ``), so each is made a
    plain file name first (cut to :data:`MAX_PART_BYTES`, so that a long ruleset
    name does not push the period out of the name), and so is the whole.
    """
    stem = file_name(template.format(ruleset=file_name(ruleset, MAX_PART_BYTES),
                                     as_of=file_name(as_of, MAX_PART_BYTES)))
    return f"{stem}.{file_name(extension)}"


__all__ = ["MAX_NAME_BYTES", "MAX_PART_BYTES", "PathEscapeError", "file_name", "file_name_problem", "inside", "report_file_name"]
