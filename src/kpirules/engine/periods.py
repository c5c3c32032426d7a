"""Mapping the period column of a table to period indices of the ruleset's grain.

The column's distinct values are read in file order, all at once by Polars
(one regular expression per written form, :mod:`kpirules.engine.period_forms`),
never value by value in Python; the mapping is then applied to every row. What
cannot be read is reported at its first line in file order, the same on every
run.

Day or month first (``03/04/2026``) is decided once for the whole column
(interfaces §1): a first number above 12 somewhere means day first, a second
number above 12 month first; else the reading in which every date falls on the
same day of the month; else the column is ambiguous and the user says which
with the ``date_format`` option (an :class:`~kpirules.errors.OptionHint` says so), which always wins.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from kpirules.display import shown
from kpirules.engine.period_forms import FORMS, match_forms, month_number
from kpirules.errors import OptionError, OptionHint, Phrase, phrase
from kpirules.lang import periods as P

ORDERS = ("DMY", "MDY", "YMD")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_MICROS = 86_400_000_000
_ISO_DATE_TIME = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$"
_ISO_FORMATS = {10: "%Y-%m-%d", 16: "%Y-%m-%d %H:%M", 19: "%Y-%m-%d %H:%M:%S"}  # by length
_HINT = OptionHint("date_format", ("DMY",), lead="; give the order with ",
                   purpose=" (or MDY, YMD, or a strftime pattern such as %d/%m/%Y)")


class PeriodColumnError(ValueError):
    """A period cell that cannot be read: ``row`` (from 0) of the column, and why."""

    def __init__(self, row: int, message: str | Phrase) -> None:
        super().__init__(str(message))
        self.row = row
        self.message = message if isinstance(message, Phrase) else phrase(message)


def check_date_format(value: str | None) -> str | None:
    """``DMY``/``MDY``/``YMD`` (any case) or a strftime pattern; anything else is a ValueError."""
    if value is None:
        return None
    text = value.strip()
    if text.upper() in ORDERS:
        return text.upper()
    if "%" in text:
        return text
    raise ValueError(f"date format {value!r}: write DMY, MDY, YMD or a strftime pattern such as %d.%m.%Y")


def map_periods(column: pl.Series, grain: str, date_format: str | None = None,
                name: str | None = None, *, key: bool = True) -> tuple[pl.Series, pl.Series | None]:
    """(period index at ``grain``, fine time key) for every row; raises :class:`PeriodColumnError`.

    ``key``: whether the fine time key is wanted (it orders ``first``/``last``);
    ``None`` in its place when not. A text column is read by its distinct cells
    (a few hundred dates in a million rows), then each row takes its cell's
    period: a row's own work is one look-up, not stripping and matching it.
    """
    name = name or column.name
    if column.dtype != pl.String:
        return _map_values(column, grain, date_format, name)
    cells = column.unique(maintain_order=True)
    try:
        idx, fine = _map_values(cells, grain, date_format, name)
    except PeriodColumnError as err:  # its row is that of the distinct cells: the first such row of the column
        cell = cells[err.row]
        row = column.is_null() if cell is None else (column == cell).fill_null(False)
        raise PeriodColumnError(int(row.arg_true()[0]), err.message) from None
    return (column.replace_strict(cells, idx, return_dtype=pl.Int64),
            column.replace_strict(cells, fine, return_dtype=pl.Float64) if key else None)


def _map_values(column: pl.Series, grain: str, date_format: str | None, name: str) -> tuple[pl.Series, pl.Series]:
    """:func:`map_periods` of every value of ``column``."""
    dtype = column.dtype
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return _from_temporal(column, grain, name)
    text = _as_text(column, name)
    if date_format is None or date_format in ORDERS:  # ISO text is year first whatever the order
        stamps = _iso_stamps(text)
        if stamps is not None:
            return _from_temporal(stamps, grain, name)
    distinct = text.unique(maintain_order=True)
    if date_format is not None and date_format not in ORDERS:
        idx, key = _with_pattern(text, distinct, grain, date_format, name)
    else:
        idx, key = _from_text(text, distinct, grain, date_format, name)
    return (text.replace_strict(distinct, idx, default=None, return_dtype=pl.Int64),
            text.replace_strict(distinct, key, default=None, return_dtype=pl.Float64))


def _iso_stamps(text: pl.Series) -> pl.Series | None:
    """ISO dates and date-times (``2026-03-17``, ``2026-03-17 10:42[:05]``, ``T``) as datetimes, else None.

    The commonest column of raw rows, with one distinct timestamp per order: read
    on the whole column at once, without the distinct values and the forms' regular
    expressions (a million timestamps: about 1 s instead of 16 s). Anything else,
    an empty cell or a date not of the calendar (2026-02-30) takes the general
    path, which also words the error.
    """
    if text.null_count() or not bool(text.str.contains(_ISO_DATE_TIME).all()):
        return None
    first = str(text[0]) if text.len() else ""
    one_form = _ISO_FORMATS.get(len(first), "").replace(" ", first[10:11] or " ")
    if one_form:  # every cell written like the first (an export's usual case): read as they are, no copy
        stamps = text.str.to_datetime(one_form, strict=False, time_unit="us")
        if not stamps.null_count():
            return stamps.alias(text.name)
    spaced = pl.lit(text.str.replace("T", " ", literal=True))
    full = (pl.when(spaced.str.len_chars() == 10).then(spaced + " 00:00:00")
            .when(spaced.str.len_chars() == 16).then(spaced + ":00").otherwise(spaced))
    stamps = pl.select(full.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")).to_series()
    return None if stamps.null_count() else stamps.alias(text.name)


def _first_row(text: pl.Series, value: str | None) -> int:
    hits = text.is_null() if value is None else (text == value).fill_null(False)
    return int(hits.arg_true()[0])


def _as_text(column: pl.Series, name: str) -> pl.Series:
    """The column as stripped text (empty cells null); numbers must be whole (``202603``, ``2026``)."""
    if column.dtype.is_float():
        whole = column.is_null() | (column == column.floor())
        if not bool(whole.all()):
            row = int((~whole).arg_true()[0])
            raise PeriodColumnError(row, f'{shown(column[row])} in column "{name}" is not a period')
        column = column.cast(pl.Int64)
    if column.dtype == pl.Boolean or column.dtype.is_nested():
        raise PeriodColumnError(0, f'column "{name}" holds {column.dtype} values, not periods')
    text = column.cast(pl.String).str.strip_chars()
    return pl.select(pl.when(text != "").then(text).alias(name)).to_series()


def _from_temporal(column: pl.Series, grain: str, name: str) -> tuple[pl.Series, pl.Series]:
    if column.null_count():
        raise PeriodColumnError(int(column.is_null().arg_true()[0]), f'empty period in column "{name}"')
    frame = pl.DataFrame({"v": column})
    if isinstance(column.dtype, pl.Datetime) and column.dtype.time_zone is None:
        # the day and the second within it from the timestamp itself: integer arithmetic, not calendar fields
        micros = pl.col("v").dt.epoch("us")
        days = micros // _DAY_MICROS
        day = days.cast(pl.Int32).cast(pl.Date)
        seconds = ((micros - days * _DAY_MICROS) // 1_000_000).cast(pl.Float64)
    else:
        day = pl.col("v").cast(pl.Date) if column.dtype == pl.Date else pl.col("v").dt.date()
        seconds = (pl.lit(0.0) if column.dtype == pl.Date else
                   (pl.col("v").dt.hour().cast(pl.Float64) * 3600 + pl.col("v").dt.minute().cast(pl.Float64) * 60
                    + pl.col("v").dt.second().cast(pl.Float64)))
    out = frame.select(_index_of_date(day, grain).alias("i"), (_ordinal(day) + seconds / 86400).alias("k"))
    return out["i"], out["k"]


def _ordinal(day: pl.Expr) -> pl.Expr:
    """``date.toordinal()`` of a Polars date."""
    return (day.cast(pl.Int64) + _EPOCH_ORDINAL).cast(pl.Float64)


def _index_of_date(day: pl.Expr, grain: str) -> pl.Expr:
    """:func:`kpirules.lang.periods.index_of_date`, vectorised."""
    ordinal = day.cast(pl.Int64) + _EPOCH_ORDINAL
    if grain == "day":
        return ordinal
    if grain == "week":
        return (ordinal - day.dt.weekday().cast(pl.Int64)) // 7  # (monday's ordinal - 1) // 7
    year = day.dt.year().cast(pl.Int64)
    month = day.dt.month().cast(pl.Int64)
    if grain == "month":
        return year * 12 + month - 1
    if grain == "quarter":
        return year * 4 + (month - 1) // 3
    return year


def _make_date(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """A date from whole numbers; null when it is not a date of the calendar (31/02)."""
    return pl.format("{}-{}-{}", year.cast(pl.String).str.zfill(4), month.cast(pl.String).str.zfill(2),
                     day.cast(pl.String).str.zfill(2)).str.to_date("%Y-%m-%d", strict=False)


def _from_text(text: pl.Series, distinct: pl.Series, grain: str, order: str | None,
               name: str) -> tuple[pl.Series, pl.Series]:
    parts = match_forms(distinct)
    nums = parts.with_columns(
        [pl.col(g).cast(pl.Int64, strict=False) for g in ("y", "m", "d", "a", "b", "q", "w", "H", "M", "S")])
    _refuse_unread(text, distinct, nums, name)
    form_number = int(nums["form"][0] if distinct[0] is not None else nums["form"].drop_nulls()[0])
    form = FORMS[form_number]
    _refuse_mixed(text, distinct, nums, form_number, name)
    if form.name == "numeric-date":
        order = order or _decide_order(text, distinct, parts, nums, grain, name)
        nums = nums.with_columns(_ordered(parts, order))
    if form.grain == "day":
        return _dates(text, distinct, nums, grain, name)
    return _coarse(text, distinct, nums, form.grain, grain, name)


def _refuse_unread(text: pl.Series, distinct: pl.Series, nums: pl.DataFrame, name: str) -> None:
    """The first value (in file order) that is empty or has no known form is an error."""
    bad = distinct.is_null() | nums["form"].is_null()
    if not bool(bad.any()):
        return
    value = distinct[int(bad.arg_true()[0])]
    if value is None:
        raise PeriodColumnError(_first_row(text, None), f'empty period in column "{name}"')
    raise PeriodColumnError(_first_row(text, value), (
        f'{shown(value)} in column "{name}" is not a date or a period (write 2026-03-17, 17/03/2026, '
        "2026-03, 03/2026, mars 2026, 2026-Q1, Q1 2026, 2026-W05 or 2026)"))


def _refuse_mixed(text: pl.Series, distinct: pl.Series, nums: pl.DataFrame, form: int, name: str) -> None:
    """Every value of the column has the first value's form (interfaces §1)."""
    other = nums["form"] != form
    if bool(other.any()):
        value = distinct[int(other.arg_true()[0])]
        first = distinct.drop_nulls()[0]
        raise PeriodColumnError(_first_row(text, value), (
            f'{shown(value)} in column "{name}" is not written like {shown(first)} (its first value, '
            f"a {FORMS[form].grain} written as {FORMS[form].example}): every value of the period column "
            "must have the same form"))


def _ordered(parts: pl.DataFrame, order: str) -> list[pl.Expr]:
    """``d``, ``m``, ``y`` of a numeric date (``a``/``b``/``y`` as written) in the given order.

    A 2-digit year is 20YY; ``parts`` holds the numbers as written, to count digits.
    """
    first, second, last = {"DMY": ("d", "m", "y"), "MDY": ("m", "d", "y"), "YMD": ("y", "m", "d")}[order]
    written = dict(zip((first, second, last), ("a", "b", "y"), strict=True))
    short_year = pl.lit(parts[written["y"]].str.len_chars() <= 2)
    return [pl.col(written["d"]).alias("d"), pl.col(written["m"]).alias("m"),
            pl.when(short_year).then(2000 + pl.col(written["y"])).otherwise(pl.col(written["y"])).alias("y")]


def _decide_order(text: pl.Series, distinct: pl.Series, parts: pl.DataFrame, nums: pl.DataFrame, grain: str,
                  name: str) -> str:
    """Day or month first, once for the column (interfaces §1)."""
    first_big = nums["a"] > 12
    second_big = nums["b"] > 12
    if bool(first_big.any()) and bool(second_big.any()):
        one = distinct[int(first_big.arg_true()[0])]
        other = distinct[int(second_big.arg_true()[0])]
        raise PeriodColumnError(_first_row(text, other), phrase(
            f'column "{name}" mixes day first ({shown(one)}) and month first ({shown(other)}): '
            "every date of a column must be written in the same order", _HINT))
    if bool(first_big.any()):
        return "DMY"
    if bool(second_big.any()):
        return "MDY"
    same_day_dmy = nums["a"].n_unique() == 1
    same_day_mdy = nums["b"].n_unique() == 1
    if same_day_dmy != same_day_mdy:
        return "DMY" if same_day_dmy else "MDY"
    readings = [nums.with_columns(_ordered(parts, order)).select(
        _index_of_date(_make_date(pl.col("y"), pl.col("m"), pl.col("d")), grain).alias("i"))["i"]
        for order in ("DMY", "MDY")]
    differ = (readings[0] != readings[1]) | (readings[0].is_null() != readings[1].is_null())
    if not bool(differ.fill_null(False).any()):
        return "DMY"  # both readings give the same periods (01/01, 02/02…, or one year at grain year)
    at = int(differ.fill_null(False).arg_true()[0])
    value = distinct[at]
    a, b, y = int(nums["a"][at]), int(nums["b"][at]), int(nums["y"][at])
    year = y + 2000 if y < 100 else y
    raise PeriodColumnError(_first_row(text, value), phrase(
        f'column "{name}": cannot tell whether dates are written day first or month first: '
        f'{shown(value)} reads as {_iso(year, b, a)} (day first, DMY) or {_iso(year, a, b)} (month first, MDY), '
        "and no value decides (none above 12, no single day of the month)", _HINT))


def _iso(year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}-{day:02d} (not a date)"


def _dates(text: pl.Series, distinct: pl.Series, nums: pl.DataFrame, grain: str,
           name: str) -> tuple[pl.Series, pl.Series]:
    """Values naming a day (maybe with a time): their period at ``grain`` and exact time."""
    hour = pl.col("H").fill_null(0)
    is_pm = pl.col("ampm").str.to_lowercase().str.starts_with("p").fill_null(False)
    is_am = pl.col("ampm").str.to_lowercase().str.starts_with("a").fill_null(False)
    hour = pl.when(is_pm & (hour < 12)).then(hour + 12).when(is_am & (hour == 12)).then(0).otherwise(hour)
    seconds = (hour * 3600 + pl.col("M").fill_null(0) * 60 + pl.col("S").fill_null(0)).cast(pl.Float64)
    out = nums.with_columns(_make_date(pl.col("y"), pl.col("m"), pl.col("d")).alias("date")).select(
        pl.col("date").is_null().alias("bad"),
        _index_of_date(pl.col("date"), grain).alias("i"),
        (_ordinal(pl.col("date")) + seconds / 86400).alias("k"))
    if bool(out["bad"].any()):
        value = distinct[int(out["bad"].arg_true()[0])]
        raise PeriodColumnError(_first_row(text, value), f'{shown(value)} in column "{name}" is not a date of the calendar')
    return out["i"], out["k"]


def _coarse(text: pl.Series, distinct: pl.Series, nums: pl.DataFrame, value_grain: str, grain: str,
            name: str) -> tuple[pl.Series, pl.Series]:
    """Values naming a week, month, quarter or year: the period of ``grain`` they are."""
    if P.RANK[value_grain] > P.RANK[grain] or (value_grain == "week" and grain == "day"):
        value = distinct.drop_nulls()[0]
        raise PeriodColumnError(_first_row(text, value), (
            f'{shown(value)} in column "{name}" is a {value_grain}, coarser than the ruleset\'s grain ({grain}): '
            f"data cannot be split into {grain}s"))
    year = pl.col("y")
    start: pl.Expr
    if value_grain == "month":
        month = month_number(pl.col("name")) if nums["name"].is_not_null().any() else pl.col("m")
        start = pl.when(month.is_between(1, 12)).then(_make_date(year, month, pl.lit(1)))
        why = "a month is 01 to 12 (or a month's name in English or French)"
    elif value_grain == "quarter":
        start = pl.when(pl.col("q").is_between(1, 4)).then(_make_date(year, 3 * pl.col("q") - 2, pl.lit(1)))
        why = "a quarter is Q1 to Q4"
    elif value_grain == "week":
        jan4 = _make_date(year, pl.lit(1), pl.lit(4))
        week1_monday = jan4 - pl.duration(days=jan4.dt.weekday() - 1)
        dec28 = _make_date(year, pl.lit(12), pl.lit(28))
        start = pl.when(pl.col("w").is_between(1, dec28.dt.week())).then(
            week1_monday + pl.duration(weeks=pl.col("w") - 1))
        why = "not an ISO week of that year"
    else:
        start = _make_date(year, pl.lit(1), pl.lit(1))
        why = "not a year"
    out = nums.select(start.alias("start")).select(
        pl.col("start").is_null().alias("bad"),
        _index_of_date(pl.col("start") + pl.duration(days=3) if value_grain == "week" else pl.col("start"),
                       grain).alias("i"),
        _ordinal(pl.col("start")).alias("k"))
    if bool(out["bad"].any()):
        value = distinct[int(out["bad"].arg_true()[0])]
        raise PeriodColumnError(_first_row(text, value), f'{shown(value)} in column "{name}": {why}')
    return out["i"], out["k"]


def _with_pattern(text: pl.Series, distinct: pl.Series, grain: str, pattern: str,
                  name: str) -> tuple[pl.Series, pl.Series]:
    """``date_format="%d.%m.%Y"``: every value read with the pattern, which wins over detection."""
    with_time = any(code in pattern for code in ("%H", "%M", "%S", "%I", "%p", "%T", "%R", "%c"))
    frame = pl.DataFrame({"v": distinct})
    try:
        if with_time:
            parsed = frame.select(pl.col("v").str.strptime(pl.Datetime, pattern, strict=False))["v"]
        else:
            parsed = frame.select(pl.col("v").str.strptime(pl.Date, pattern, strict=False))["v"]
    except pl.exceptions.PolarsError as err:
        raise OptionError("date_format", pattern, f"not a usable strftime pattern ({err})") from None
    bad = parsed.is_null()
    if bool(bad.any()):
        value = distinct[int(bad.arg_true()[0])]
        if value is None:
            raise PeriodColumnError(_first_row(text, None), f'empty period in column "{name}"')
        raise PeriodColumnError(_first_row(text, value),
                                f'{shown(value)} in column "{name}" does not match the date format {pattern}')
    return _from_temporal(parsed, grain, name)
