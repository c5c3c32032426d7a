"""The raw table handed from a connector to the engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

if TYPE_CHECKING:
    import polars as pl


PERIOD_CANDIDATES = ("period", "date", "month", "week", "day", "quarter", "year",
                     "période", "mois", "semaine", "jour", "trimestre", "année")
"""Names of the period column, in this order, when none is named (interfaces §1); compared
without case, accents and surrounding spaces (:func:`kpirules.data.columns.find_period_column`)."""

# The columns a connector that computed the rollup itself adds, declared once for the
# engine, the ``sql`` connector and plugin packages (``kpirules.plugin_api`` exports them).
# Their names start with ``__``, which no name of a rule file may.
CELL_PERIOD = "__period"
"""The period of a cell of ``extra["aggregate_cells"]``, as the database wrote it."""
CELL_LEVEL = "__level"
"""The grouping mask of a cell of ``extra["aggregate_cells"]``: which dimensions it rolls up."""
COUNT_PREFIX = "__count__"


def count_column(metric: str) -> str:
    """The column giving the input rows behind a pushed-down ``avg`` metric's value."""
    return COUNT_PREFIX + metric


def rows_column(metric: str) -> str:
    """The column giving the raw rows behind an aggregate metric's cell (0 vs null, ``explain``)."""
    return f"__rows__{metric}"


@frozen
class RawTable:
    """Rows as a connector read them, before any rollup.

    ``frame`` holds the period column, dimension columns and metric columns;
    metric columns may still be text (CSV), the engine turns them into numbers
    and reports a bad cell at ``source:LINE:COLUMN``. ``first_line`` is the file
    line of the frame's first row (2 for a CSV file with a header) or ``None``
    when rows have no lines (errors then say ``row N``). ``row_lines``, when
    set, gives the file line each row starts on (rows that span several lines
    because of a quoted line break, or skipped blank rows, break the
    ``first_line + row`` rule), or a function computing them when an error
    needs them; :meth:`location` reads both.

    ``period_column``: the column holding periods; ``None`` lets the engine
    pick the first named like a period (``Date``, ``Mois``…). ``date_format``:
    ``DMY``, ``MDY``, ``YMD`` or a strftime pattern, which wins over detecting
    whether dates are written day or month first.

    A reader that can read columns apart (Parquet, CSV) gives ``scan``, a lazy
    frame of the file, instead of ``frame`` (``None``): the engine then reads
    only the columns the ruleset uses (:meth:`project`), and the whole table
    is read only if something asks for :attr:`frame`. ``columns`` and
    ``height`` are known without reading the cells.

    A CSV scan's column types are inferred from the file's first rows; a cell
    further down that does not fit (``abc`` among numbers), or a blank line,
    is met only when the scan is collected. Such a table has ``careful``,
    which reads the file whole the careful way (blank rows dropped, cells as
    text when one refuses its type), so that the engine finds and locates
    that cell: :meth:`read_carefully`; :attr:`frame` is that reading. Its
    ``height`` counts the scan's rows, blank lines included.

    A connector that pushed the rollup down (SQL) sets ``pre_aggregated``: for
    an ``avg`` metric ``m`` it then also supplies ``__count__m``, the number of
    input rows behind each value, so that averages across segments stay means
    of the input rows.
    """

    _frame: pl.DataFrame | None = field(alias="frame", eq=False)
    source: str = "<data>"
    first_line: int | None = None
    period_column: str | None = None
    decimal: str = "."
    null_values: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()  # columns forced to be dimensions (--dimension)
    ignore: tuple[str, ...] = ()  # columns dropped (--ignore)
    rename: dict[str, str] = field(factory=dict)  # column -> metric
    pre_aggregated: bool = False
    extra: dict[str, Any] = field(factory=dict)
    row_lines: pl.Series | Callable[[], pl.Series] | None = field(default=None, eq=False)
    date_format: str | None = None
    scan: pl.LazyFrame | None = field(default=None, eq=False, kw_only=True)
    careful: Callable[[], RawTable] | None = field(default=None, eq=False, kw_only=True)

    @property
    def frame(self) -> pl.DataFrame:
        """Every column and row, read on first use when the table came as a ``scan``."""
        if self._frame is None:
            assert self.scan is not None, "a RawTable needs a frame or a scan"
            if self.careful is None:
                frame = self.scan.collect()
            else:  # the file read whole (blank rows dropped, text where a cell refuses its type), with its
                # own line numbers: a cache of the same file's rows, not a change of value
                fresh = self.careful()
                frame = fresh.frame
                for name in ("first_line", "decimal", "row_lines"):
                    object.__setattr__(self, name, getattr(fresh, name))
            object.__setattr__(self, "_frame", frame)  # a cache, not a change of value
        assert self._frame is not None
        return self._frame

    def read_carefully(self) -> RawTable:
        """This table read the careful way (:attr:`careful`), keeping what was set on it since.

        ``self`` when there is no careful way: the table is what it is.
        """
        if self.careful is None:
            return self
        import attrs

        fresh = self.careful()
        return attrs.evolve(self, frame=fresh.frame, first_line=fresh.first_line, decimal=fresh.decimal,
                            row_lines=fresh.row_lines, scan=None, careful=None)

    @property
    def columns(self) -> list[str]:
        """The column names, as in the file (before ``rename``), without reading any cell."""
        if self._frame is not None or self.scan is None:
            return self.frame.columns
        return self.scan.collect_schema().names()

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """Each column's type, without reading any cell."""
        if self._frame is not None or self.scan is None:
            return dict(self.frame.schema)
        return dict(self.scan.collect_schema())

    @property
    def height(self) -> int:
        """The number of rows (for Parquet, from the file's metadata)."""
        if self._frame is not None or self.scan is None:
            return self.frame.height
        import polars as pl

        try:
            return int(self.scan.select(pl.len()).collect().item())
        except Exception:
            if self.careful is None:
                raise
            return self.frame.height  # the careful reading

    def project(self, columns: list[str]) -> pl.DataFrame:
        """Only ``columns`` (names as in the file), read from the file alone when it was scanned."""
        if self._frame is not None or self.scan is None:
            return self.frame.select(columns)
        try:
            return self.scan.select(columns).collect()
        except Exception:
            if self.careful is None:
                raise
            return self.frame.select(columns)  # the careful reading

    def lazy(self) -> pl.LazyFrame:
        """The table as a lazy frame: the scan when there is one, so a query reads only its columns."""
        if self._frame is not None or self.scan is None:
            return self.frame.lazy()
        return self.scan

    def location(self, row: int, column: int | None = None) -> str:
        """``source:LINE:COLUMN`` of a cell (``row`` from 0, ``column`` from 1), or ``source: row N``."""
        if self.first_line is None:
            return f"{self.source}: row {row + 1}"
        if self.row_lines is None:
            line = self.first_line + row
        else:  # computed only now, when a location is wanted
            lines = self.row_lines() if callable(self.row_lines) else self.row_lines
            line = int(lines[row])
        return f"{self.source}:{line}" + (f":{column}" if column is not None else "")

    def header_location(self, column: int) -> str:
        """``source:LINE:COLUMN`` of a column's name in the header, or just ``source``."""
        if self.first_line is None:
            return self.source
        return f"{self.source}:{self.first_line - 1}:{column}"
