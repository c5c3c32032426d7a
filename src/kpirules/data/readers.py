"""Reading data files into :class:`RawTable` (CSV, JSON Lines, JSON, Parquet).

CSV exports from European spreadsheets just work: the encoding (UTF-8, with or
without BOM, UTF-16 with a BOM, else Windows-1252), the line ends (LF, CRLF, CR),
the separator (``,`` ``;`` tab ``|``) and the decimal comma are detected when
not given. Rows in which every cell is empty (blank lines, ``,,,,``) carry no
data and are skipped.

Parquet and UTF-8 CSV files are read lazily: the table is a scan, and the
engine reads only the columns the ruleset uses. A CSV scan's column types are
inferred from its first rows; when a cell further down refuses its column's
type, the engine falls back to the careful reading of the file (whole, that
column as text), where it turns cells into numbers itself and reports a bad
one by line and column (:meth:`RawTable.read_carefully`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from kpirules.data import json_rows
from kpirules.data.json_rows import frame_from_rows
from kpirules.data.table import RawTable
from kpirules.errors import DataError, OptionHint, phrase

KINDS = ("csv", "jsonl", "json", "parquet")
EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet", ".pq": "parquet",
}
SEPARATORS = (",", ";", "\t", "|")
_DECIMAL_COMMA_CELL = re.compile(r"(?:^|[;\t|])\s*-?[\d .\u00a0\u202f]*\d,\d+\s*(?=$|[;\t|])", re.M)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SAMPLE = 200_000  # bytes read to detect the dialect (the header line is always read whole)


def split_kind(spec: str) -> tuple[str | None, str]:
    """``"csv:export.txt"`` → ``("csv", "export.txt")``; a plain path has no kind."""
    head, sep, tail = spec.partition(":")
    if sep and head in KINDS and tail:
        return head, tail
    return None, spec


def kind_of(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    raise DataError(f'cannot tell the kind of data from the extension "{suffix or "(none)"}"; '
                    f"write KIND:PATH with KIND one of {', '.join(KINDS)}", where=path)


def read_file(spec: str | Path, kind: str | None = None, *, sep: str | None = None,
              decimal: str | None = None, encoding: str | None = None,
              null_values: tuple[str, ...] | list[str] = (), period_column: str | None = None,
              source: str | None = None) -> RawTable:
    """Read one data file (``-`` is standard input, read as CSV)."""
    spec = str(spec)
    prefix, path = split_kind(spec)
    kind = kind or prefix
    name = source or path
    if path == "-":
        data = sys.stdin.buffer.read()
        kind = kind or "csv"
    else:
        kind = kind or kind_of(path)
        try:
            if kind == "parquet":
                return _read_parquet(path, name, decimal, tuple(null_values), period_column)
            if kind == "csv" and encoding in (None, "utf-8", "utf8"):
                careful = partial(_read_csv_carefully, path, name, sep=sep, decimal=decimal, encoding=encoding,
                                  null_values=tuple(null_values), period_column=period_column)
                table = _read_csv_path(path, name, sep, decimal, tuple(null_values), period_column, careful)
                if table is not None:
                    return table
            data = Path(path).read_bytes()
        except OSError as err:
            raise DataError(f"cannot read the data file: {err.strerror or err}", where=path) from None
    nulls = tuple(null_values)
    if kind == "csv":
        return read_csv_bytes(data, name, sep=sep, decimal=decimal, encoding=encoding,
                              null_values=nulls, period_column=period_column)
    if kind == "parquet":
        try:
            frame = pl.read_parquet(io.BytesIO(data))
        except Exception as err:
            raise DataError(f"not a readable Parquet file: {err}", where=name) from None
        return RawTable(frame, name, None, period_column, decimal or ".", nulls)
    text = decode(data, encoding, name)
    if kind == "jsonl":
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json_rows.loads(line, name, number)
            except json.JSONDecodeError as err:
                raise DataError(f"not valid JSON: {err.msg}", where=f"{name}:{number}:{err.colno}") from None
            except json_rows.DuplicateKey as dup:
                raise DataError(f'key "{dup.key}" appears twice in one object', where=f"{name}:{number}") from None
            if not isinstance(row, dict):
                raise DataError("each line must be a JSON object", where=f"{name}:{number}:1")
            rows.append(row)
        return RawTable(frame_from_rows(rows, name), name, None, period_column, decimal or ".", nulls)
    try:
        doc = json_rows.loads(text, name)
    except json.JSONDecodeError as err:
        raise DataError(f"not valid JSON: {err.msg}", where=f"{name}:{err.lineno}:{err.colno}") from None
    except json_rows.DuplicateKey as dup:
        raise DataError(f'key "{dup.key}" appears twice in one object', where=name) from None
    if isinstance(doc, dict) and isinstance(doc.get("rows"), list):
        doc = doc["rows"]
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise DataError("a JSON data file holds a list of objects (one per row)", where=name)
    return RawTable(frame_from_rows(doc, name), name, None, period_column, decimal or ".", nulls)


def _read_parquet(path: str, name: str, decimal: str | None, nulls: tuple[str, ...],
                  period_column: str | None) -> RawTable:
    """A lazy table over the file: its schema is read now, its cells when the engine asks for them.

    Only the columns the ruleset uses are ever read (Parquet stores columns apart),
    so memory follows those columns, not the file.
    """
    Path(path).stat()  # a missing file is an OSError, reported by the caller
    scan = pl.scan_parquet(path)
    try:
        scan.collect_schema()
    except Exception as err:
        raise DataError(f"not a readable Parquet file: {err}", where=name) from None
    return RawTable(None, name, None, period_column, decimal or ".", nulls, scan=scan)


def _read_csv_carefully(path: str, name: str, **options: Any) -> RawTable:
    """The careful path of a file: its bytes decoded, and every column text if one cell refuses its type."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise DataError(f"cannot read the data file: {err.strerror or err}", where=path) from None
    return read_csv_bytes(data, name, **options)


def _read_csv_path(path: str, name: str, sep: str | None, decimal: str | None,
                   nulls: tuple[str, ...], period_column: str | None,
                   careful: Callable[[], RawTable]) -> RawTable | None:
    """The fast path: Polars reads a UTF-8 file itself (BOM and CRLF included).

    Lazily (:func:`_scan_csv`): a scan of the file, whose columns are read
    when the engine asks for them. ``None`` when Polars cannot read its
    header (another encoding): the caller then reads the bytes and takes the
    careful path, which also finds bad cells.
    """
    with open(path, "rb") as handle:
        head = handle.read(_SAMPLE)
        while not _has_header_line(head):  # a header longer than the sample: read all of it
            more = handle.read(_SAMPLE)
            if not more:
                break
            head += more
    if (not head.strip() or head.startswith(_UTF16_BOMS) or _utf16_without_bom(head)
            or (b"\r" in head and b"\n" not in head)):
        return None  # empty, UTF-16 or old-Mac line ends (CR only): the careful path
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    header_line, header = _header(text)
    separator = sep or sniff_separator(header)
    if separator == "\\t":
        separator = "\t"
    _check_header(header, separator, name, header_line)
    if decimal is None:
        decimal = "," if separator != "," and _DECIMAL_COMMA_CELL.search(text[len(header):]) else "."
    options: dict[str, Any] = {"separator": separator, "infer_schema_length": 10_000,
                               "null_values": list(nulls) or None, "decimal_comma": decimal == ","}
    whole = partial(_read_csv_whole, path, name, header_line, period_column, decimal, nulls, options, careful)
    return _scan_csv(path, name, header_line, period_column, decimal, nulls, options, whole)


def _read_csv_whole(path: str, name: str, header_line: int, period_column: str | None, decimal: str,
                    nulls: tuple[str, ...], options: dict[str, Any], careful: Callable[[], RawTable]) -> RawTable:
    """The file read whole by Polars (blank rows dropped), else the careful path (a cell Polars refuses)."""
    try:
        frame = pl.read_csv(path, **options)
    except Exception:
        return careful()
    return _csv_table(frame, name, header_line, period_column, decimal, nulls)


def _scan_csv(path: str, name: str, header_line: int, period_column: str | None, decimal: str,
              nulls: tuple[str, ...], options: dict[str, Any], careful: Callable[[], RawTable]) -> RawTable | None:
    """A lazy table over a CSV file: column types inferred from its first rows, cells read when asked.

    Only the columns the ruleset uses are parsed into memory, as for Parquet.
    A cell further down that does not fit its column's inferred type (``abc``
    in a column of numbers) is met only when the scan is collected, and a
    blank line (a row of empty cells, dropped, which moves the line numbers of
    the rows after it) only when the period column is read: the engine then
    falls back to ``careful`` (:meth:`RawTable.read_carefully`), the file read
    whole, as text if need be, where it reports that cell by line and column.
    """
    scan = pl.scan_csv(path, **options)
    try:
        schema = scan.collect_schema()
    except Exception:
        return None
    stripped = {c: c.strip() for c in schema.names() if c != c.strip() and c.strip()}
    if stripped:
        scan = scan.rename(stripped)
    trailing = _trailing_blank_lines(path, options["separator"])
    if trailing:  # extra line ends at the end of an export: rows of nothing, left out without moving any row
        scan = scan.head(max(0, int(scan.select(pl.len()).collect().item()) - trailing))
    text_columns = [stripped.get(c, c) for c, dtype in schema.items() if dtype == pl.String]
    first_line = header_line + 1
    lines = partial(_row_lines, scan, text_columns, first_line, None) if text_columns else None
    return RawTable(None, name, first_line, period_column, decimal, nulls, row_lines=lines, scan=scan,
                    careful=careful)


def _trailing_blank_lines(path: str, separator: str) -> int:
    """How many blank lines (nothing but spaces, quotes and separators) end the file, seen in its last bytes."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 4096))
        tail = handle.read().replace(b"\r\n", b"\n").split(b"\n")
    tail = tail[1:]  # the header, or the end of a line begun before these bytes
    if tail and tail[-1] == b"":
        tail.pop()  # the last line's own line end
    blank = b" \t\"" + separator.encode()
    count = 0
    for line in reversed(tail):
        if line.strip(blank):
            break
        count += 1
    return count


def _has_header_line(head: bytes) -> bool:
    """Whether ``head`` holds the header line to its end (blank lines before it skipped)."""
    return b"\n" in head.lstrip(b"\r\n") or b"\r" in head.lstrip(b"\r\n")


def _header(text: str) -> tuple[int, str]:
    """The header's line number and text (blank lines before it are skipped, as Polars does)."""
    body = text.lstrip("\r\n")
    line = 1 + text[: len(text) - len(body)].count("\n")
    return line, body.split("\n", 1)[0].rstrip("\r")


def _check_header(header: str, separator: str, name: str, line: int) -> None:
    """Two columns with the same name (spaces around names do not count) are an error."""
    try:
        fields = next(csv.reader([header], delimiter=separator), [])
    except csv.Error:
        return
    seen: dict[str, int] = {}
    for number, field in enumerate(fields, 1):
        key = field.strip()
        if not key:
            continue
        if key in seen:
            raise DataError(f'column "{key}" appears twice (columns {seen[key]} and {number})',
                            where=f"{name}:{line}:{number}")
        seen[key] = number


def _csv_table(frame: pl.DataFrame, name: str, header_line: int, period_column: str | None,
               decimal: str, nulls: tuple[str, ...]) -> RawTable:
    """The table of a CSV frame: names stripped, blank rows dropped, rows mapped to file lines."""
    stripped = {c: c.strip() for c in frame.columns if c != c.strip() and c.strip()}
    if stripped:
        frame = frame.rename(stripped)
    first_line = header_line + 1
    keep: pl.Series | None = None
    blank = _blank_rows(frame)
    if blank is not None:
        if blank[0] == frame.height - blank.len():
            frame = frame.head(int(blank[0]))  # only at the end (extra newlines): nothing moves
        else:
            keep = pl.repeat(True, frame.height, eager=True).scatter(blank, False)
    text_columns = [c for c, dtype in frame.schema.items() if dtype == pl.String]  # one schema, built once
    lines: pl.Series | Callable[[], pl.Series] | None = None
    if text_columns:  # a text cell may hold a quoted line break; only an error needs to know
        lines = partial(_row_lines, frame, text_columns, first_line, keep)
    elif keep is not None:
        lines = _row_lines(frame, [], first_line, keep)
    if keep is not None:
        frame = frame.filter(keep)
    return RawTable(frame, name, first_line, period_column, decimal, nulls, row_lines=lines)


def _row_lines(frame: pl.DataFrame | pl.LazyFrame, text_columns: list[str], first_line: int,
               keep: pl.Series | None) -> pl.Series:
    """The file line each row starts on: after the lines of the rows before it, blank rows included.

    ``frame`` may be the file's scan: its text columns are then read only now.
    """
    if text_columns:
        extra = frame.lazy().select(pl.sum_horizontal(
            pl.col(text_columns).str.count_matches("\n", literal=True).fill_null(0)).alias("n")).collect()["n"]
        lines = pl.int_range(first_line, first_line + extra.len(), eager=True).cast(pl.Int64)
        lines = lines + extra.cum_sum() - extra
    else:
        height = frame.height if isinstance(frame, pl.DataFrame) else frame.select(pl.len()).collect().item()
        lines = pl.int_range(first_line, first_line + height, eager=True).cast(pl.Int64)
    return lines.filter(keep) if keep is not None else lines


def _blank_rows(frame: pl.DataFrame) -> pl.Series | None:
    """Indices of the rows whose every cell is empty, or ``None`` (the usual case).

    Columns are looked at one by one, typed columns first (their null test is
    cheap), each only at the rows still blank so far: a clean file costs one
    pass over one column.
    """
    if frame.width == 0 or frame.height == 0:
        return None
    schema = frame.schema  # built once: each frame.schema call costs a pass over the columns
    columns = sorted(frame.columns, key=lambda c: schema[c] == pl.String)
    rows: pl.Series | None = None
    for col in columns:
        values = frame[col] if rows is None else frame[col].gather(rows)
        empty = values.is_null()
        if values.dtype == pl.String:
            empty = empty | (values.str.strip_chars() == "")
        hits = empty.fill_null(True).arg_true()
        rows = hits if rows is None else rows.gather(hits)
        if rows.len() == 0:
            return None
    return rows


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the start is plainly UTF-16 text without a BOM (every other byte 0)."""
    sample = data[:200]
    if len(sample) < 8:
        return None
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) == len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) == len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decode(data: bytes, encoding: str | None, name: str) -> str:
    """Text of a file: the given encoding, else UTF-8 (BOM or not), else Windows-1252."""
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as err:
            raise DataError(f"cannot decode the file as {encoding}: {err}", where=name) from None
    if data.startswith(_UTF16_BOMS):  # Excel's "Unicode Text"; the BOM gives the byte order
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise DataError(f"cannot decode the file as UTF-16: {err}", where=name) from None
    guessed = _utf16_without_bom(data)
    if guessed:
        try:
            return data.decode(guessed)
        except UnicodeDecodeError as err:
            raise DataError(phrase(f"looks like UTF-16 but cannot be decoded as {guessed}: {err}",
                                   OptionHint("encoding", lead="; give the encoding with ", place=name)),
                            where=name) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_separator(header: str) -> str:
    counts = {s: header.count(s) for s in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def read_csv_bytes(data: bytes, name: str, *, sep: str | None = None, decimal: str | None = None,
                   encoding: str | None = None, null_values: tuple[str, ...] = (),
                   period_column: str | None = None) -> RawTable:
    """Parse CSV bytes, detecting what was not given.

    Columns are typed by Polars' own fast parser where it can; a column with a
    cell it cannot read (``1 234,5``, ``abc``) stays text, and the engine then
    converts it itself and reports the bad cell by line and column.
    """
    if encoding is None and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        if encoding is None and (data.startswith(_UTF16_BOMS) or _utf16_without_bom(data)):
            raw = decode(data, None, name).encode("utf-8")
        elif encoding in (None, "utf-8", "utf8"):
            data.decode("utf-8")
            raw = data
        else:
            raw = decode(data, encoding, name).encode("utf-8")
    except UnicodeDecodeError:
        raw = decode(data, encoding, name).encode("utf-8")
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if not raw.strip():
        raise DataError("the data file is empty", where=name)
    header_end = raw.find(b"\n", len(raw) - len(raw.lstrip(b"\r\n")))
    head = raw[: max(_SAMPLE, len(raw) if header_end < 0 else header_end)]  # the whole header line
    header_line, header = _header(head.decode("utf-8", errors="replace"))
    separator = sep or sniff_separator(header)
    if separator == "\\t":
        separator = "\t"
    _check_header(header, separator, name, header_line)
    if decimal is None:
        start = raw.find(b"\n", raw.find(header.encode("utf-8")) if header else 0)
        sample = raw[start: start + 200_000].decode("utf-8", errors="replace") if start >= 0 else ""
        decimal = "," if separator != "," and _DECIMAL_COMMA_CELL.search(sample) else "."
    try:
        frame = pl.read_csv(io.BytesIO(raw), separator=separator, infer_schema_length=10_000,
                            null_values=list(null_values) or None, decimal_comma=decimal == ",")
    except Exception:
        try:
            frame = pl.read_csv(io.BytesIO(raw), separator=separator, infer_schema=False)
        except Exception as err:
            raise _unreadable_csv(raw, name, separator, err) from None
    return _csv_table(frame, name, header_line, period_column, decimal, null_values)


def _unreadable_csv(raw: bytes, name: str, separator: str, err: Exception) -> DataError:
    """Why Polars could not read the file: the first row longer than the header, if any."""
    reader = csv.reader(io.StringIO(raw.decode("utf-8", errors="replace"), newline=""), delimiter=separator)
    width = None
    line = 1
    try:
        for fields in reader:
            start, line = line, reader.line_num + 1
            if not fields:
                continue
            if width is None:
                width = len(fields)
            elif len(fields) > width:
                return DataError(f"{len(fields)} fields, the header has {width}", where=f"{name}:{start}")
    except csv.Error:
        pass
    reason = (str(err).strip().splitlines() or ["unknown reason"])[0]
    return DataError(f"cannot read as CSV (separator {separator!r}): {reason}", where=name)
