"""The ``json`` format: the evaluation document itself (interfaces §3); and ``jsonl``.

``jsonl`` (JSON Lines) writes the document's rows only, one per line: it
streams, so a history of millions of rows is written in constant memory.

Readable by people (indented, accents kept as they are) and strictly valid
JSON for machines: NaN and infinities, which Python's ``json`` would write as
bare ``NaN``/``Infinity`` tokens that most parsers reject, become ``null``.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable
from typing import Any, TextIO

from kpirules.report.base import RenderOptions


def clean(value: Any) -> Any:
    """A copy of ``value`` where every non-finite float is ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


INDENT_UP_TO_ROWS = 2000


def render_json(doc: dict[str, Any], options: RenderOptions) -> str:
    """The document as UTF-8 JSON text, ending with a newline.

    Indented for people up to a few thousand rows; beyond, compact, because
    Python only uses its C encoder without indentation (ten times faster on a
    million-row history). ``allow_nan=False`` proves the document is clean; the
    slow cleaning pass runs only when it is not.
    """
    indent = 2 if len(doc.get("rows", ())) <= INDENT_UP_TO_ROWS else None
    separators = None if indent else (",", ":")
    try:
        text = json.dumps(doc, ensure_ascii=False, indent=indent, separators=separators,
                          allow_nan=False, default=str)
    except ValueError:
        text = json.dumps(clean(doc), ensure_ascii=False, indent=indent, separators=separators,
                          allow_nan=False, default=str)
    return text + "\n"


def _json_line(row: Any) -> str:
    try:
        return json.dumps(row, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                          default=str)
    except ValueError:
        return json.dumps(clean(row), ensure_ascii=False, allow_nan=False,
                          separators=(",", ":"), default=str)


def write_jsonl(doc: dict[str, Any], rows: Iterable[dict[str, Any]], options: RenderOptions,
                out: TextIO) -> None:
    """``jsonl``: one row object of interfaces §3 per line, written as it comes."""
    for row in rows:
        out.write(_json_line(row))
        out.write("\n")


def render_jsonl(doc: dict[str, Any], options: RenderOptions) -> str:
    """``jsonl`` of a whole document: its rows, one JSON object per line."""
    out = io.StringIO()
    write_jsonl(doc, doc.get("rows") or [], options, out)
    return out.getvalue()
