"""Reading data files into :class:`RawTable` (CSV, JSON Lines, JSON, Parquet).

CSV exports from European spreadsheets just work: the encoding (UTF-8, with or
without BOM, else Windows-1252), the separator (``,`` ``;`` tab ``|``) and the
decimal comma are detected when not given. Cells stay text here; the engine
turns metric cells into numbers and reports a bad one by line and column.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import polars as pl

from kpirules.data.table import RawTable
from kpirules.errors import DataError

KINDS = ("csv", "jsonl", "json", "parquet")
EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet", ".pq": "parquet",
}
SEPARATORS = (",", ";", "\t", "|")
_DECIMAL_COMMA_CELL = re.compile(r"(?:^|[;\t|])\s*-?[\d .\u00a0\u202f]*\d,\d+\s*(?=$|[;\t|])", re.M)


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
                table = _read_csv_path(path, name, sep, decimal, tuple(null_values), period_column)
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
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise DataError(f"not valid JSON: {err.msg}", where=f"{name}:{number}:{err.colno}") from None
            if not isinstance(row, dict):
                raise DataError("each line must be a JSON object", where=f"{name}:{number}:1")
            rows.append(row)
        return RawTable(frame_from_rows(rows, name), name, None, period_column, decimal or ".", nulls)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(f"not valid JSON: {err.msg}", where=f"{name}:{err.lineno}:{err.colno}") from None
    if isinstance(doc, dict) and isinstance(doc.get("rows"), list):
        doc = doc["rows"]
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise DataError("a JSON data file holds a list of objects (one per row)", where=name)
    return RawTable(frame_from_rows(doc, name), name, None, period_column, decimal or ".", nulls)


def _read_parquet(path: str, name: str, decimal: str | None, nulls: tuple[str, ...],
                  period_column: str | None) -> RawTable:
    Path(path).stat()  # a missing file is an OSError, reported by the caller
    try:
        frame = pl.read_parquet(path)
    except Exception as err:
        raise DataError(f"not a readable Parquet file: {err}", where=name) from None
    return RawTable(frame, name, None, period_column, decimal or ".", nulls)


def _read_csv_path(path: str, name: str, sep: str | None, decimal: str | None,
                   nulls: tuple[str, ...], period_column: str | None) -> RawTable | None:
    """The fast path: Polars reads a UTF-8 file itself (BOM and CRLF included).

    ``None`` when it cannot (another encoding, a cell it refuses): the caller
    then reads the bytes and takes the careful path, which finds bad cells.
    """
    with open(path, "rb") as handle:
        head = handle.read(200_000)
    if not head.strip():
        return None
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    header = text.split("\n", 1)[0].rstrip("\r")
    separator = sep or sniff_separator(header)
    if separator == "\\t":
        separator = "\t"
    if decimal is None:
        decimal = "," if separator != "," and _DECIMAL_COMMA_CELL.search(text[len(header):]) else "."
    try:
        frame = pl.read_csv(path, separator=separator, infer_schema_length=10_000,
                            null_values=list(nulls) or None, decimal_comma=decimal == ",")
    except Exception:
        return None
    stripped = {c: c.strip() for c in frame.columns if c != c.strip()}
    if stripped:
        frame = frame.rename(stripped)
    return RawTable(frame, name, 2, period_column, decimal, nulls)


def frame_from_rows(rows: list[dict[str, object]], name: str = "<rows>") -> pl.DataFrame:
    """A frame from row dicts; every column as text unless all its values are numbers."""
    columns: dict[str, None] = {}
    for row in rows:
        for key in row:
            columns.setdefault(str(key), None)
    data: dict[str, list[object]] = {c: [] for c in columns}
    for row in rows:
        for c in columns:
            data[c].append(row.get(c))
    series = []
    for c, values in data.items():
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
            series.append(pl.Series(c, [None if v is None else float(v) for v in values], pl.Float64))  # type: ignore[arg-type]
        else:
            series.append(pl.Series(c, [None if v is None else str(v) for v in values], pl.String))
    return pl.DataFrame(series)


def decode(data: bytes, encoding: str | None, name: str) -> str:
    """Text of a file: the given encoding, else UTF-8 (BOM or not), else Windows-1252."""
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as err:
            raise DataError(f"cannot decode the file as {encoding}: {err}", where=name) from None
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
        if encoding in (None, "utf-8", "utf8"):
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
    header = raw.split(b"\n", 1)[0].decode("utf-8")
    separator = sep or sniff_separator(header)
    if separator == "\\t":
        separator = "\t"
    if decimal is None:
        sample = raw[len(header): len(header) + 200_000].decode("utf-8", errors="replace")
        decimal = "," if separator != "," and _DECIMAL_COMMA_CELL.search(sample) else "."
    try:
        frame = pl.read_csv(io.BytesIO(raw), separator=separator, infer_schema_length=10_000,
                            null_values=list(null_values) or None, decimal_comma=decimal == ",")
    except Exception:
        try:
            frame = pl.read_csv(io.BytesIO(raw), separator=separator, infer_schema=False)
        except Exception as err:
            raise DataError(f"cannot read as CSV (separator {separator!r}): {err}", where=name) from None
    stripped = {c: c.strip() for c in frame.columns if c != c.strip()}
    if stripped:
        frame = frame.rename(stripped)
    return RawTable(frame, name, 2, period_column, decimal, null_values)
