"""``kpirules explain``: how one value was computed, step by step.

For one row (period and segment) it shows the formula as written in the rule
file, the value of each input (recursively down to metrics), the value of each
function call, and why a threshold, decision or rule came out as it did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from kpirules.engine.compile import Compiler
from kpirules.engine.frame_columns import INDEX, SEG, P, age_col, resolved_col, rule_col, status_col
from kpirules.engine.lifecycle import event_of
from kpirules.engine.segment import Segment
from kpirules.engine.templates import plain_value
from kpirules.errors import UsageError
from kpirules.lang import ast
from kpirules.lang import periods as periods_mod
from kpirules.lang.diagnostics import did_you_mean
from kpirules.lang.model import Ruleset

if TYPE_CHECKING:
    from kpirules.engine.result import Result



def source_text(ruleset: Ruleset, expr: ast.Expr) -> str:
    """The expression exactly as written in the rule file (from its span)."""
    span = getattr(expr, "span", None)
    text = ruleset.source_text
    if text is not None and span is not None and span.line and span.end_line:
        lines = text.splitlines()
        if span.line == span.end_line:
            return lines[span.line - 1][span.column - 1: span.end_column - 1]
        parts = [lines[span.line - 1][span.column - 1:]]
        parts += lines[span.line: span.end_line - 1]
        parts.append(lines[span.end_line - 1][: span.end_column - 1])
        return " ".join(p.strip() for p in parts)
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.Number):
        return expr.text or repr(expr.value)
    if isinstance(expr, ast.String):
        return f'"{expr.value}"'
    return "…"


class Explainer:
    def __init__(self, result: Result, row: dict[str, Any], frame: pl.DataFrame) -> None:
        self.result = result
        self.rs = result.ruleset
        self.row = row
        self.frame = frame
        self.lines: list[str] = []
        self.seen: set[str] = set()
        self.compiler = Compiler(self.rs, result.params, set(frame.columns))

    def fmt(self, name: str | None, value: Any) -> str:
        unit = self.rs.unit_of(name) if name else None
        return plain_value(value, unit)

    def eval_sub(self, expr: ast.Expr) -> Any:
        """Value of a sub-expression in this row (computed over the whole frame)."""
        try:
            series = self.frame.select(self.compiler.compile(expr).alias("__v"))["__v"]
        except Exception:
            return None
        if series.len() == 1:
            return series[0]
        return series[self.row[INDEX]]

    def add(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    def name(self, name: str, depth: int) -> None:
        rs = self.rs
        if name in rs.kpis:
            kpi = rs.kpis[name]
            value = self.row.get(name)
            label = f" ({kpi.label})" if kpi.label else ""
            self.add(depth, f"{name}{label} = {source_text(rs, kpi.expr)}")
            self.add(depth + 1, f"= {self.fmt(name, value)}")
            if name in self.seen:
                return
            self.seen.add(name)
            self.inputs(kpi.expr, depth + 1)
        elif name in rs.metrics and rs.metrics[name].aggregate is not None:
            self.add(depth, aggregate_line(rs, name, self.row))
        elif name in rs.metrics:
            metric = rs.metrics[name]
            extra = f", agg {metric.agg}" if metric.agg != "sum" else ""
            missing = f", missing {plain_value(metric.missing, None)}" if metric.missing is not None else ""
            self.add(depth, f"{name} = {self.fmt(name, self.row.get(name))}  (metric{extra}{missing})")
        elif name in rs.params:
            self.add(depth, f"{name} = {plain_value(self.result.params[name], None)}  (parameter)")
        elif name in rs.decisions:
            self.decision(name, depth)
        elif name in rs.dimensions or name in self.row:
            value = self.row.get(name)
            self.add(depth, f"{name} = {'all' if value is None else value}  (dimension)")

    def inputs(self, expr: ast.Expr, depth: int) -> None:
        done: set[str] = set()
        for node in _walk_this_period(expr):
            if isinstance(node, ast.Call):
                text = source_text(self.rs, node)
                if text not in done:
                    done.add(text)
                    self.add(depth, f"{text} = {plain_value(self.eval_sub(node), None)}")
                    self.earlier(node, depth + 1)
            elif isinstance(node, ast.Name) and node.name not in done:
                done.add(node.name)
                self.name(node.name, depth)
            elif isinstance(node, ast.IsStatus) and isinstance(node.operand, ast.Name):
                key = node.operand.name + ":status"
                if key not in done:
                    done.add(key)
                    self.status(node.operand.name, depth)

    def earlier(self, call: ast.Call, depth: int) -> None:
        """The periods a time function read (``previous``, ``change``, ``growth``, ``rolling_*``):
        its argument's value in each, so that the result can be checked by hand."""
        offsets = periods_read(call)
        if not offsets or not call.args:
            return
        arg = call.args[0]
        text = source_text(self.rs, arg)
        values = self.frame.select(self.compiler.compile(arg).alias("__v"))["__v"]
        same_segment = self.frame.select((pl.col(SEG) == self.row[SEG]).alias("s"))["s"]
        periods = self.frame[P]
        for offset in offsets:
            wanted = self.row[P] - offset
            hits = (same_segment & (periods == wanted)).arg_true()
            value = values[int(hits[0])] if hits.len() else None
            label = periods_mod.label(wanted, self.rs.grain)
            unit = self.rs.unit_of(arg.name) if isinstance(arg, ast.Name) else None
            self.add(depth, f"{text} in {label} = {plain_value(value, unit)}"
                     + ("" if hits.len() else "  (before the data)"))

    def status(self, target: str, depth: int) -> None:
        status = self.row.get(status_col(target))
        self.add(depth, f"status of {target} = {status}")
        value = self.row.get(target)
        if status == "no_data":
            self.add(depth + 1, f"{target} has no value in this row")
            return
        for threshold in self.rs.thresholds[target]:
            if threshold.where is not None:
                holds = self.eval_sub(threshold.where)
                self.add(depth + 1, f"where {source_text(self.rs, threshold.where)}: "
                                    f"{'holds' if holds else 'does not hold'}")
                if not holds:
                    continue
            for clause in threshold.clauses:
                limit = self.eval_sub(clause.value)
                cmp = ast.Binary(clause.op, ast.Name(target), clause.value)
                held = self.eval_sub(cmp)
                self.add(depth + 1, f"{clause.level} {clause.op} {source_text(self.rs, clause.value)}"
                                    f" ({self.fmt(target, value)} {clause.op} {self.fmt(target, limit)}): "
                                    f"{'holds' if held else 'does not hold'}")
                if clause.recover is not None:
                    self.recovery(target, clause, depth + 2)
            return
        self.add(depth + 1, "no threshold applies: skipped")

    def recovery(self, target: str, clause: ast.ThresholdClause, depth: int) -> None:
        """The ``recover`` comparison, and the status of the period before that it may hold."""
        assert clause.recover is not None and clause.recover_op is not None
        limit = self.eval_sub(clause.recover)
        held = self.eval_sub(ast.Binary(clause.recover_op, ast.Name(target), clause.recover))
        before = self.frame.filter((pl.col(SEG) == self.row[SEG]) & (pl.col(P) == self.row[P] - 1))
        previous = before[status_col(target)][0] if before.height else None
        self.add(depth, f"recover {clause.recover_op} {source_text(self.rs, clause.recover)} "
                        f"({self.fmt(target, self.row.get(target))} {clause.recover_op} "
                        f"{self.fmt(target, limit)}): {'holds' if held else 'does not hold'}; "
                        f"status in the period before: {previous or 'none (first period)'}")
        self.add(depth, f"{clause.level} stays in force while it was in force the period before "
                        "and its recovery does not hold")

    def decision(self, name: str, depth: int) -> None:
        decision = self.rs.decisions[name]
        value = self.row.get(name)
        self.add(depth, f"{name} = {'null' if value is None else repr(value)}  (decision)")
        for branch in decision.branches:
            if branch.condition is None:
                self.add(depth + 1, f'"{branch.label}" otherwise')
                continue
            holds = self.eval_sub(branch.condition)
            self.add(depth + 1, f'"{branch.label}" when {source_text(self.rs, branch.condition)}: '
                                f"{'holds' if holds else 'null, not met' if holds is None else 'does not hold'}")
            if holds:
                self.inputs(branch.condition, depth + 2)
                break

    def rule(self, name: str, depth: int) -> None:
        rule = self.rs.rules[name]
        fires = self.row.get(rule_col(name))
        self.add(depth, f"rule {name}: {'fires' if fires else 'does not fire'}")
        holds = self.eval_sub(rule.condition)
        self.add(depth + 1, f"when {source_text(self.rs, rule.condition)}: "
                            f"{'holds' if holds else 'does not hold'} in this period")
        if rule.for_periods > 1:
            self.add(depth + 1, f"for {rule.for_periods} periods: the condition must hold in the "
                                f"{rule.for_periods - 1} period(s) before as well")
        if rule.scope != "both":
            self.add(depth + 1, f"scope {rule.scope}")
        age = self.row.get(age_col(name))
        if fires and age is not None:
            start = periods_mod.label(self.row[P] - age, self.rs.grain)
            reminder = (f"; renotify every {rule.renotify_every} periods: "
                        + ("a reminder is due" if event_of(rule, False, age) == "renotify" else "no reminder due")
                        if rule.renotify_every and age else "")
            self.add(depth + 1, f"firing since {start} ({age + 1} period(s)){reminder}")
        elif self.row.get(resolved_col(name)):
            self.add(depth + 1, "it fired in the period before: resolved in this period "
                                "(its resolve actions run)")
        self.inputs(rule.condition, depth + 1)


def aggregate_line(rs: Ruleset, name: str, row: dict[str, Any]) -> str:
    """``orders = count_distinct(order_id) = 1,234 from 5,678 rows``: an aggregate metric and its rows."""
    from kpirules.data.table import rows_column

    metric = rs.metrics[name]
    assert metric.aggregate is not None
    formula = source_text(rs, metric.aggregate)
    if metric.where is not None:
        formula += f" where {source_text(rs, metric.where)}"
    value = row.get(name)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        shown = f"{int(value):,}" + (f" {metric.unit}" if metric.unit and metric.unit.isupper() else "")
    else:
        shown = plain_value(value, metric.unit)
    count = row.get(rows_column(name)) or 0  # null: the cell has no row at all
    return f"{name} = {formula} = {shown} from {count:,} row{'s' if count != 1 else ''}"


def _no_row(frame: pl.DataFrame, index: int, grain: str, segment: dict[str, Any]) -> str:
    """Why no row matches, with the values the data has for the first dimension that has no match."""
    where = Segment.of(segment).assignments(", ")
    message = f"no row for period {periods_mod.label(index, grain)} and segment {where}"
    for dimension, value in segment.items():
        known = sorted(str(v) for v in frame.get_column(dimension).drop_nulls().unique().to_list())
        if value is not None and str(value) not in known:
            hint = did_you_mean(str(value), known)
            shown = ", ".join(known[:10]) + (", …" if len(known) > 10 else "")
            return f"{message}: {dimension} has no value {str(value)!r}" + (
                f" ({hint})" if hint else f" (values: {shown})")
    return message


TIME_FUNCTIONS = ("previous", "change", "growth", "rolling_sum", "rolling_avg", "rolling_min", "rolling_max")


def periods_read(call: ast.Call) -> list[int]:
    """How many periods back a time function reads its argument (0 is this period)."""
    if call.func not in TIME_FUNCTIONS:
        return []
    n_expr = call.args[1] if len(call.args) > 1 else dict(call.kwargs).get("n")
    n = int(n_expr.value) if isinstance(n_expr, ast.Number) else 1
    if call.func == "previous":
        return [n]
    if call.func in ("change", "growth"):
        return [0, n]
    return list(range(n))


def _walk_this_period(expr: ast.Expr) -> list[ast.Expr]:
    """:func:`ast.walk`, without going inside a time function: its argument is shown at the
    periods it was read (:meth:`Explainer.earlier`), not at this one."""
    inside: set[int] = set()
    nodes = []
    for node in ast.walk(expr):
        if id(node) in inside:
            continue
        nodes.append(node)
        if isinstance(node, ast.Call) and node.func in TIME_FUNCTIONS:
            inside.update(id(sub) for sub in ast.walk(node) if sub is not node)
    return nodes


def explain(result: Result, name: str, period: str | None, segment: dict[str, Any]) -> str:
    rs = result.ruleset
    full = result.full if result.full is not None else result.frame
    frame = full.with_row_index(INDEX)
    index = result.as_of if period is None else periods_mod.last_index(periods_mod.as_literal(period), rs.grain)
    rows = frame.filter(pl.col(P) == index)
    for d in result.dimensions:
        value = segment.get(d)
        rows = rows.filter(pl.col(d).is_null() if value is None else pl.col(d) == str(value))
    if not segment:
        rows = rows.filter(pl.col(SEG) == 0)
    if rows.height == 0:
        raise UsageError(_no_row(frame, index, rs.grain, segment))
    row = rows.row(0, named=True)
    ex = Explainer(result, row, frame)
    where = Segment.of(segment).assignments(", ")
    ex.add(0, f"{periods_mod.label(index, rs.grain)}, {where}")
    target = name.removesuffix(":status")
    if name.endswith(":status") or (name in rs.thresholds and name not in rs.kpis and name not in rs.metrics):
        ex.status(target, 1)
    elif name in rs.rules:
        ex.rule(name, 1)
    elif name in rs.kpis or name in rs.metrics or name in rs.decisions or name in rs.params:
        ex.name(name, 1)
        if name in rs.thresholds:
            ex.status(name, 1)
    else:
        from kpirules.lang.diagnostics import did_you_mean

        known = [*rs.kpis, *rs.metrics, *rs.decisions, *rs.rules]
        hint = did_you_mean(name, known)
        raise KeyError(f'"{name}" is not a KPI, metric, decision or rule of {rs.name}'
                       + (f"; {hint}" if hint else ""))
    return "\n".join(ex.lines)
