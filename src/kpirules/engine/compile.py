"""Expressions of the language → Polars expressions over the levels frame.

The frame is sorted by segment then period and every segment has every period,
so "n periods earlier" is ``shift(n)`` over the segment, and windows are Polars
rolling functions over the segment. ``overall(x)`` reads ``x`` on the overall
row of the same period. Semantics (language §6): null in, null out; division
by zero gives null; logic is three-valued (Polars' Kleene logic).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from kpirules.engine.frame_columns import OVERALL, SEG, YEAR, P, status_col
from kpirules.lang import ast
from kpirules.lang.functions import FunctionRegistry
from kpirules.lang.model import Ruleset


def finite(expr: pl.Expr) -> pl.Expr:
    """NaN and infinities become null: a KPI is a number or nothing."""
    return pl.when(expr.is_finite()).then(expr)


def safe_div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den != 0).then(num / den)


def segment_shift(expr: pl.Expr, n: int) -> pl.Expr:
    """``expr`` ``n`` periods earlier in the same segment (null before the segment's first period).

    The same values as ``expr.shift(n).over(SEG)`` on a frame sorted by
    segment then period, without the window's grouping: a shift of the whole
    column, kept where the row ``n`` earlier is of the same segment. With
    100,000 segments the grouping cost a quarter of a second per shift.
    """
    return pl.when(pl.col(SEG).shift(n) == pl.col(SEG)).then(expr.shift(n))


class Compiler:
    """Compiles expressions for one ruleset, parameter values and frame."""

    def __init__(self, ruleset: Ruleset, params: Mapping[str, float | str],
                 columns: set[str], functions: FunctionRegistry | None = None) -> None:
        self.ruleset = ruleset
        self.params = params
        self.columns = columns
        self.functions = functions or ruleset.functions or FunctionRegistry()

    def compile(self, expr: ast.Expr) -> pl.Expr:
        method: Callable[[Any], pl.Expr] = getattr(self, "_" + type(expr).__name__.lower())
        return method(expr)

    # ── leaves ──
    def _number(self, node: ast.Number) -> pl.Expr:
        return pl.lit(node.value, pl.Float64)

    def _string(self, node: ast.String) -> pl.Expr:
        return pl.lit(node.value, pl.String)

    def _bool(self, node: ast.Bool) -> pl.Expr:
        return pl.lit(node.value, pl.Boolean)

    def _null(self, node: ast.Null) -> pl.Expr:
        return pl.lit(None)

    def _name(self, node: ast.Name) -> pl.Expr:
        name = node.name
        if name in self.params:
            value = self.params[name]
            return pl.lit(value, pl.Float64 if isinstance(value, float | int) else pl.String)
        if name in self.columns:
            return pl.col(name)
        if name in self.ruleset.dimensions:
            return pl.lit(None, pl.String)
        return pl.lit(None, pl.Float64)

    # ── operators ──
    def _unary(self, node: ast.Unary) -> pl.Expr:
        operand = self.compile(node.operand)
        return ~operand if node.op == "not" else -operand

    def _binary(self, node: ast.Binary) -> pl.Expr:
        left, right = self.compile(node.left), self.compile(node.right)
        op = node.op
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            return safe_div(left, right)
        if op == "^":
            return finite(left.cast(pl.Float64).pow(right))
        if op == "and":
            return left & right
        if op == "or":
            return left | right
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        if op == ">=":
            return left >= right
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        raise AssertionError(f"unknown operator {op}")

    def _inlist(self, node: ast.InList) -> pl.Expr:
        operand = self.compile(node.operand)
        items = [self.compile(i) for i in node.items]
        if not items:
            result = pl.when(operand.is_null()).then(None).otherwise(pl.lit(False))
        else:
            result = pl.any_horizontal([operand == i for i in items])
            result = pl.when(operand.is_null()).then(None).otherwise(result)
        return ~result if node.negated else result

    def _isstatus(self, node: ast.IsStatus) -> pl.Expr:
        assert isinstance(node.operand, ast.Name)
        test = pl.col(status_col(node.operand.name)) == node.status
        return ~test if node.negated else test

    # ── functions ──
    def _args(self, node: ast.Call) -> list[ast.Expr]:
        spec = self.functions[node.func]
        args: list[ast.Expr | None] = list(node.args)
        for key, value in node.kwargs:
            index = spec.params.index(key)
            while len(args) <= index:
                args.append(None)
            args[index] = value
        return [a for a in args if a is not None]

    def _const_int(self, expr: ast.Expr) -> int:
        if isinstance(expr, ast.Number):
            return int(expr.value)
        if isinstance(expr, ast.Name) and expr.name in self.params:
            return int(float(self.params[expr.name]))
        raise AssertionError("the checker guarantees constant period counts")

    def _call(self, node: ast.Call) -> pl.Expr:
        args = self._args(node)
        func = node.func
        core = getattr(self, f"_f_{func}", None)
        if core is not None and func in self.functions and self.functions[func].build is None:
            return core(args)
        spec = self.functions[func]
        assert spec.build is not None
        return spec.build(*[self.compile(a) for a in args])

    def _n(self, args: list[ast.Expr], default: int = 1) -> int:
        return self._const_int(args[1]) if len(args) > 1 else default

    def _f_previous(self, args: list[ast.Expr]) -> pl.Expr:
        return segment_shift(self.compile(args[0]), self._n(args))

    def _f_change(self, args: list[ast.Expr]) -> pl.Expr:
        x = self.compile(args[0])
        return x - segment_shift(x, self._n(args))

    def _f_growth(self, args: list[ast.Expr]) -> pl.Expr:
        x = self.compile(args[0])
        return safe_div(x, segment_shift(x, self._n(args))) - 1

    def _rolling(self, args: list[ast.Expr], how: str) -> pl.Expr:
        x = self.compile(args[0]).cast(pl.Float64)
        n = self._n(args)
        fn = getattr(x, f"rolling_{how}")
        return fn(window_size=n, min_samples=n).over(SEG)

    def _f_rolling_sum(self, args: list[ast.Expr]) -> pl.Expr:
        return self._rolling(args, "sum")

    def _f_rolling_avg(self, args: list[ast.Expr]) -> pl.Expr:
        return self._rolling(args, "mean")

    def _f_rolling_min(self, args: list[ast.Expr]) -> pl.Expr:
        return self._rolling(args, "min")

    def _f_rolling_max(self, args: list[ast.Expr]) -> pl.Expr:
        return self._rolling(args, "max")

    def _f_ytd(self, args: list[ast.Expr]) -> pl.Expr:
        x = self.compile(args[0]).cast(pl.Float64)
        window = [SEG, YEAR]
        any_null = x.is_null().cast(pl.Int32).cum_sum().over(window) > 0
        return pl.when(any_null).then(None).otherwise(x.cum_sum().over(window))

    def _f_overall(self, args: list[ast.Expr]) -> pl.Expr:
        return self.compile(args[0]).filter(pl.col(OVERALL)).first().over(P)

    def _f_share(self, args: list[ast.Expr]) -> pl.Expr:
        x = self.compile(args[0])
        return safe_div(x, x.filter(pl.col(OVERALL)).first().over(P))

    def _f_abs(self, args: list[ast.Expr]) -> pl.Expr:
        return self.compile(args[0]).abs()

    def _f_round(self, args: list[ast.Expr]) -> pl.Expr:
        """Halves away from zero as spreadsheets do: ``round(1.005, 2)`` is 1.01.

        1.005 is stored as 1.00499999…; spreadsheets round what they show, 15
        significant digits. So the value is scaled to whole units of the last
        kept digit, cut to 15 significant digits (100.4999… becomes 100.5),
        and only then rounded.
        """
        digits = self._const_int(args[1]) if len(args) > 1 else 0
        x = self.compile(args[0]).cast(pl.Float64)
        scale = 10.0 ** digits
        units = (x * scale).round_sig_figs(15).round(0, mode="half_away_from_zero")
        return units / scale

    def _f_sqrt(self, args: list[ast.Expr]) -> pl.Expr:
        x = self.compile(args[0]).cast(pl.Float64)
        return pl.when(x >= 0).then(x.sqrt())

    def _f_ln(self, args: list[ast.Expr]) -> pl.Expr:
        x = self.compile(args[0]).cast(pl.Float64)
        return pl.when(x > 0).then(x.log())

    def _f_exp(self, args: list[ast.Expr]) -> pl.Expr:
        return finite(self.compile(args[0]).cast(pl.Float64).exp())

    def _f_min(self, args: list[ast.Expr]) -> pl.Expr:
        return pl.min_horizontal([self.compile(a) for a in args])

    def _f_max(self, args: list[ast.Expr]) -> pl.Expr:
        return pl.max_horizontal([self.compile(a) for a in args])

    def _f_clamp(self, args: list[ast.Expr]) -> pl.Expr:
        x, lo, hi = (self.compile(a) for a in args)
        return pl.when(x.is_null()).then(None).when(x < lo).then(lo).when(x > hi).then(hi).otherwise(x)

    def _f_coalesce(self, args: list[ast.Expr]) -> pl.Expr:
        return pl.coalesce([self.compile(a) for a in args])

    def _f_if(self, args: list[ast.Expr]) -> pl.Expr:
        c, a, b = (self.compile(x) for x in args)
        return pl.when(c.fill_null(False)).then(a).otherwise(b)
