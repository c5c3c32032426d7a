"""The checked ruleset: what a rule file means, ready for the engine.

A :class:`Ruleset` is built by :mod:`kpirules.lang.checker` only from a rule
file without errors, so every name in it resolves, the dependency graph has
no cycle and every period literal exists.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from attrs import field, frozen

from kpirules.lang import ast
from kpirules.lang.depgraph import DependencyGraph
from kpirules.lang.diagnostics import Diagnostic

if TYPE_CHECKING:
    import networkx as nx

    from kpirules.engine.result import Result
    from kpirules.engine.scenarios import Scenario
    from kpirules.lang.functions import FunctionRegistry

ActionValue = str | int | float | bool | None


@frozen
class ParamDef:
    name: str
    value: float | str
    percent: bool = False
    span: ast.Span = ast.NOWHERE


@frozen
class DimensionDef:
    name: str
    label: str | None = None
    span: ast.Span = ast.NOWHERE


@frozen
class MetricDef:
    """A metric: a column of the data, or (``aggregate`` set) an aggregate of raw rows.

    ``aggregate`` is the call as written (``count_distinct(order_id)``),
    ``where`` its row condition, ``columns`` the data columns both read, in
    order of appearance (language §4.1).
    """

    name: str
    unit: str | None = None
    agg: str = "sum"
    missing: float | None = None
    label: str | None = None
    span: ast.Span = ast.NOWHERE
    aggregate: ast.Call | None = None
    where: ast.Expr | None = None
    columns: tuple[str, ...] = ()

    @property
    def is_aggregate(self) -> bool:
        return self.aggregate is not None


@frozen
class KpiDef:
    name: str
    expr: ast.Expr
    unit: str | None = None
    better: Literal["higher", "lower"] | None = None
    label: str | None = None
    span: ast.Span = ast.NOWHERE


@frozen
class ThresholdDef:
    target: str
    where: ast.Expr | None
    clauses: tuple[ast.ThresholdClause, ...]
    span: ast.Span = ast.NOWHERE


@frozen
class DecisionDef:
    name: str
    title: str | None
    branches: tuple[ast.DecisionBranch, ...]
    span: ast.Span = ast.NOWHERE

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.branches]


@frozen
class ObjectiveDef:
    """An objective with its periods resolved to indices at the ruleset's grain.

    ``amount`` is the constant after ``increase``/``decrease`` (a fraction when
    ``relative``) or the comparison value; ``amount_expr`` keeps it as written
    so that ``--param`` overrides still apply.
    """

    name: str
    title: str | None
    target: str
    kind: Literal["increase", "decrease", "compare"]
    amount_expr: ast.Expr
    relative: bool
    deadline: int
    deadline_text: str
    start: int | None
    start_text: str | None
    op: str | None = None
    span: ast.Span = ast.NOWHERE


@frozen
class ActionCall:
    name: str
    args: dict[str, ActionValue]
    span: ast.Span = ast.NOWHERE


@frozen
class RuleDef:
    name: str
    title: str | None
    condition: ast.Expr
    for_periods: int = 1
    scope: Literal["both", "segments", "overall"] = "both"
    severity: Literal["info", "warning", "critical"] = "warning"
    actions: tuple[ActionCall, ...] = ()
    span: ast.Span = ast.NOWHERE
    renotify_every: int | None = None  # run ``actions`` again every N periods of a streak
    resolve_actions: tuple[ActionCall, ...] = ()  # run when the rule stops firing


@frozen
class Ruleset:
    """A checked rule file. ``order`` lists KPIs, statuses and decisions in
    computation order (statuses as ``NAME`status``, see checker.status_node)."""

    name: str
    title: str | None
    grain: str
    params: dict[str, ParamDef]
    dimensions: dict[str, DimensionDef]
    metrics: dict[str, MetricDef]
    kpis: dict[str, KpiDef]
    thresholds: dict[str, list[ThresholdDef]]
    decisions: dict[str, DecisionDef]
    objectives: dict[str, ObjectiveDef]
    rules: dict[str, RuleDef]
    order: tuple[str, ...]
    #: the checker's dependency graph (or a networkx graph); :attr:`graph` gives it in networkx
    _dependencies: DependencyGraph | nx.DiGraph = field(eq=False, repr=False, alias="graph")
    source_path: Path | None = None
    source_text: str | None = field(default=None, eq=False, repr=False)
    warnings: tuple[Diagnostic, ...] = ()
    functions: FunctionRegistry | None = field(default=None, eq=False, repr=False)
    #: ``en`` or ``fr``: the language of reports and of action texts (language §2).
    locale: str = "en"

    @property
    def graph(self) -> nx.DiGraph:
        """The dependency graph (input → dependent) in networkx, made on first use.

        Importing networkx costs as much start-up as Polars; evaluating needs only
        :meth:`generations`, so ``eval`` never imports it.
        """
        deps = self._dependencies
        return deps.to_networkx() if isinstance(deps, DependencyGraph) else deps

    def generations(self, wanted: Collection[str]) -> list[list[str]]:
        """The ``wanted`` nodes in groups, each needing only earlier groups, in the file's order."""
        deps = self._dependencies
        if isinstance(deps, DependencyGraph):
            groups = deps.generations(wanted)
        else:
            import networkx as nx

            groups = [list(g) for g in nx.topological_generations(deps.subgraph(set(wanted)))]
        return [sorted(g, key=self.order.index) for g in groups]

    def kind_of(self, name: str) -> str | None:
        """``metric``, ``kpi``, ``param``, ``dimension`` or ``decision``."""
        for kind, table in (
            ("metric", self.metrics),
            ("kpi", self.kpis),
            ("param", self.params),
            ("dimension", self.dimensions),
            ("decision", self.decisions),
        ):
            if name in table:
                return kind
        return None

    def unit_of(self, name: str) -> str | None:
        if name in self.metrics:
            return self.metrics[name].unit
        if name in self.kpis:
            return self.kpis[name].unit
        return None

    def evaluate(self, data: Any, **options: Any) -> Result:
        """Evaluate this ruleset on ``data``; see :func:`kpirules.engine.evaluate`."""
        from kpirules.engine.evaluate import evaluate

        return evaluate(self, data, **options)

    def whatif(self, data: Any, edits: Any, *, where: dict[str, Any] | None = None,
               all_periods: bool = False, **options: Any) -> Scenario:
        """Evaluate ``data``, apply ``edits`` (``["spend*=1.2"]``) and compare; see
        :func:`kpirules.engine.scenarios.whatif`."""
        from kpirules.engine.scenarios import whatif

        return whatif(self, data, edits, where=where, all_periods=all_periods, **options)
