"""The alert lifecycle in the engine: recovery thresholds and rule streaks.

**Recovery** (language §8): a level with ``recover`` stays in force until its
recovery comparison holds. Per level, the state of a period is known when the
level triggers (in force), when it neither triggers nor continues (not in
force), or when the KPI has no status to judge (``no_data``/``skipped``: not
in force); otherwise it is the state of the period before. That is a forward
fill over the segment of a column that is true, false or null, so the whole
history is computed in one vectorised pass, from the first period of the data,
without a Python loop per segment or per period.

**Streaks** (language §10): a rule's streak starts in a period where it fires
and did not fire in the period before; its *age* is the number of periods
since that start (``renotify every N`` runs again at ages N, 2N…), and a rule
is *resolved* in the first period where it no longer fires.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from kpirules.engine.compile import Compiler, segment_shift
from kpirules.engine.frame_columns import (
    SEG,
    P,
    age_col,
    new_col,
    resolved_col,
    rule_col,
    status_col,
)
from kpirules.lang.model import RuleDef, Ruleset, ThresholdDef

LEVELS = ("critical", "warning")


def has_recovery(ruleset: Ruleset, target: str) -> bool:
    """Whether a threshold of ``target`` has a clause with ``recover``."""
    return any(c.recover is not None for t in ruleset.thresholds[target] for c in t.clauses)


def _compare(left: pl.Expr, op: str, right: pl.Expr) -> pl.Expr:
    return {
        "<": left.__lt__, "<=": left.__le__, ">": left.__gt__, ">=": left.__ge__,
        "==": left.__eq__, "!=": left.__ne__,
    }[op](right)


def _by_threshold(which: pl.Expr, parts: list[pl.Expr]) -> pl.Expr:
    """``parts[i]`` where threshold ``i`` applies, else false."""
    chain: Any = None
    for i, part in enumerate(parts):
        chain = pl.when(which == i).then(part) if chain is None else chain.when(which == i).then(part)
    return pl.lit(False) if chain is None else chain.otherwise(pl.lit(False))


def recovery_status_expr(ruleset: Ruleset, compiler: Compiler, target: str) -> pl.Expr:
    """The status column of ``target`` when some clause has ``recover`` (see module doc)."""
    value = pl.col(target)
    thresholds: list[ThresholdDef] = ruleset.thresholds[target]
    which: Any = None
    for i, threshold in enumerate(thresholds):
        applies = pl.lit(True) if threshold.where is None else \
            compiler.compile(threshold.where).fill_null(False)
        which = pl.when(applies).then(pl.lit(i)) if which is None else which.when(applies).then(pl.lit(i))
    applying = which.otherwise(pl.lit(None, pl.Int64))
    judged = value.is_not_null() & applying.is_not_null()
    in_force: dict[str, pl.Expr] = {}
    for level in LEVELS:
        triggers, continues = [], []
        for threshold in thresholds:
            clauses = [c for c in threshold.clauses if c.level == level]
            triggers.append(pl.any_horizontal(
                [_compare(value, c.op, compiler.compile(c.value)).fill_null(False) for c in clauses])
                if clauses else pl.lit(False))
            held = [~_compare(value, str(c.recover_op), compiler.compile(c.recover)).fill_null(False)
                    for c in clauses if c.recover is not None]
            continues.append(pl.any_horizontal(held) if held else pl.lit(False))
        trigger, cont = _by_threshold(applying, triggers), _by_threshold(applying, continues)
        known = (pl.when(~judged).then(pl.lit(False))
                 .when(trigger).then(pl.lit(True))
                 .when(~cont).then(pl.lit(False))
                 .otherwise(pl.lit(None, pl.Boolean)))
        in_force[level] = known.forward_fill().over(SEG).fill_null(False)
    return (pl.when(value.is_null()).then(pl.lit("no_data"))
            .when(applying.is_null()).then(pl.lit("skipped"))
            .when(in_force["critical"]).then(pl.lit("critical"))
            .when(in_force["warning"]).then(pl.lit("warning"))
            .otherwise(pl.lit("ok"))
            .alias(status_col(target)))


def streak_exprs(rules: dict[str, RuleDef]) -> list[pl.Expr]:
    """Age columns (every rule: reports show how long a firing lasts) and resolution
    columns (the rules that resolve)."""
    out: list[pl.Expr] = []
    for name, rule in rules.items():
        fires = pl.col(rule_col(name))
        # A firing row's streak starts in its own segment (a segment's first row that fires is a
        # start), so filling forward over the whole column finds the same start as over the segment.
        start = pl.when(pl.col(new_col(name))).then(pl.col(P).cast(pl.Int64)) \
            .otherwise(pl.lit(None, pl.Int64)).forward_fill()
        out.append(pl.when(fires).then(pl.col(P).cast(pl.Int64) - start).alias(age_col(name)))
        if rule.resolve_actions:
            out.append((~fires & segment_shift(fires, 1).fill_null(False)).alias(resolved_col(name)))
    return out


def event_of(rule: RuleDef, new: bool, age: int | None) -> str:
    """``fire`` (a new streak, or one that goes on) or ``renotify`` (at ages N, 2N…)."""
    if not new and rule.renotify_every is not None and age and age % rule.renotify_every == 0:
        return "renotify"
    return "fire"
