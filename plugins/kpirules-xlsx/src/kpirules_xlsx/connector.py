"""The ``xlsx`` connector: one sheet of an Excel workbook as a table of rows.

openpyxl reads the workbook in read-only mode (rows are streamed, so a large
export does not fill memory) with ``data_only=True`` (a formula gives the
value Excel last computed, not its text).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from kpirules.plugin_api import Connector, DataError, RawTable, SettingsError, SourceContext

PERIOD_CANDIDATES = ("period", "date", "month", "week", "day",
                     "periode", "mois", "semaine", "jour", "trimestre", "annee")


def normalize(header: str) -> str:
    """``"Coût marketing (€)"`` → ``"cout_marketing"``: a name a rule can use."""
    text = unicodedata.normalize("NFKD", header)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"\([^)]*\)", " ", text)  # units in brackets: "(€)", "(k€)"
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


class XlsxConnector(Connector):
    """One sheet of an ``.xlsx`` workbook."""

    name = "xlsx"
    description = "a sheet of an Excel workbook (.xlsx)"
    required = ("path",)
    optional = ("sheet", "header_row", "period_column", "dimensions", "ignore",
                "null_values", "normalize_headers")
    path_settings = ("path",)
    settings_help: ClassVar[Mapping[str, str]] = {  # shown by `kpirules plugins --verbose`
        "path": "a file path, relative to the configuration file",
        "sheet": "a sheet name or its number (from 1); default: the first sheet",
        "header_row": "the row holding the column names (from 1), default 1",
        "period_column": "a column name; default: the first named like a period (month, Date, Mois…)",
        "dimensions": "columns that are dimensions whatever they hold; default: the text columns",
        "ignore": "columns left out; default: none",
        "null_values": "texts read as empty cells; default: none",
        "normalize_headers": "true or false: \"Coût (€)\" becomes cout, default true",
    }

    def validate(self, settings: Mapping[str, Any]) -> None:
        """Known keys, an existing file, a sheet as name or number, a header row ≥ 1."""
        super().validate(settings)
        path = Path(str(settings["path"]))
        if not path.is_file():
            raise SettingsError("path", f"no such file: {path}")
        sheet = settings.get("sheet")
        if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, str | int)
                                  or (isinstance(sheet, int) and sheet < 1)):
            raise SettingsError("sheet", "a sheet name, or its number (1 = the first)")
        row = settings.get("header_row", 1)
        if isinstance(row, bool) or not isinstance(row, int) or row < 1:
            raise SettingsError("header_row", "a row number (1 = the first)")
        if not isinstance(settings.get("normalize_headers", True), bool):
            raise SettingsError("normalize_headers", "true or false")
        for key in ("dimensions", "ignore", "null_values"):
            value = settings.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SettingsError(key, "a list of strings")

    def read(self, settings: Mapping[str, Any], ctx: SourceContext) -> RawTable:
        """Read the sheet; the period column is found among English and French names."""
        import openpyxl

        path = ctx.resolve(str(settings["path"]))
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise DataError(f"not a readable .xlsx workbook: {exc}", str(path)) from None
        try:
            sheet = self._sheet(book, settings.get("sheet"), path)
            header_row = int(settings.get("header_row", 1))
            rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
        finally:
            book.close()
        where = f"{path}[{sheet.title}]"
        if not rows:
            raise DataError(f"no header row at row {header_row}", where)
        fix = normalize if settings.get("normalize_headers", True) else str.strip
        names = self._headers(rows[0], fix, where)
        body = rows[1:]
        while body and all(v is None or v == "" for v in body[-1]):
            body.pop()  # trailing empty rows: spreadsheets keep formatting there
        nulls = set(settings.get("null_values", []))
        columns: dict[str, list[Any]] = {n: [] for n in names.values()}
        for row in body:
            for index, name in names.items():
                value = row[index] if index < len(row) else None
                columns[name].append(_cell(value, nulls))
        import polars as pl  # imported here: `kpirules check` loads plugins but never Polars

        frame = pl.DataFrame({n: _column(v) for n, v in columns.items()}, strict=False)
        period = settings.get("period_column")
        if period is not None:
            period = fix(period)
        else:
            period = next((c for c in PERIOD_CANDIDATES if c in columns), None)
        return RawTable(frame=frame, source=where, first_line=header_row + 1,
                        period_column=period,
                        dimensions=tuple(fix(d) for d in settings.get("dimensions", [])),
                        ignore=tuple(fix(d) for d in settings.get("ignore", [])),
                        null_values=tuple(nulls))

    @staticmethod
    def _sheet(book: Any, wanted: str | int | None, path: Path) -> Any:
        names = book.sheetnames
        if wanted is None:
            return book[names[0]]
        if isinstance(wanted, int):
            if wanted > len(names):
                raise DataError(f"sheet {wanted} asked, the workbook has {len(names)}", str(path))
            return book[names[wanted - 1]]
        if wanted not in names:
            raise DataError(f"no sheet {wanted!r}; sheets: {', '.join(names)}", str(path))
        return book[wanted]

    @staticmethod
    def _headers(row: tuple[Any, ...], fix: Any, where: str) -> dict[int, str]:
        from openpyxl.utils import get_column_letter

        names: dict[int, str] = {}
        seen: dict[str, int] = {}
        for index, cell in enumerate(row):
            if cell is None or str(cell).strip() == "":
                continue
            name = fix(str(cell))
            if name in seen:
                raise DataError(
                    f"columns {get_column_letter(seen[name] + 1)} and "
                    f"{get_column_letter(index + 1)} both give the name {name!r}", where)
            seen[name] = index
            names[index] = name
        return names


def _cell(value: Any, nulls: set[str]) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return None if value == "" or value in nulls else value
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()  # Excel has no dates, only datetimes at midnight
    return value


def _column(values: list[Any]) -> list[Any]:
    """Values of one column, as text when they mix kinds (the engine then reports bad cells)."""
    kinds = {"number" if isinstance(v, int | float) and not isinstance(v, bool) else type(v)
             for v in values if v is not None}
    if len(kinds) > 1:
        return [None if v is None else str(v) for v in values]
    return values
