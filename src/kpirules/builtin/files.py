"""Connectors for data files: CSV, JSON Lines, JSON and Parquet.

Thin wrappers over :func:`kpirules.data.readers.read_file`, which does the real
work (dialect and encoding detection, decimal commas, line numbers for bad
cells). What they add is the check of their settings before any data is read,
so that a misspelt option or a missing file stops the job at once.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from kpirules.data.limits import precheck_file
from kpirules.plugin_api import (
    Connector,
    SettingsError,
    SourceContext,
    check_type,
    date_format,
    str_list,
)

if TYPE_CHECKING:
    from kpirules.data.table import RawTable

DECIMAL_MARKS = (".", ",")
STDIN = "-"  # the path that reads standard input


class FileConnector(Connector):
    """One file of one kind, read by :func:`kpirules.data.readers.read_file`.

    ``path = "-"`` reads standard input (``eval --data -``); the job makes a
    configured path absolute first, so only the command line can ask for it.
    """

    kind: ClassVar[str] = ""
    required = ("path",)
    optional: ClassVar[tuple[str, ...]] = ("period_column", "null_values", "dimensions", "ignore",
                                           "date_format", "decimal", "encoding")
    path_settings = ("path",)
    settings_help: ClassVar[Mapping[str, str]] = {
        "path": "a file path, relative to the configuration file",
        "period_column": "a column name; default: the first named like a period (month, Date, Mois…)",
        "null_values": "texts read as empty cells, e.g. [\"n/a\", \"-\"]; default: none",
        "dimensions": "columns that are dimensions whatever they hold; default: the text columns",
        "ignore": "columns left out; default: none",
        "date_format": "DMY, MDY, YMD or a strftime pattern; default: detected for the column",
        "decimal": "\".\" or \",\"; default: detected",
        "encoding": "an encoding name such as cp1252; default: detected",
    }

    def validate(self, settings: Mapping[str, Any]) -> None:
        """Known keys only, ``path`` names an existing file, ``decimal`` is ``.`` or
        ``,`` and ``encoding`` names a codec Python knows."""
        super().validate(settings)
        check_type(settings, "path", str, "a file path")
        check_type(settings, "period_column", str, "a column name")
        date_format(settings)
        for key in ("null_values", "dimensions", "ignore"):
            str_list(settings, key)
        decimal = settings.get("decimal")
        if decimal is not None and decimal not in DECIMAL_MARKS:
            raise SettingsError("decimal", 'must be "." or "," (or left out to detect it)')
        _check_encoding(settings)
        path = Path(str(settings["path"]))
        if str(settings["path"]) != STDIN and not path.is_file():
            raise SettingsError("path", f"no such file: {path}")

    def read_options(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        """Keyword arguments for ``read_file`` beyond path, kind and period column."""
        return {"null_values": str_list(settings, "null_values"),
                "decimal": settings.get("decimal"), "encoding": settings.get("encoding")}

    def read(self, settings: Mapping[str, Any], ctx: SourceContext) -> RawTable:
        """Read the file; dimensions and ignored columns are passed on to the engine."""
        from kpirules.data.readers import read_file

        path: str | Path = str(settings["path"])
        if path != STDIN:
            path = ctx.resolve(path)
            precheck_file(path, self.kind, ctx.max_rows, str(path))
        table = read_file(
            path,
            self.kind,
            period_column=settings.get("period_column"),
            **self.read_options(settings),
        )
        dims = str_list(settings, "dimensions")
        ignore = str_list(settings, "ignore")
        if settings.get("date_format"):
            table = attrs.evolve(table, date_format=date_format(settings))
        if dims or ignore:
            table = attrs.evolve(
                table,
                dimensions=tuple(dict.fromkeys((*table.dimensions, *dims))),
                ignore=tuple(dict.fromkeys((*table.ignore, *ignore))),
            )
        return table


def _check_encoding(settings: Mapping[str, Any]) -> None:
    """``encoding``, when given, names a text codec Python knows."""
    check_type(settings, "encoding", str, "an encoding name such as cp1252")
    encoding = settings.get("encoding")
    if encoding is None:
        return
    try:
        info = codecs.lookup(str(encoding))
    except LookupError:
        raise SettingsError("encoding", f"unknown encoding {encoding!r} (such as "
                                        f"utf-8, cp1252, latin-1)") from None
    if not getattr(info, "_is_text_encoding", True):
        raise SettingsError("encoding", f"{encoding!r} is not a text encoding "
                                        f"(such as utf-8, cp1252, latin-1)")


class CsvConnector(FileConnector):
    """CSV files, European spreadsheet exports included."""

    name = "csv"
    kind = "csv"
    description = "a CSV file (separator, decimal mark and encoding detected unless given)"
    optional = (*FileConnector.optional, "sep")
    settings_help: ClassVar[Mapping[str, str]] = {
        **FileConnector.settings_help,
        "sep": "one character, not the decimal mark; default: detected",
    }

    def validate(self, settings: Mapping[str, Any]) -> None:
        """Also: ``sep`` is one character, not the decimal mark."""
        super().validate(settings)
        sep = settings.get("sep")
        if sep is not None and (not isinstance(sep, str) or len(sep) != 1):
            raise SettingsError("sep", "must be one character")
        if isinstance(sep, str) and (len(sep.encode("utf-8")) != 1 or sep in "\r\n\""):
            raise SettingsError("sep", "must be one ASCII character other than a quote or "
                                       "a line break (such as , ; | or a tab)")
        if isinstance(sep, str) and sep == settings.get("decimal"):
            raise SettingsError("decimal", f"cannot be the separator ({sep!r}) too")

    def read_options(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        """The separator too, when given."""
        return {**super().read_options(settings), "sep": settings.get("sep")}


class JsonlConnector(FileConnector):
    """JSON Lines: one object per line."""

    name = "jsonl"
    kind = "jsonl"
    description = "a JSON Lines file (one object per line)"


class JsonConnector(FileConnector):
    """A JSON document holding a list of objects."""

    name = "json"
    kind = "json"
    description = "a JSON file holding a list of objects"


class ParquetConnector(FileConnector):
    """Parquet files."""

    name = "parquet"
    kind = "parquet"
    description = "a Parquet file"
