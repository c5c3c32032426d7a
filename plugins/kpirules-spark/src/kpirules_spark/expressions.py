"""Row expressions and period labels written as Spark columns.

:class:`SparkRows` is kpirules' :class:`~kpirules.plugin_api.RowTranslator`
for Spark: the walk over a metric's argument and ``where`` condition, the
parameters and what cannot be translated are kpirules'; this module only
says how each piece is written in Spark. Literals become Spark literals
(values, never SQL text), columns are referred to by quoted name, so no rule
or data value is ever parsed as SQL.

The semantics follow the language, not Spark's defaults: a division by zero
is ``null`` (never an error, even with ANSI mode on), arithmetic runs on
doubles (no integer overflow, no integer division).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kpirules.plugin_api import RowTranslator

if TYPE_CHECKING:
    from pyspark.sql import Column

ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"


def quoted(name: str) -> str:
    """A column name as Spark reads it literally (dots, spaces and backticks included)."""
    return "`" + name.replace("`", "``") + "`"


def col(name: str) -> Column:
    from pyspark.sql import functions as F

    return F.col(quoted(name))


class SparkRows(RowTranslator["Column"]):
    """Row expressions → Spark columns over one DataFrame."""

    functions = frozenset({"abs", "coalesce", "if"})

    def __init__(self, params: Mapping[str, float | str], columns: Sequence[str]) -> None:
        super().__init__(params)
        self.columns = set(columns)

    def number(self, value: float) -> Column:
        from pyspark.sql import functions as F

        return F.lit(float(value))

    def string(self, value: str) -> Column:
        from pyspark.sql import functions as F

        return F.lit(value)

    def boolean(self, value: bool) -> Column:
        from pyspark.sql import functions as F

        return F.lit(value)

    def null(self) -> Column:
        from pyspark.sql import functions as F

        return F.lit(None)

    def column(self, name: str) -> Column:
        return col(name)

    def negate(self, operand: Column) -> Column:
        return -operand.cast("double")

    def logical_not(self, operand: Column) -> Column:
        return ~operand

    def in_list(self, operand: Column, items: Sequence[Column], negated: bool) -> Column:
        test = operand.isin(*items)
        return ~test if negated else test

    def binary(self, op: str, left: Column, right: Column) -> Column:
        from pyspark.sql import functions as F

        if op == "and":
            return left & right
        if op == "or":
            return left | right
        if op in ("+", "-", "*", "/", "^"):
            a, b = left.cast("double"), right.cast("double")
            if op == "/":  # a division by zero is null, with or without ANSI mode
                return F.when(b != 0, a / b)
            if op == "^":
                return F.pow(a, b)
            return a + b if op == "+" else a - b if op == "-" else a * b
        operators: dict[str, Any] = {
            "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
        }
        result: Column = operators[op](left, right)
        return result

    def call(self, func: str, args: Sequence[Column]) -> Column:
        from pyspark.sql import functions as F

        if func == "abs":
            return F.abs(args[0])
        if func == "coalesce":
            return F.coalesce(*args)
        if func == "if":
            return F.when(args[0], args[1]).otherwise(args[2])
        return super().call(func, args)


def period_label(date: Column, grain: str) -> Column:
    """The period of a date as kpirules writes it (``2026-03``, ``2026-Q1``, ``2026-W05``…),
    which sorts as text in time order."""
    from pyspark.sql import functions as F

    if grain == "week":  # ISO week: the year is the year of the week's Thursday
        monday_based = (F.dayofweek(date) + 5) % 7  # Monday 0 … Sunday 6
        thursday = F.date_add(date, (F.lit(3) - monday_based).cast("int"))
        return F.concat(F.year(thursday).cast("string"), F.lit("-W"),
                        F.lpad(F.weekofyear(date).cast("string"), 2, "0"))
    if grain == "quarter":
        return F.concat(F.year(date).cast("string"), F.lit("-Q"), F.quarter(date).cast("string"))
    pattern = {"day": "yyyy-MM-dd", "month": "yyyy-MM", "year": "yyyy"}[grain]
    return F.date_format(date, pattern)
