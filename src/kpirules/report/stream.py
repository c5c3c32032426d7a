"""Large results without large memory: rows in chunks, and the HTML report capped.

``--history`` on 100,000 segments × 24 months is 2.4 million rows. Building
the whole JSON document as Python dicts costs gigabytes, so:

* formats that can stream (``csv``, ``csv-fr``, ``jsonl``) get the document
  without its rows (:func:`header_document`) and the rows one chunk at a
  time (:func:`iter_rows`), and write them as they come: memory stays that
  of one chunk, whatever the number of rows;
* the HTML report, which shows a few hundred segments at most, gets a
  document of the overall level and the biggest segments only
  (:func:`capped_document`), with ``segments_total`` so that it says what it
  left out.

Both work on the engine's ``Result`` through its public pieces (``frame``,
``to_dict``, ``actions``): each chunk is a ``Result`` over a slice of the
frame, so the rows are exactly those ``to_dict`` writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from kpirules.engine.frame_columns import SEG, P
from kpirules.lang.units import is_currency

if TYPE_CHECKING:
    from kpirules.engine.result import Result

#: Rows turned into dicts at once while streaming.
CHUNK_ROWS = 20_000


def header_document(result: Result) -> dict[str, Any]:
    """The JSON document with every key but ``rows`` (an empty list)."""
    empty = attrs.evolve(result, frame=result.frame.head(0))
    doc = empty.to_dict()
    doc["actions"] = result.actions()
    labels = result.frame[P].unique(maintain_order=True).to_list()
    doc["periods"] = [result._label(index) for index in labels]
    return doc


def iter_rows(result: Result, chunk_rows: int = CHUNK_ROWS) -> Iterator[dict[str, Any]]:
    """The document's rows in order, built ``chunk_rows`` at a time."""
    for chunk in result.frame.iter_slices(chunk_rows):
        yield from attrs.evolve(result, frame=chunk).to_dict()["rows"]


def volume_metric(result: Result) -> str | None:
    """The metric that measures a segment's size: the first count, else money, else the first."""
    metrics = result.ruleset.metrics
    for wanted in ("count", "currency"):
        for name, metric in metrics.items():
            unit = metric.unit or ""
            if unit == wanted or (wanted == "currency" and is_currency(unit)):
                return name
    return next(iter(metrics), None)


def capped_document(result: Result, max_segments: int) -> dict[str, Any]:
    """The document of the overall level and the ``max_segments`` biggest segments.

    Size is the segment's total of :func:`volume_metric` over the reported
    periods, as the HTML report ranks them. ``segments_total`` tells how many
    segments there were.
    """
    shown, total = capped_result(result, max_segments)
    doc = shown.to_dict()
    doc["segments_total"] = total
    return doc


def capped_result(result: Result, max_segments: int) -> tuple[Result, int]:
    """``result`` with the overall level and the ``max_segments`` biggest segments only
    (see :func:`capped_document`), and how many segments there were."""
    import polars as pl

    frame = result.frame
    segments = frame.filter(pl.col(SEG) != 0)
    total = segments[SEG].n_unique()
    if total <= max_segments:
        return result, total
    volume = volume_metric(result)
    sizes = segments.group_by(SEG).agg(
        pl.col(volume).fill_nan(None).sum().alias("size") if volume else pl.len().alias("size")
    )
    keep = sizes.sort(["size", SEG], descending=[True, False]).head(max_segments)[SEG]
    shown = frame.filter((pl.col(SEG) == 0) | pl.col(SEG).is_in(keep.to_list()))
    return attrs.evolve(result, frame=shown), total
