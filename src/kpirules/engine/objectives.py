"""Objectives (language §7): baseline, goal, progress, pacing and status per level."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from kpirules.engine.forecast import projected_status, projected_values
from kpirules.engine.frame_columns import SEG, P
from kpirules.engine.result_parts import ObjectiveResult
from kpirules.engine.segment import Segment
from kpirules.lang import ast
from kpirules.lang import periods as periods_mod
from kpirules.lang.model import ObjectiveDef, Ruleset


def constant_value(expr: ast.Expr, params: Mapping[str, float | str]) -> float | None:
    """The value of a constant expression (numbers, percents, parameters, arithmetic)."""
    if isinstance(expr, ast.Number):
        return expr.value
    if isinstance(expr, ast.Name):
        value = params.get(expr.name)
        return float(value) if isinstance(value, int | float) else None
    if isinstance(expr, ast.Unary) and expr.op == "-":
        inner = constant_value(expr.operand, params)
        return None if inner is None else -inner
    if isinstance(expr, ast.Binary):
        a, b = constant_value(expr.left, params), constant_value(expr.right, params)
        if a is None or b is None:
            return None
        if expr.op == "+":
            return a + b
        if expr.op == "-":
            return a - b
        if expr.op == "*":
            return a * b
        if expr.op == "/":
            return a / b if b else None
        if expr.op == "^":
            try:
                return float(a**b)
            except (OverflowError, ZeroDivisionError):
                return None
    return None


def evaluate_objectives(ruleset: Ruleset, frame: pl.DataFrame, dimensions: list[str],
                        params: Mapping[str, float | str], as_of: int) -> list[ObjectiveResult]:
    """Every objective for the overall level and each segment, in that order."""
    out: list[ObjectiveResult] = []
    if not ruleset.objectives:
        return out
    keys = frame.filter(pl.col(P) == pl.col(P).min()).select(SEG, *dimensions).sort(SEG)
    for objective in ruleset.objectives.values():
        table = _one(objective, frame, keys, params, as_of, ruleset.grain)
        for row in table.iter_rows(named=True):
            segment = Segment(() if row["__overall_row"] else ((d, row[d]) for d in dimensions))
            out.append(ObjectiveResult(
                name=objective.name,
                title=objective.title,
                kpi=objective.target,
                kind=objective.kind,
                segment=segment,
                baseline=row["baseline"],
                goal=row["goal"],
                current=row["current"],
                progress=row["progress"],
                expected_progress=row["expected_progress"],
                start=None if row["start"] is None else periods_mod.label(row["start"], ruleset.grain),
                deadline=objective.deadline_text and periods_mod.label(objective.deadline, ruleset.grain),
                judged_at=periods_mod.label(row["judgement"], ruleset.grain),
                status=row["status"],
                projected=row["projected"],
                projected_status=row["projected_status"],
            ))
    return out


def _one(obj: ObjectiveDef, frame: pl.DataFrame, keys: pl.DataFrame, params: Mapping[str, float | str],
         as_of: int, grain: str) -> pl.DataFrame:
    target = obj.target
    judgement = min(as_of, obj.deadline)
    values = frame.select(SEG, P, pl.col(target).cast(pl.Float64).alias("v"))
    if obj.start is not None:
        starts = keys.select(SEG).with_columns(pl.lit(obj.start, pl.Int64).alias("start"))
    else:
        starts = values.filter(pl.col("v").is_not_null()).group_by(SEG).agg(pl.col(P).min().alias("start"))
        starts = keys.select(SEG).join(starts, on=SEG, how="left")
    table = keys.join(starts, on=SEG, how="left")
    table = table.join(values.rename({P: "start", "v": "baseline"}), on=[SEG, "start"], how="left")
    current = values.filter(pl.col(P) == judgement).select(SEG, pl.col("v").alias("current"))
    table = table.join(current, on=SEG, how="left")
    amount = constant_value(obj.amount_expr, params)
    base = pl.col("baseline")
    if obj.kind == "compare":
        goal = pl.lit(amount, pl.Float64)
    else:
        step = (base.abs() * (amount or 0.0)) if obj.relative else pl.lit(amount, pl.Float64)
        goal = base + step if obj.kind == "increase" else base - step
        if obj.relative:  # a percent of a zero baseline is no goal at all (status no_data)
            goal = pl.when(base != 0).then(goal)
    table = table.with_columns(goal.alias("goal"), pl.lit(judgement, pl.Int64).alias("judgement"))
    span = pl.lit(obj.deadline, pl.Int64) - pl.col("start")
    expected = pl.when(span > 0).then(
        ((pl.col("judgement") - pl.col("start")).cast(pl.Float64) / span).clip(0.0, 1.0)
    ).otherwise(pl.when(pl.col("start").is_not_null()).then(1.0))
    denominator = pl.col("goal") - base
    progress = pl.when(denominator != 0).then((pl.col("current") - base) / denominator)
    cur, g = pl.col("current"), pl.col("goal")
    met = _meets(obj, cur, g)
    table = table.with_columns(expected.alias("expected_progress"), progress.alias("progress"))
    table = table.join(projected_values(values, table.select(SEG, "start"), judgement, obj.deadline),
                       on=SEG, how="left")
    projected = pl.when(g.is_not_null()).then(pl.col("projected"))
    table = table.with_columns(projected.alias("projected"))
    status = (
        pl.when(base.is_null() | cur.is_null() | g.is_null()).then(pl.lit("no_data"))
        .when(met.fill_null(False)).then(pl.lit("achieved"))
        .when(pl.lit(as_of >= obj.deadline)).then(pl.lit("missed"))
        .when(pl.col("progress").fill_null(float("-inf")) >= pl.col("expected_progress")).then(pl.lit("on_track"))
        .otherwise(pl.lit("at_risk"))
    )
    del grain
    return table.with_columns(status.alias("status"), (pl.col(SEG) == 0).alias("__overall_row"),
                              projected_status(_meets(obj, pl.col("projected"), g)).alias("projected_status"),
                              ).sort(SEG)


def _meets(obj: ObjectiveDef, value: pl.Expr, goal: pl.Expr) -> pl.Expr:
    """Whether ``value`` meets the objective's goal (null when either is null)."""
    if obj.kind == "increase":
        return value >= goal
    if obj.kind == "decrease":
        return value <= goal
    return {"<": value < goal, "<=": value <= goal, ">": value > goal, ">=": value >= goal}[obj.op or ">="]
