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
    return _dumps(doc, indented=len(doc.get("rows", ())) <= INDENT_UP_TO_ROWS) + "\n"


def _dumps(doc: dict[str, Any], indented: bool) -> str:
    indent = 2 if indented else None
    separators = None if indent else (",", ":")
    try:
        return json.dumps(doc, ensure_ascii=False, indent=indent, separators=separators,
                          allow_nan=False, default=str)
    except ValueError:
        return json.dumps(clean(doc), ensure_ascii=False, indent=indent, separators=separators,
                          allow_nan=False, default=str)


#: Where the rows go in the compact text of a document whose ``rows`` is empty: the first
#: ``"rows":[]``, since only strings (escaped quotes) come before the key.
_ROWS_SLOT = '"rows":[]'


def write_json(doc: dict[str, Any], rows: Iterable[dict[str, Any]], options: RenderOptions,
               out: TextIO) -> None:
    """``json``, streamed: the text :func:`render_json` writes of the whole document.

    Given rows that can write themselves as JSON text (``json_chunks``, the
    engine's rows: Polars writes them), a large document's rows are never
    Python objects; otherwise the document is put together and rendered.
    """
    chunks = getattr(rows, "json_chunks", None)
    if chunks is None or len(rows) <= INDENT_UP_TO_ROWS:  # type: ignore[arg-type]
        whole = {**doc, "rows": list(rows)}
        out.write(render_json(whole, options))
        return
    before, after = _dumps({**doc, "rows": []}, indented=False).split(_ROWS_SLOT, 1)
    out.write(before + '"rows":[')
    for index, chunk in enumerate(chunks()):
        out.write(("," if index and chunk else "") + ",".join(chunk))
    out.write("]" + after + "\n")


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
    chunks = getattr(rows, "json_chunks", None)
    if chunks is not None:  # the engine's rows: written by Polars
        for chunk in chunks():
            out.write("".join(line + "\n" for line in chunk))
        return
    for row in rows:
        out.write(_json_line(row))
        out.write("\n")


def render_jsonl(doc: dict[str, Any], options: RenderOptions) -> str:
    """``jsonl`` of a whole document: its rows, one JSON object per line."""
    out = io.StringIO()
    write_jsonl(doc, doc.get("rows") or [], options, out)
    return out.getvalue()
