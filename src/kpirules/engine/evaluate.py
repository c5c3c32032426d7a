"""Evaluate a checked ruleset on data: the whole table at once, in dependency order."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from kpirules.data.columns import find_period_column
from kpirules.data.table import RawTable
from kpirules.engine.compile import Compiler
from kpirules.engine.frame_columns import OVERALL, SEG, YEAR, P, new_col, rule_col, status_col
from kpirules.engine.lifecycle import has_recovery, recovery_status_expr, streak_exprs
from kpirules.engine.normalise import Normalised, normalise
from kpirules.engine.objectives import evaluate_objectives
from kpirules.engine.periods import check_date_format
from kpirules.engine.result import Result
from kpirules.errors import DataError, OptionError
from kpirules.lang import ast
from kpirules.lang import periods as periods_mod
from kpirules.lang.functions import FunctionRegistry
from kpirules.lang.model import MAX_PERIODS, Ruleset
from kpirules.lang.nodes import Node, NodeId


def as_tables(data: Any, period_column: str | None = None) -> list[RawTable]:
    """Whatever the caller gave (path, table, frame, rows, one dict) → raw tables."""
    if isinstance(data, RawTable):
        return [data]
    if isinstance(data, str | Path):
        from kpirules.data.readers import read_file

        return [read_file(data, period_column=period_column)]
    if isinstance(data, pl.DataFrame):
        return [RawTable(data, "<DataFrame>", None, period_column)]
    if isinstance(data, pl.LazyFrame):  # kept lazy: only the columns the ruleset uses are computed
        return [RawTable(None, "<LazyFrame>", None, period_column, scan=data)]
    if type(data).__module__.startswith("pandas"):
        return [RawTable(pl.from_pandas(data), "<DataFrame>", None, period_column)]
    if isinstance(data, dict):
        row = dict(data)
        if find_period_column([str(c) for c in row]) is None and period_column is None:
            row["period"] = "2000-01-01"
        from kpirules.data.readers import frame_from_rows

        return [RawTable(frame_from_rows([row]), "<dict>", None, period_column)]
    if isinstance(data, Sequence) and data and all(isinstance(t, RawTable) for t in data):
        return list(data)
    if isinstance(data, Sequence) and all(isinstance(r, dict) for r in data):
        from kpirules.data.readers import frame_from_rows

        return [RawTable(frame_from_rows(list(data)), "<rows>", None, period_column)]
    if isinstance(data, Sequence) and data:
        return [t for item in data for t in as_tables(item, period_column)]
    raise DataError(f"cannot evaluate data of type {type(data).__name__}")


def resolve_params(ruleset: Ruleset, overrides: Mapping[str, Any] | None) -> dict[str, float | str]:
    """Parameter values, with run-time overrides (``params={NAME: VALUE}``).

    A wrong override raises :class:`OptionError` (option ``params``, value
    ``NAME`` or ``NAME=VALUE``): the command line, a test file or a
    configuration each say where it was given.
    """
    values: dict[str, float | str] = {n: p.value for n, p in ruleset.params.items()}
    for name, raw in (overrides or {}).items():
        if name not in ruleset.params:
            from kpirules.lang.diagnostics import did_you_mean

            hint = did_you_mean(name, ruleset.params)
            raise OptionError("params", name, f'the ruleset has no parameter "{name}"'
                              + (f" ({hint})" if hint else ""))
        default = ruleset.params[name].value
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            values[name] = float(raw)
        elif isinstance(default, float):
            text = str(raw).strip().replace(",", ".") if isinstance(raw, str) else str(raw)
            try:
                values[name] = float(text[:-1]) / 100 if text.endswith("%") else float(text)
            except ValueError:
                raise OptionError("params", f"{name}={raw}", f'"{name}" is a number') from None
        else:
            values[name] = str(raw)
        counted_by = period_count_params(ruleset).get(name)
        value = values[name]
        if isinstance(value, float) and not math.isfinite(value):
            raise OptionError("params", f"{name}={raw}", f'"{name}" must be a finite number')
        if counted_by and not (isinstance(value, float) and value == int(value)
                               and 1 <= value <= MAX_PERIODS):
            raise OptionError("params", f"{name}={raw}", f'"{name}" is a number of periods in {counted_by}(), '
                              f"so it must be a whole number from 1 to {MAX_PERIODS:,}")
    return values


def period_count_params(ruleset: Ruleset) -> dict[str, str]:
    """Parameters that some function takes as a number of periods → that function.

    The checker holds the values written in the file to a whole number of at
    least 1; a run-time override must be held to the same, or a window of 1.5
    or -1 periods would be silently truncated, or fail deep in Polars.
    """
    registry = ruleset.functions if ruleset.functions is not None else FunctionRegistry()
    expressions: list[ast.Expr] = [k.expr for k in ruleset.kpis.values()]
    for thresholds in ruleset.thresholds.values():
        for threshold in thresholds:
            expressions += [c.value for c in threshold.clauses]
            expressions += [c.recover for c in threshold.clauses if c.recover is not None]
            expressions += [threshold.where] if threshold.where is not None else []
    for decision in ruleset.decisions.values():
        expressions += [b.condition for b in decision.branches if b.condition is not None]
    expressions += [r.condition for r in ruleset.rules.values()]
    expressions += [o.amount_expr for o in ruleset.objectives.values()]
    found: dict[str, str] = {}
    for expression in expressions:
        for node in ast.walk(expression):
            spec = registry.get(node.func) if isinstance(node, ast.Call) else None
            if spec is None or not spec.period_args:
                continue
            arguments = [*enumerate(node.args),
                         *((spec.params.index(k), v) for k, v in node.kwargs if k in spec.params)]
            for index, argument in arguments:
                if index in spec.period_args and isinstance(argument, ast.Name) \
                        and argument.name in ruleset.params:
                    found.setdefault(argument.name, node.func)
    return found


def resolve_period(text: str | None, ruleset: Ruleset, first: int, last: int) -> int:
    if text is None:
        return last
    try:
        index = periods_mod.last_index(periods_mod.as_literal(text), ruleset.grain)
    except periods_mod.PeriodError as err:
        found = _period_as_the_data_writes_it(text, ruleset.grain)
        if found is None:
            raise OptionError("period", text, str(err)) from None
        index = found
    if not first <= index <= last:
        raise OptionError(
            "period", text, "outside the data, which runs from "
            f"{periods_mod.label(first, ruleset.grain)} to {periods_mod.label(last, ruleset.grain)}")
    return index


def _period_as_the_data_writes_it(text: str, grain: str) -> int | None:
    """``period="janv. 2026"``, ``03/2026``, ``Q1 2026``: a period copied from the data, read as
    the data is (a form finer than or equal to the grain), else ``None``."""
    from kpirules.engine.periods import PeriodColumnError, map_periods

    try:
        index = map_periods(pl.Series("period", [str(text)]), grain)[0][0]
    except PeriodColumnError:
        return None
    return None if index is None else int(index)


def evaluate(ruleset: Ruleset, data: Any, *, by: Sequence[str] | str | None = None,
             period: str | None = None, params: Mapping[str, Any] | None = None,
             history: bool = False, period_column: str | None = None,
             on_bad_value: str = "error", functions: FunctionRegistry | None = None,
             date_format: str | None = None) -> Result:
    """Evaluate ``ruleset`` on ``data`` and return the :class:`Result`.

    ``by``: the breakdown (default: every dimension of the data; ``"none"`` or
    ``[]``: only the overall level). ``period``: the as-of period (default: the
    last period of the data). ``history``: report every period up to it.
    ``date_format``: ``DMY``, ``MDY``, ``YMD`` or a strftime pattern such as
    ``%d.%m.%Y``, for dates whose day-or-month order the data does not tell.
    """
    if isinstance(by, str):
        by = [] if by == "none" else [b.strip() for b in by.split(",") if b.strip()]
    if by is not None:
        repeated = sorted({d for d in by if list(by).count(d) > 1})
        if repeated:
            raise OptionError("by", ",".join(by), f"{', '.join(repeated)} given twice")
    values = resolve_params(ruleset, params)
    tables = as_tables(data, period_column)
    try:
        date_format = check_date_format(date_format)
    except ValueError as err:
        raise OptionError("date_format", "", str(err)) from None
    norm = normalise(tables, ruleset, by=by, period_column=period_column, on_bad_value=on_bad_value,
                     date_format=date_format, params=values)
    as_of = resolve_period(period, ruleset, norm.first, norm.last)
    return evaluate_normalised(ruleset, norm, values, as_of, history=history, functions=functions)


def evaluate_normalised(ruleset: Ruleset, norm: Normalised, values: dict[str, float | str], as_of: int, *,
                        history: bool = False, functions: FunctionRegistry | None = None) -> Result:
    """Evaluate an already normalised frame (a scenario edits one before evaluating it)."""
    frame = norm.frame
    compiler = Compiler(ruleset, values, set(frame.columns) | set(ruleset.kpis) | set(ruleset.decisions),
                        functions)
    lazy = frame.lazy()
    if _needs_year(ruleset):
        years = {i: periods_mod.year_of(i, ruleset.grain) for i in range(norm.first, norm.last + 1)}
        lazy = lazy.with_columns(pl.col(P).replace_strict(years, return_dtype=pl.Int32).alias(YEAR))
    for generation in node_generations(ruleset):
        lazy = lazy.with_columns([node_expr(ruleset, compiler, node) for node in generation])
    rule_exprs = []
    for name, rule in ruleset.rules.items():
        cond = compiler.compile(rule.condition).fill_null(False)
        if rule.for_periods > 1:
            n = rule.for_periods
            cond = (cond.cast(pl.Int32).rolling_sum(window_size=n, min_samples=n).over(SEG) == n).fill_null(False)
        if rule.scope == "segments":
            cond = cond & ~pl.col(OVERALL)
        elif rule.scope == "overall":
            cond = cond & pl.col(OVERALL)
        rule_exprs.append(cond.alias(rule_col(name)))
    if rule_exprs:
        lazy = lazy.with_columns(rule_exprs)
        lazy = lazy.with_columns([
            (pl.col(rule_col(n)) & ~pl.col(rule_col(n)).shift(1).over(SEG).fill_null(False))
            .alias(new_col(n)) for n in ruleset.rules])
        lifecycle = streak_exprs(ruleset.rules)
        if lifecycle:
            lazy = lazy.with_columns(lifecycle)
    full = lazy.collect()
    objectives = evaluate_objectives(ruleset, full, norm.dimensions, values, as_of)
    shown = full.filter(pl.col(P) <= as_of) if history else full.filter(pl.col(P) == as_of)
    shown = shown.sort(pl.col(P) * (int(shown.select(pl.col(SEG).max()).item() or 0) + 1) + pl.col(SEG))
    return Result(ruleset=ruleset, frame=shown, dimensions=norm.dimensions, as_of=as_of,
                  history=history, params=values, objectives=objectives, warnings=norm.warnings,
                  bad_values=norm.bad_values, first=norm.first, full=full, unsupplied=norm.unsupplied)


def _needs_year(ruleset: Ruleset) -> bool:
    from kpirules.lang import ast

    exprs = [k.expr for k in ruleset.kpis.values()]
    exprs += [r.condition for r in ruleset.rules.values()]
    for thresholds in ruleset.thresholds.values():
        for t in thresholds:
            exprs += [c.value for c in t.clauses] + ([t.where] if t.where is not None else [])
            exprs += [c.recover for c in t.clauses if c.recover is not None]
    for d in ruleset.decisions.values():
        exprs += [b.condition for b in d.branches if b.condition is not None]
    return any(isinstance(n, ast.Call) and n.func == "ytd" for e in exprs for n in ast.walk(e))


def node_generations(ruleset: Ruleset) -> list[list[Node]]:
    """KPIs, statuses and decisions grouped so each group only needs earlier ones."""
    return ruleset.generations(ruleset.order)


def node_expr(ruleset: Ruleset, compiler: Compiler, node: Node) -> pl.Expr:
    if isinstance(node, NodeId):  # the status of a KPI or metric
        target = node.name
        if has_recovery(ruleset, target):
            return recovery_status_expr(ruleset, compiler, target)
        return _status_expr(ruleset, compiler, target)
    if node in ruleset.kpis:
        expr = compiler.compile(ruleset.kpis[node].expr)
        return expr.alias(node)
    decision = ruleset.decisions[node]
    chain: Any = None
    otherwise: str | None = None
    for branch in decision.branches:
        if branch.condition is None:
            otherwise = branch.label
            continue
        cond = compiler.compile(branch.condition).fill_null(False)
        chain = pl.when(cond).then(pl.lit(branch.label)) if chain is None else \
            chain.when(cond).then(pl.lit(branch.label))
    if chain is None:
        return pl.lit(otherwise, pl.String).alias(node)
    return chain.otherwise(pl.lit(otherwise, pl.String)).alias(node)


def _status_expr(ruleset: Ruleset, compiler: Compiler, target: str) -> pl.Expr:
    value = pl.col(target)
    chain: Any = pl.when(value.is_null()).then(pl.lit("no_data"))
    for threshold in ruleset.thresholds[target]:
        applies = pl.lit(True) if threshold.where is None else \
            compiler.compile(threshold.where).fill_null(False)
        level: Any = None
        for wanted in ("critical", "warning"):
            clauses = [c for c in threshold.clauses if c.level == wanted]
            if not clauses:
                continue
            holds = pl.any_horizontal([_compare(value, c.op, compiler.compile(c.value)).fill_null(False)
                                       for c in clauses])
            level = pl.when(holds).then(pl.lit(wanted)) if level is None else \
                level.when(holds).then(pl.lit(wanted))
        level = pl.lit("ok") if level is None else level.otherwise(pl.lit("ok"))
        chain = chain.when(applies).then(level)
    return chain.otherwise(pl.lit("skipped")).alias(status_col(target))


def _compare(left: pl.Expr, op: str, right: pl.Expr) -> pl.Expr:
    return {
        "<": left.__lt__, "<=": left.__le__, ">": left.__gt__, ">=": left.__ge__,
        "==": left.__eq__, "!=": left.__ne__,
    }[op](right)

