"""The ``csv`` and ``csv-fr`` formats: one line per row, for machines and spreadsheets.

Columns: ``period``, each dimension, each metric and KPI (raw numbers),
``status.X`` for each status, ``decision.X`` for each decision and ``rule.X``
for each rule. The overall row leaves the dimension cells empty; a segment
whose value for a dimension is empty in the data says ``(empty)``; a missing
value is an empty cell.

``csv`` is for programs: ``,`` separator, ``.`` decimals, ``true``/``false``.
``csv-fr`` is for French spreadsheets (Excel, LibreOffice in a French
locale): ``;`` separator, decimal commas, ``VRAI``/``FAUX``, and a UTF-8 byte
order mark (the text starts with U+FEFF) so that Excel reads the accents as
UTF-8 instead of its legacy code page. Both end lines with ``\\n``.

Both neutralise spreadsheet formulas (CSV injection, OWASP): a text cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (a campaign
named ``=HYPERLINK(…)``) is written with a leading ``'``, which spreadsheets
read as "this is text" and do not show. Numbers are never touched: a negative
value stays ``-12.5``, and so does a text cell that is a plain number.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from kpirules.engine.frame_columns import decision_output, rule_output, status_output
from kpirules.engine.segment import EMPTY_VALUE_LABEL
from kpirules.report.base import RenderOptions
from kpirules.report.values import raw_number
from kpirules.report.view import DocView

if TYPE_CHECKING:
    from kpirules.engine.result import Result


@attrs.frozen
class CsvDialect:
    """The conventions that differ between the two CSV flavours."""

    separator: str
    decimal: str
    true: str
    false: str
    bom: bool


PLAIN = CsvDialect(separator=",", decimal=".", true="true", false="false", bom=False)
FRENCH = CsvDialect(separator=";", decimal=",", true="VRAI", false="FAUX", bom=True)


#: What a spreadsheet takes for the start of a formula (or of a DDE payload).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def neutralise_formula(text: str) -> str:
    """``text`` made inert for spreadsheets: ``=1+2`` → ``'=1+2``; ``-12.5`` unchanged."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _cell(value: Any, dialect: CsvDialect) -> str:
    if value is True:
        return dialect.true
    if value is False:
        return dialect.false
    if isinstance(value, int | float):
        return raw_number(value, dialect.decimal)
    return "" if value is None else neutralise_formula(str(value))


#: Rows read before the header is written, to learn the names a core document
#: (without ``definitions``) only gives through its rows.
PROBE_ROWS = 1000


def _row_writer(out: TextIO, dialect: CsvDialect) -> Callable[[list[str]], None]:
    """A ``writerow`` that quotes a row holding a lone ``\\r``.

    csv quotes a field holding ``\\n`` but not one holding a lone ``\\r``: such
    a row is written fully quoted, or a spreadsheet would split it in two.
    """
    plain = csv.writer(out, delimiter=dialect.separator, lineterminator="\n")
    quoted = csv.writer(out, delimiter=dialect.separator, lineterminator="\n",
                        quoting=csv.QUOTE_ALL)

    def writerow(cells: list[str]) -> None:
        (quoted if any("\r" in c for c in cells) else plain).writerow(cells)

    return writerow


def write_rows(doc: dict[str, Any], rows: Iterable[dict[str, Any]], dialect: CsvDialect,
               out: TextIO) -> None:
    """Write ``rows`` (in order) as CSV in ``dialect`` to ``out``, one line at a time.

    ``doc`` gives the names (definitions, thresholds, decisions, rules); its
    own ``rows`` are not read, so it may be the document without rows.
    """
    rows = iter(rows)
    first = list(itertools.islice(rows, PROBE_ROWS))
    view = DocView({**doc, "rows": first})
    values = view.value_names()
    statuses: dict[str, None] = dict.fromkeys(doc.get("thresholds") or {})
    for row in first:
        for name in row.get("status") or {}:
            statuses.setdefault(name, None)
    header = ["period", *view.dimensions, *values]
    header += [status_output(n) for n in statuses]
    header += [decision_output(n) for n in view.decisions]
    header += [rule_output(n) for n in view.rules]

    if dialect.bom:
        out.write("\ufeff")
    writerow = _row_writer(out, dialect)
    writerow([neutralise_formula(name) for name in header])
    for row in itertools.chain(first, rows):
        segment = row.get("segment") or {}
        row_values = row.get("values") or {}
        row_status = row.get("status") or {}
        row_decisions = row.get("decisions") or {}
        row_rules = row.get("rules") or {}
        # the overall row leaves its dimension cells empty; a segment's empty value says so
        dimension_cells = [EMPTY_VALUE_LABEL if segment and d in segment and segment[d] is None
                           else segment.get(d) for d in view.dimensions]
        cells: list[Any] = [row.get("period"), *dimension_cells]
        cells += [row_values.get(n) for n in values]
        cells += [row_status.get(n) for n in statuses]
        cells += [row_decisions.get(n) for n in view.decisions]
        cells += [row_rules.get(n) for n in view.rules]
        writerow([_cell(c, dialect) for c in cells])


def render_rows(doc: dict[str, Any], dialect: CsvDialect) -> str:
    """Every row of the document as CSV text in ``dialect``: by period, overall row first."""
    view = DocView(doc)
    ordered = [row for period in view.periods for row in view.rows_of(period)]
    out = io.StringIO()
    write_rows(doc, ordered, dialect, out)
    return out.getvalue()


def render_result_rows(result: Result, doc: dict[str, Any], dialect: CsvDialect) -> str:
    """Every row of a typed result as CSV text in ``dialect``, the text :func:`render_rows` makes
    of its document: the rows are read from the result's frame a chunk at a time (as the
    streamed formats read them), ordered as :func:`render_rows` orders them (by the result's
    periods, overall row first, then the frame's order); ``doc`` only gives the names."""
    from kpirules.report.result_view import ResultView
    from kpirules.report.stream import iter_rows

    order = {period: index for index, period in enumerate(ResultView(result, doc).periods)}
    ordered = sorted((row for row in iter_rows(result) if row.get("period") in order),
                     key=lambda row: (order[row["period"]], 1 if row.get("segment") else 0))
    out = io.StringIO()
    write_rows(doc, ordered, dialect, out)
    return out.getvalue()


def render_csv(doc: dict[str, Any], options: RenderOptions) -> str:
    """``csv``: comma-separated, decimal points, for programs."""
    return render_rows(doc, PLAIN)


def render_csv_fr(doc: dict[str, Any], options: RenderOptions) -> str:
    """``csv-fr``: semicolon-separated, decimal commas and a BOM, for French Excel."""
    return render_rows(doc, FRENCH)


def render_csv_result(result: Result, doc: dict[str, Any], options: RenderOptions) -> str:
    """``csv`` of a typed result (``eval``, ``run``): the text :func:`render_csv` makes of ``doc``."""
    return render_result_rows(result, doc, PLAIN)


def render_csv_fr_result(result: Result, doc: dict[str, Any], options: RenderOptions) -> str:
    """``csv-fr`` of a typed result: the text :func:`render_csv_fr` makes of ``doc``."""
    return render_result_rows(result, doc, FRENCH)


def write_csv(doc: dict[str, Any], rows: Iterable[dict[str, Any]], options: RenderOptions,
              out: TextIO) -> None:
    """``csv``, streamed."""
    write_rows(doc, rows, PLAIN, out)


def write_csv_fr(doc: dict[str, Any], rows: Iterable[dict[str, Any]], options: RenderOptions,
                 out: TextIO) -> None:
    """``csv-fr``, streamed."""
    write_rows(doc, rows, FRENCH, out)
