"""The role of each column of one table: period, metric, dimension, or ignored (interfaces §1).

Kept apart from the normaliser so that one function decides, and says why
(the warnings it returns name the columns and what to paste to silence them).
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl
from attrs import define, field

from kpirules.data.columns import find_period_column, identifier_columns, numeric_columns, plain
from kpirules.data.table import COUNT_PREFIX, PERIOD_CANDIDATES, RawTable
from kpirules.engine.data_warnings import IDENTIFIERS, IGNORED_NUMBERS, DataWarning
from kpirules.errors import DataError, OptionHint, UsageError, phrase
from kpirules.lang.model import Ruleset


@define
class ColumnRoles:
    """Every column of a table by role; ``ignored`` columns are left out of the evaluation."""

    period: str
    metrics: list[str]
    dimensions: list[str]
    ignored_numbers: list[str] = field(factory=list)  # numeric, neither metric nor declared dimension
    identifiers: list[str] = field(factory=list)  # undeclared text with too many distinct values


def choose_period_column(frame: pl.DataFrame, table: RawTable, period_column: str | None) -> str:
    """The named period column (exactly, else without case and accents), or the first named like one."""
    chosen = table.period_column or period_column
    if chosen is not None:
        if chosen in frame.columns:
            return chosen
        same = [c for c in frame.columns if plain(c) == plain(chosen)]
        if len(same) == 1:
            return same[0]
        raise DataError(phrase(f'no period column "{chosen}"; columns are {", ".join(frame.columns)}',
                               _period_hint(table)), where=table.source)
    found = find_period_column(frame.columns)
    if found is None:
        raise DataError(phrase(f"no period column (one of {', '.join(PERIOD_CANDIDATES)}, without case or "
                               f"accents); columns are {', '.join(frame.columns)}", _period_hint(table)),
                        where=table.source)
    return found


def _declared_dimensions(columns: Collection[str], table: RawTable, ruleset: Ruleset, period: str,
                         read_by_aggregates: Collection[str]) -> tuple[list[str], list[str]]:
    """(the columns declared dimensions, the undecided columns: neither the ruleset nor the source says)."""
    declared, undecided = [], []
    for col in columns:
        if col == period or col in ruleset.metrics or col.startswith(COUNT_PREFIX) or col in read_by_aggregates:
            continue
        if col in ruleset.dimensions or col in table.dimensions:
            declared.append(col)
        else:
            undecided.append(col)
    return declared, undecided


def undecided_columns(columns: Collection[str], table: RawTable, ruleset: Ruleset, period: str,
                      read_by_aggregates: Collection[str] = ()) -> list[str]:
    """The columns neither the ruleset nor the source declares: their cells tell what they are."""
    return _declared_dimensions(columns, table, ruleset, period, read_by_aggregates)[1]


def _period_hint(table: RawTable) -> OptionHint:
    return OptionHint("period_column", lead="; name it with ", place=table.source)


def column_roles(frame: pl.DataFrame | pl.LazyFrame, table: RawTable, ruleset: Ruleset, period: str,
                 read_by_aggregates: Collection[str] = (), cells: pl.DataFrame | None = None) -> ColumnRoles:
    """Sort the columns: metrics, dimensions, ignored numbers and identifiers.

    A column holds numbers when every non-empty cell is a number in the file's
    number style, so a misspelt metric (``Dépenses`` holding ``4 800,00``) is an
    ignored number column, never a dimension; ``read_by_aggregates`` are the
    columns an aggregate metric reads (neither dimensions nor ignored).
    ``cells``: the undecided text columns, already read with others (a CSV
    file is read in one pass), else they are read from ``frame`` here.
    """
    schema = frame.collect_schema()
    columns = schema.names()
    for forced in table.dimensions:  # a forced dimension on a metric or the period: a mistake, not a wish
        if (forced in ruleset.metrics or forced == period) and forced in columns:
            role = "a metric of the ruleset" if forced in ruleset.metrics else "the period column"
            raise UsageError(phrase(f'"{forced}" is {role}: it cannot also be a dimension',
                                    OptionHint("dimensions", (forced,), lead=" (given with ", purpose=")",
                                               many=True, place=table.source)))
    roles = ColumnRoles(period, [c for c in columns if c in ruleset.metrics], [])
    roles.dimensions, undecided = _declared_dimensions(columns, table, ruleset, period, read_by_aggregates)
    text = [c for c in undecided if schema[c] == pl.String]  # typed columns tell by their type alone
    if cells is not None:
        values = cells.select(text)
    else:
        selected = frame.select(text)
        values = selected.collect() if isinstance(selected, pl.LazyFrame) else selected
    numeric = {c for c in undecided if schema[c].is_numeric()}
    numeric |= numeric_columns(values, text, table.decimal, table.null_values)
    identifiers = identifier_columns(values, [c for c in text if c not in numeric])
    del values  # released before the columns the evaluation reads are
    for col in undecided:
        if col in numeric:
            roles.ignored_numbers.append(col)
        elif col in identifiers:
            roles.identifiers.append(col)
        else:
            roles.dimensions.append(col)
    return roles


def leave_out_used_elsewhere(table: RawTable, ruleset: Ruleset, used: Collection[str]) -> RawTable:
    """``table`` without the columns that are metrics of other rulesets of the same job (``used``):
    they are not this ruleset's, but they are not unknown either, so no warning names them."""
    import attrs

    columns = [table.rename.get(c, c) for c in table.columns]
    elsewhere = [c for c in columns if c in used and c not in ruleset.metrics
                 and c not in ruleset.dimensions and c not in table.dimensions]
    if not elsewhere:
        return table
    return attrs.evolve(table, ignore=tuple(dict.fromkeys((*table.ignore, *elsewhere))))


def _quoted(columns: list[str]) -> str:
    from kpirules.display import shown

    return ", ".join(shown(c) for c in columns)


def role_warnings(source: str, roles: ColumnRoles) -> list[DataWarning]:
    """One line for the ignored numeric columns and one for the identifiers, each saying what to paste."""
    warnings = []
    if roles.ignored_numbers:
        cols = roles.ignored_numbers
        warnings.append(DataWarning(IGNORED_NUMBERS, phrase(
            f"numeric column(s) neither metrics nor declared dimensions, ignored: {_quoted(cols)} "
            "(a metric named differently? declare it or rename the column",
            OptionHint("ignore", tuple(cols), lead="; to silence this: ", many=True, place=source), ")"),
            source))
    if roles.identifiers:
        cols = roles.identifiers
        warnings.append(DataWarning(IDENTIFIERS, phrase(
            "column(s) with more than 1,000 distinct values, read as identifiers and ignored: "
            f"{_quoted(cols)} (to split by one, declare `dimension` in the rule file",
            OptionHint("dimensions", lead=" or give ", many=True, place=source),
            "; to count its values, use count_distinct in an aggregate metric)"), source))
    return warnings
