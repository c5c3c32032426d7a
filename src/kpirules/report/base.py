"""The contract every output format follows.

A format turns the JSON document of an evaluation (interfaces §3, plus the
extra keys of docs/internals.md) into text. Formats never see the engine, the
rule file or the data: the document is the whole interface, so a format plugin
can be written, tested and run against a saved ``--format json`` output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

import attrs


@attrs.frozen
class RenderOptions:
    """How the caller wants the output rendered.

    ``color`` is decided by the caller (terminal, ``NO_COLOR``), never guessed
    by a format, so that a format is a pure function of its inputs.
    ``width`` is the terminal width for text formats (``None``: a default).
    ``title`` overrides the ruleset title. ``generated_at`` is printed in
    reports when given; formats never read the clock themselves, which keeps
    their output reproducible.
    """

    color: bool = False
    width: int | None = None
    title: str | None = None
    generated_at: str | None = None


Renderer = Callable[[dict[str, Any], RenderOptions], str]
#: ``write(header, rows, options, out)``: the document without its rows, then
#: the rows one by one, written to ``out`` as they come.
Streamer = Callable[[dict[str, Any], Iterable[dict[str, Any]], RenderOptions, TextIO], None]
#: ``write_file(doc, options, path)``: a format that is not text (PDF) writes its file.
FileWriter = Callable[[dict[str, Any], RenderOptions, Path], None]


@attrs.frozen
class OutputFormat:
    """A named output format of ``kpirules eval`` and ``kpirules run``.

    ``extension`` (without dot) names report files written by ``run``.
    ``needs_history`` asks the caller to evaluate every period up to the as-of
    period (the HTML report draws charts over time); formats without it still
    use earlier periods when the document happens to hold them.

    ``write``, when given, streams: callers with many rows give it the
    document without rows and the rows one at a time (``render`` still
    works on a whole document). ``max_segments`` tells callers that the
    format shows at most that many segments, so a document of the biggest
    ones (with ``segments_total``) is enough. ``write_file``, for a format
    that is not text (``pdf``), writes the output file itself; such a format
    needs ``-o PATH``.
    """

    name: str
    extension: str
    render: Renderer
    needs_history: bool = False
    description: str = ""
    write: Streamer | None = None
    max_segments: int | None = None
    write_file: FileWriter | None = None
