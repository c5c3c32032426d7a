"""The result of an evaluation, and its JSON document (interfaces §3)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

import polars as pl
from attrs import define, evolve, field

from kpirules.engine.data_warnings import DataWarning
from kpirules.engine.frame_columns import (
    SEG,
    P,
    age_col,
    decision_output,
    new_col,
    resolved_col,
    rule_col,
    rule_output,
    status_col,
    status_output,
)
from kpirules.engine.lifecycle import event_of
from kpirules.engine.result_parts import ObjectiveResult, RuleFiring, json_number
from kpirules.engine.segment import EMPTY_VALUE_LABEL, Segment
from kpirules.engine.templates import ROLLED_UP_LABEL, fill, plain_value
from kpirules.lang import periods as periods_mod
from kpirules.lang.levels import FAIL_ON, SEVERITY_RANK, STATUS_RANK
from kpirules.lang.model import Ruleset

if TYPE_CHECKING:
    from kpirules.engine.why import Why



def _json_column(series: pl.Series) -> list[Any]:
    """A column as JSON-ready Python values (no NaN; whole numbers as ints).

    Decided per column by Polars, not per value in Python: a column whose
    values are all whole (counts, amounts in euros) is written as integers,
    any other keeps its floats.
    """
    return _json_part(series, series)


def _json_part(series: pl.Series, part: pl.Series) -> list[Any]:
    """``part`` (some values of ``series``) written as :func:`_json_column` writes ``series``."""
    if not series.dtype.is_float():
        return part.to_list()
    finite = series.filter(series.is_finite())
    if finite.len() < series.len() - series.null_count():
        return [json_number(v) for v in part.to_list()]
    if finite.len() and bool((finite == finite.floor()).all()) and float(finite.abs().max()) < 2**53:  # type: ignore[arg-type]
        return part.cast(pl.Int64).to_list()
    return part.to_list()


class UnknownNameError(KeyError):
    """A name that is not a metric, KPI or decision of the ruleset; the message suggests the nearest."""

    def __init__(self, name: str, known: list[str]) -> None:
        import difflib

        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        listed = ", ".join(known[:20]) + (", …" if len(known) > 20 else "")
        super().__init__(f'no metric, KPI or decision "{name}" in this ruleset{hint} (names: {listed})')
        self.name = name

    def __str__(self) -> str:
        return str(self.args[0])


@define
class Result:
    """Values, statuses, decisions, rule firings and objectives of one evaluation."""

    ruleset: Ruleset
    frame: pl.DataFrame  # the reported rows, sorted by period then segment (overall first)
    dimensions: list[str]
    as_of: int
    history: bool
    params: dict[str, float | str]
    objectives: list[ObjectiveResult]
    warnings: list[DataWarning] = field(factory=list)  # str(warning): the line users read
    bad_values: int = 0
    first: int = 0
    full: pl.DataFrame | None = None  # every period, for explanations
    unsupplied: list[str] = field(factory=list)  # metrics no column supplies (null or their missing value)

    # ── access ──
    @property
    def as_of_label(self) -> str:
        return periods_mod.label(self.as_of, self.ruleset.grain)

    def _label(self, index: int) -> str:
        return periods_mod.label(index, self.ruleset.grain)

    def _value_names(self) -> list[str]:
        return [*self.ruleset.metrics, *self.ruleset.kpis]

    def to_polars(self) -> pl.DataFrame:
        """One row per (period, segment): period, dimensions, values, statuses, decisions, rules.

        Columns are named as in the CSV output: ``period``, each dimension,
        each metric and KPI, then ``status.X``, ``decision.X`` and ``rule.X``
        (the JSON document's ``status``, ``decisions`` and ``rules`` objects,
        flattened).
        """
        labels = {i: self._label(i) for i in self.frame[P].unique().to_list()}
        cols: list[pl.Expr] = [pl.col(P).replace_strict(labels, return_dtype=pl.String).alias("period")]
        cols += [pl.col(d) for d in self.dimensions]
        cols += [pl.col(n) for n in self._value_names()]
        cols += [pl.col(status_col(n)).alias(status_output(n)) for n in self.ruleset.thresholds]
        cols += [pl.col(n).alias(decision_output(n)) for n in self.ruleset.decisions]
        cols += [pl.col(rule_col(n)).alias(rule_output(n)) for n in self.ruleset.rules]
        return self.frame.select(cols)

    def to_pandas(self) -> Any:
        """:meth:`to_polars` as a pandas DataFrame (needs ``pip install kpirules[pandas]``)."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install 'kpirules[pandas]'") from None
        return self.to_polars().to_pandas()

    def __repr__(self) -> str:
        """A one-line summary for consoles and notebooks (the rows are in ``to_polars()``)."""
        rows = self._rows(self.as_of)
        counts: dict[str, int] = {}
        for name in self.ruleset.thresholds:
            for status in rows[status_col(name)].drop_nulls().to_list():
                counts[status] = counts.get(status, 0) + 1
        firing = sum(int(rows[rule_col(n)].sum()) for n in self.ruleset.rules)
        judged = ", ".join(f"{counts[s]} {s}" for s in ("critical", "warning", "ok") if counts.get(s))
        periods = self.frame[P].n_unique()
        return (f"<Result {self.ruleset.name} as of {self.as_of_label}: {self.frame.height} rows, "
                f"{periods} period{'s' if periods != 1 else ''}, "
                f"{len(self.dimensions)} dimension{'s' if len(self.dimensions) != 1 else ''}"
                + (f"; {judged}" if judged else "") + f"; {firing} rule firing{'s' if firing != 1 else ''}>")

    def _repr_html_(self) -> str:
        """The report's status table of the as-of period, for Jupyter and VS Code notebooks."""
        # The notebook display protocol: the report layer draws, on demand only.
        from kpirules.report.notebook import summary_html

        return summary_html(self)

    def _rows(self, period: int | None = None) -> pl.DataFrame:
        return self.frame if period is None else self.frame.filter(pl.col(P) == period)

    def _find(self, period: str | None, segment: dict[str, Any]) -> dict[str, Any] | None:
        index = self.as_of if period is None else periods_mod.last_index(periods_mod.as_literal(period), self.ruleset.grain)
        source = self.full if self.full is not None else self.frame
        rows = source.filter(pl.col(P) == index)
        if not segment:
            rows = rows.filter(pl.col(SEG) == 0)
        for d in self.dimensions:
            value = segment.get(d)
            rows = rows.filter(pl.col(d).is_null() if value is None else pl.col(d) == str(value))
        unknown = set(segment) - set(self.dimensions)
        if unknown:
            raise KeyError(f"not a dimension of this result: {', '.join(sorted(unknown))}")
        if rows.height == 0:
            return None
        return rows.row(0, named=True)

    def value(self, name: str, period: str | None = None, **segment: Any) -> Any:
        """The value of a metric, KPI or decision in one row (default: overall, as-of).

        An unknown name raises :class:`UnknownNameError` (a ``KeyError``) with a did-you-mean.
        """
        known = [*self.ruleset.metrics, *self.ruleset.kpis, *self.ruleset.decisions]
        if name not in known:
            raise UnknownNameError(name, known)
        row = self._find(period, segment)
        if row is None:
            raise KeyError(f"no row for period {period or self.as_of_label} and segment {segment}")
        return json_number(row[name])

    def status(self, name: str, period: str | None = None, **segment: Any) -> str | None:
        row = self._find(period, segment)
        return None if row is None else row[status_col(name)]

    def explain(self, name: str, period: str | None = None, segment: dict[str, Any] | None = None) -> str:
        from kpirules.engine.explain import explain

        return explain(self, name, period, segment or {})

    def why(self, kpi: str, period: str | None = None, from_period: str | None = None,
            segment: dict[str, Any] | None = None) -> Why:
        """Why ``kpi`` changed from ``from_period`` to ``period``, split among inputs and segments."""
        from kpirules.engine.why import explain_change

        return explain_change(self, kpi, period, from_period, segment)

    # ── judgement ──
    def exit_status(self, fail_on: str = "critical") -> int:
        """1 when, at the as-of period, a status or firing rule is at or above ``fail_on``."""
        limit = FAIL_ON[fail_on]
        failing = [status for status, rank in STATUS_RANK.items() if rank >= limit]
        rules = [rule_col(name) for name, rule in self.ruleset.rules.items()
                 if SEVERITY_RANK[rule.severity] >= limit]
        checks = [pl.col(status_col(name)).is_in(failing).any() for name in self.ruleset.thresholds]
        checks += [pl.col(column).any() for column in rules]
        if not checks:
            return 0
        return int(bool(self._rows(self.as_of).select(pl.any_horizontal(checks)).item()))

    def status_counts(self) -> dict[str, int]:
        """How many rows have each status at the as-of period, over every KPI with thresholds.

        In the order the statuses first appear, row by row (as the JSON
        document lists them).
        """
        columns = [status_col(name) for name in self.ruleset.thresholds]
        rows = self._rows(self.as_of)
        if not columns or rows.height == 0:
            return {}
        counts = (rows.select(pl.concat_list(columns).alias("status")).explode("status")
                  .drop_nulls().group_by("status", maintain_order=True).len())
        return dict(zip(counts["status"].to_list(), counts["len"].to_list(), strict=True))

    def firings(self) -> list[RuleFiring]:
        """The rules firing at the as-of period, row by row (overall first), rules in file order."""
        rows = self._rows(self.as_of).with_row_index("row")
        parts = [rows.filter(pl.col(rule_col(name))).select(
            "row", pl.lit(position, pl.Int64).alias("rule"), SEG, *self.dimensions,
            pl.col(age_col(name)).cast(pl.Int64).alias("age"), pl.col(new_col(name)).alias("new"))
            for position, name in enumerate(self.ruleset.rules)]
        if not parts:
            return []
        names = list(self.ruleset.rules)
        found = pl.concat(parts).sort(["row", "rule"]).with_columns(
            (pl.lit(self.as_of) - pl.col("age")).alias("since"))
        labels = {i: self._label(i) for i in found["since"].unique().to_list()}
        return [RuleFiring(names[row["rule"]], Segment(self.segment_of(row).items()), labels[row["since"]],
                           row["age"] + 1, bool(row["new"]))
                for row in found.iter_rows(named=True)]

    def ended_streaks(self) -> list[RuleFiring]:
        """The streaks that ended at the as-of period, of the rules that resolve (language §10).

        Each is the rule's firing of the period before: the streak a ``resolve``
        action belongs to.
        """
        resolving = [name for name, rule in self.ruleset.rules.items() if rule.resolve_actions]
        source = self.full if self.full is not None else self.frame
        now, before = source.filter(pl.col(P) == self.as_of), source.filter(pl.col(P) == self.as_of - 1)
        out: list[RuleFiring] = []
        for name in resolving:
            ended = now.filter(pl.col(resolved_col(name))).select(SEG).join(
                before.select(SEG, *self.dimensions, pl.col(age_col(name)).cast(pl.Int64).alias("age")),
                on=SEG, how="inner", maintain_order="left")
            out += [RuleFiring(name, Segment(self.segment_of(row).items()),
                               self._label(self.as_of - 1 - row["age"]), row["age"] + 1, False)
                    for row in ended.iter_rows(named=True)]
        return out

    def as_of_only(self) -> Result:
        """This result with only the as-of period's rows (what ``eval`` prints without ``--history``)."""
        return evolve(self, frame=self._rows(self.as_of), history=False)

    def segment_of(self, row: dict[str, Any]) -> dict[str, Any]:
        return {} if row[SEG] == 0 else {d: row[d] for d in self.dimensions}

    def actions(self) -> list[dict[str, Any]]:
        """The actions of the rules firing at the as-of period, rule then segment order."""
        out: list[dict[str, Any]] = []
        rows = self._rows(self.as_of)
        for name, rule in self.ruleset.rules.items():
            col = rule_col(name)
            resolving = pl.col(resolved_col(name)) if rule.resolve_actions else pl.lit(False)
            wanted = rows.filter(pl.col(col) | resolving)
            for row in wanted.iter_rows(named=True):
                age = row.get(age_col(name))
                if row[col]:
                    new = bool(row[new_col(name)])
                    calls, event = rule.actions, event_of(rule, new, age)
                else:
                    calls, event, new = rule.resolve_actions, "resolve", True
                for call in calls:
                    out.append({
                        "rule": name,
                        "title": rule.title,
                        "period": self._label(row[P]),
                        "segment": self.segment_of(row),
                        "severity": rule.severity,
                        "new": new,
                        "event": event,
                        # the streak: its first period and its length so far (reports)
                        "since": None if age is None else self._label(row[P] - age),
                        "periods": None if age is None else age + 1,
                        "action": call.name,
                        "args": {k: (self.fill_template(v, row) if isinstance(v, str) else v)
                                 for k, v in call.args.items()},
                    })
        return out

    def fill_template(self, template: str, row: dict[str, Any]) -> str:
        rs = self.ruleset

        def lookup(key: str) -> str | None:
            if key == "period":
                return self._label(row[P])
            if key in self.dimensions or key in rs.dimensions:
                if row[SEG] == 0 or key not in self.dimensions:
                    return ROLLED_UP_LABEL
                value = row.get(key)
                return EMPTY_VALUE_LABEL if value is None else str(value)
            if key in rs.params:
                return plain_value(self.params[key], None, rs.locale)
            if key in rs.metrics or key in rs.kpis or key in rs.decisions:
                return plain_value(row.get(key), rs.unit_of(key), rs.locale)
            return None

        return fill(template, lookup)

    # ── the JSON document ──
    def to_dict(self) -> dict[str, Any]:
        rs = self.ruleset
        names = self._value_names()
        statuses = list(rs.thresholds)
        decisions = list(rs.decisions)
        rules = list(rs.rules)
        frame = self.frame
        labels = {i: self._label(i) for i in frame[P].unique().to_list()}
        period_col = [labels[i] for i in frame[P].to_list()]
        seg_ids = frame[SEG].to_list()
        dim_cols = {d: frame[d].to_list() for d in self.dimensions}
        value_cols = {n: _json_column(frame[n]) for n in names}
        status_cols = {n: frame[status_col(n)].to_list() for n in statuses}
        decision_cols = {n: frame[n].to_list() for n in decisions}
        rule_cols = {n: frame[rule_col(n)].to_list() for n in rules}
        rows = []
        for i, period in enumerate(period_col):
            rows.append({
                "period": period,
                "segment": {} if seg_ids[i] == 0 else {d: col[i] for d, col in dim_cols.items()},
                "values": {n: col[i] for n, col in value_cols.items()},
                "status": {n: col[i] for n, col in status_cols.items()},
                "decisions": {n: col[i] for n, col in decision_cols.items()},
                "rules": {n: bool(col[i]) for n, col in rule_cols.items()},
            })
        periods = list(dict.fromkeys(period_col))
        objectives = [o.to_dict() for o in self.objectives]
        return {
            "kpirules": 1,
            "ruleset": rs.name,
            "title": rs.title,
            "grain": rs.grain,
            "locale": rs.locale,
            "as_of": self.as_of_label,
            "dimensions": list(self.dimensions),
            "history": self.history,
            "periods": periods,
            "rows": rows,
            "objectives": objectives,
            "actions": self.actions(),
            "definitions": self._definitions(),
            "thresholds": self._threshold_defs(),
            "dimension_defs": {n: {"label": d.label} for n, d in rs.dimensions.items()},
            "decision_defs": {n: {"title": d.title, "labels": d.labels} for n, d in rs.decisions.items()},
            "rule_defs": {n: {"title": r.title, "severity": r.severity, "scope": r.scope,
                              "for_periods": r.for_periods, "renotify_every": r.renotify_every,
                              "resolves": bool(r.resolve_actions)}
                          for n, r in rs.rules.items()},
            "params": {k: json_number(v) for k, v in self.params.items()},
            "bad_values": self.bad_values,
            "warnings": [str(w) for w in self.warnings],
        }

    def _definitions(self) -> dict[str, dict[str, Any]]:
        """Metrics then KPIs, in file order: what every definition has, and a KPI's ``better``."""
        return {d.name: {"kind": d.kind, "label": d.label, "unit": d.unit, "better": getattr(d, "better", None)}
                for d in (*self.ruleset.metrics.values(), *self.ruleset.kpis.values())}

    def _threshold_defs(self) -> dict[str, list[dict[str, Any]]]:
        from kpirules.engine.explain import source_text
        from kpirules.engine.objectives import constant_value

        out: dict[str, list[dict[str, Any]]] = {}
        for target, thresholds in self.ruleset.thresholds.items():
            out[target] = [{
                "where": None if t.where is None else source_text(self.ruleset, t.where),
                "clauses": [{
                    "level": c.level,
                    "op": c.op,
                    "value": json_number(constant_value(c.value, self.params)),
                    "text": f"{c.op} {source_text(self.ruleset, c.value)}",
                } for c in t.clauses],
            } for t in thresholds]
        return out

    # ── what an action receives ──
    def as_of_rows(self, segments: Collection[Segment]) -> dict[Segment, dict[str, Any]]:
        """The as-of period's rows of ``segments``, as the JSON document writes them (``segment``,
        ``values``, ``status``, ``decisions``): what an action's :class:`~kpirules.plugin_api.Firing`
        carries, read from the frame without building the document."""
        rows = self._rows(self.as_of)
        keys = [Segment(self.segment_of(row).items()) for row in rows.select(SEG, *self.dimensions).iter_rows(named=True)]
        wanted = [i for i, key in enumerate(keys) if key in segments]
        rows = rows[wanted]
        columns = {"values": {n: _json_part(self.frame[n], rows[n]) for n in self._value_names()},
                   "status": {n: rows[status_col(n)].to_list() for n in self.ruleset.thresholds},
                   "decisions": {n: rows[n].to_list() for n in self.ruleset.decisions}}
        return {keys[at]: {"segment": dict(keys[at]), **{key: {n: col[i] for n, col in cols.items()}
                                                          for key, cols in columns.items()}}
                for i, at in enumerate(wanted)}
