"""The document's rows as JSON text, written by Polars rather than Python.

At 100,000 segments the reported rows are most of an evaluation's cost when
Python builds a dict per row and then encodes it: about 2 s to build and 3 s
to encode, against 0.3 s for Polars to write the same text from the columns.
The text must be byte for byte what ``json.dumps(row, ensure_ascii=False,
separators=(",", ":"))`` writes of :meth:`Result.dict_rows`' row (the
``json`` and ``jsonl`` outputs are compared with it), and Polars writes
numbers as Python does except two cases, whose rows Python writes instead:

* a float between 0 and 0.0001 in absolute value: Python writes ``1e-05``
  and ``1.5e-07``, Polars ``0.00001`` (from 0.00001 to 0.0001, always four
  zeros after the point) and ``1.5e-7``: rewritten in the values' text with
  regular expressions (keys are names, which hold no ``:`` nor ``-``);
* a column holding NaN or an infinity, which the document writes as null
  and whose whole values it writes as integers, value by value.

A column of whole numbers is written as integers, decided per column as
``Result.dict_rows`` does.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import polars as pl

from kpirules.engine.frame_columns import SEG, P, rule_col, status_col

if TYPE_CHECKING:
    from kpirules.engine.result import Result

#: Below this absolute value Python writes a float with an exponent (``repr``), Polars without.
SMALLEST_PLAIN = 1e-4
_PYTHON = "`python"
_TEXT = "`text"


def json_rows(result: Result, frame: pl.DataFrame, forms: dict[str, str]) -> list[str]:
    """Each row of ``frame`` as the compact JSON text of its row object, in order.

    ``forms``: :func:`number_forms` of the document's whole frame.
    """
    rs = result.ruleset
    if frame.height == 0:
        return []
    values, python, tiny = _values(frame, forms)
    labels = {i: json.dumps(result._label(i), ensure_ascii=False) for i in frame[P].unique().to_list()}
    dims = [pl.col(d) for d in result.dimensions]
    segment = pl.when(pl.col(SEG) == 0).then(pl.lit("{}")).otherwise(_object(dims)) if dims else pl.lit("{}")
    text = pl.concat_str([
        pl.lit('{"period":'), pl.col(P).replace_strict(labels, return_dtype=pl.String),
        pl.lit(',"segment":'), segment,
        pl.lit(',"values":'), _object(values) if not tiny else _as_python_writes(_object(values)),
        pl.lit(',"status":'), _object([pl.col(status_col(n)).alias(n) for n in rs.thresholds]),
        pl.lit(',"decisions":'), _object([pl.col(n) for n in rs.decisions]),
        pl.lit(',"rules":'), _object([pl.col(rule_col(n)).fill_null(False).alias(n) for n in rs.rules]),
        pl.lit("}"),
    ])
    encoded = frame.select(text.alias(_TEXT), python.alias(_PYTHON))
    out: list[str] = encoded[_TEXT].to_list()
    slow = encoded[_PYTHON].arg_true()
    if slow.len():
        rows = result.dict_rows(frame[slow], forms)
        for index, row in zip(slow.to_list(), rows, strict=True):
            out[index] = json.dumps(row, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                                    default=str)
    return out


def _object(columns: list[pl.Expr]) -> pl.Expr:
    """The JSON object of ``columns`` (named as the keys), ``{}`` without any."""
    return pl.struct(columns).struct.json_encode() if columns else pl.lit("{}")


def _as_python_writes(text: pl.Expr) -> pl.Expr:
    """A JSON object of numbers with its floats under 0.0001 written as Python's ``repr`` does."""
    return (text.str.replace_all(r":(-?)0\.0000([1-9])(\d+)([,}])", ":${1}${2}.${3}e-05$4")
            .str.replace_all(r":(-?)0\.0000([1-9])([,}])", ":${1}${2}e-05$3")
            .str.replace_all(r"e-(\d)([,}])", "e-0$1$2"))


def number_forms(frame: pl.DataFrame, names: list[str]) -> dict[str, str]:
    """How the document writes each value column, decided on the whole column by Polars.

    ``integers``: every value is whole (counts, amounts in euros), written as
    an integer; ``floats``: as they are; ``values``: the column holds NaN or
    an infinity, written null, and each whole value as an integer; ``as_is``:
    not a float column.
    """
    floats = [n for n in names if frame.schema[n].is_float()]
    checks: list[pl.Expr] = []
    for name in floats:  # one query for every column
        column = pl.col(name)
        finite = column.filter(column.is_finite())
        checks += [(column.is_nan() | column.is_infinite()).any().alias(f"{name}`odd"),
                   (finite == finite.floor()).all().alias(f"{name}`whole"),
                   finite.len().alias(f"{name}`finite"),
                   finite.abs().max().cast(pl.Float64).alias(f"{name}`max")]
    found = frame.select(checks).row(0, named=True) if checks else {}
    forms: dict[str, str] = {}
    for name in names:
        if name not in floats:
            forms[name] = "as_is"
        elif found[f"{name}`odd"]:
            forms[name] = "values"
        elif found[f"{name}`finite"] and found[f"{name}`whole"] and found[f"{name}`max"] < 2**53:
            forms[name] = "integers"
        else:
            forms[name] = "floats"
    return forms


def _values(frame: pl.DataFrame, forms: dict[str, str]) -> tuple[list[pl.Expr], pl.Expr, bool]:
    """The value columns as the document writes them, which rows Python must write, and whether
    some float is under 0.0001."""
    python = pl.lit(False)
    small: list[pl.Expr] = []
    columns: list[pl.Expr] = []
    for name, form in forms.items():
        column = pl.col(name)
        if form == "values":
            python = python | (column.is_finite() & (column == column.floor())).fill_null(False)
            columns.append(pl.when(column.is_finite()).then(column).alias(name))
        elif form == "integers":
            columns.append(column.cast(pl.Int64))
        else:
            small += [((column != 0) & (column.abs() < SMALLEST_PLAIN)).any()] if form == "floats" else []
            columns.append(column)
    tiny = bool(small) and bool(frame.select(pl.any_horizontal(small)).item())
    return columns, python, tiny
