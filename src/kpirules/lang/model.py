"""The checked ruleset: what a rule file means, ready for the engine.

A :class:`Ruleset` is built by :mod:`kpirules.lang.checker` only from a rule
file without errors, so every name in it resolves, the dependency graph has
no cycle and every period literal exists.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from attrs import field, frozen

from kpirules.lang import ast
from kpirules.lang.depgraph import DependencyGraph
from kpirules.lang.diagnostics import Diagnostic
from kpirules.lang.nodes import Node

if TYPE_CHECKING:
    import networkx as nx

    from kpirules.lang.functions import FunctionRegistry

ActionValue = str | int | float | bool | None

MAX_PERIODS = 100_000  # windows and "for N periods": more than 270 years of days


class Definition(ast.SharedRepr):
    """What every named definition of a rule file has: a name, a kind, a label, a unit, a place.

    The definitions (:class:`ParamDef`, :class:`DimensionDef`,
    :class:`MetricDef`, :class:`KpiDef`, :class:`DecisionDef`) declare these
    fields themselves; a definition without a label or a unit reads None.
    """

    __slots__ = ()
    kind: ClassVar[Literal["param", "dimension", "metric", "kpi", "decision"]]
    name: str
    label: str | None = None
    unit: str | None = None
    span: ast.Span


@frozen(repr=False)
class ParamDef(Definition):
    kind: ClassVar = "param"
    name: str
    value: float | str
    percent: bool = False
    span: ast.Span = ast.NOWHERE


@frozen(repr=False)
class DimensionDef(Definition):
    kind: ClassVar = "dimension"
    name: str
    label: str | None = None
    span: ast.Span = ast.NOWHERE


@frozen(repr=False)
class MetricDef(Definition):
    """A metric: a column of the data, or (``aggregate`` set) an aggregate of raw rows.

    ``aggregate`` is the call as written (``count_distinct(order_id)``),
    ``where`` its row condition, ``columns`` the data columns both read, in
    order of appearance (language §4.1).
    """

    kind: ClassVar = "metric"
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


@frozen(repr=False)
class KpiDef(Definition):
    kind: ClassVar = "kpi"
    name: str
    expr: ast.Expr
    unit: str | None = None
    better: Literal["higher", "lower"] | None = None
    label: str | None = None
    span: ast.Span = ast.NOWHERE


@frozen(repr=False)
class ThresholdDef(ast.SharedRepr):
    target: str
    where: ast.Expr | None
    clauses: tuple[ast.ThresholdClause, ...]
    span: ast.Span = ast.NOWHERE


@frozen(repr=False)
class DecisionDef(Definition):
    """A decision; its title is its label."""

    kind: ClassVar = "decision"
    name: str
    title: str | None
    branches: tuple[ast.DecisionBranch, ...]
    span: ast.Span = ast.NOWHERE

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.branches]

    @property
    def label(self) -> str | None:  # type: ignore[override]
        return self.title


@frozen(repr=False)
class ObjectiveDef(ast.SharedRepr):
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
    op: str | None = None
    span: ast.Span = ast.NOWHERE


@frozen(repr=False)
class ActionCall(ast.SharedRepr):
    name: str
    args: dict[str, ActionValue]
    span: ast.Span = ast.NOWHERE


@frozen(repr=False)
class RuleDef(ast.SharedRepr):
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


@frozen(repr=False)
class Ruleset(ast.SharedRepr):
    """A checked rule file. ``order`` lists KPIs, statuses and decisions in
    computation order (a status as :func:`~kpirules.lang.nodes.status_node`)."""

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
    order: tuple[Node, ...]
    #: the checker's dependency graph (or a networkx graph); :attr:`graph` gives it in networkx
    _dependencies: DependencyGraph | nx.DiGraph = field(eq=False, repr=False, alias="graph")
    source_path: Path | None = None
    source_text: str | None = field(default=None, eq=False, repr=False)
    warnings: tuple[Diagnostic, ...] = ()
    functions: FunctionRegistry | None = field(default=None, eq=False, repr=False)
    #: ``en`` or ``fr``: the language of reports and of action texts (language §2).
    locale: str = "en"

    def definition(self, name: str) -> Definition | None:
        """The parameter, dimension, metric, KPI or decision called ``name``."""
        for table in (self.metrics, self.kpis, self.params, self.dimensions, self.decisions):
            found = table.get(name)
            if found is not None:
                return found
        return None

    @property
    def graph(self) -> nx.DiGraph:
        """The dependency graph (input → dependent) in networkx, made on first use.

        Importing networkx costs as much start-up as Polars; evaluating needs only
        :meth:`generations`, so ``eval`` never imports it.
        """
        deps = self._dependencies
        return deps.to_networkx() if isinstance(deps, DependencyGraph) else deps

    def generations(self, wanted: Collection[Node]) -> list[list[Node]]:
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
        found = self.definition(name)
        return None if found is None else found.kind

    def unit_of(self, name: str) -> str | None:
        """The unit of a metric or KPI (None for anything else)."""
        found = self.metrics.get(name) or self.kpis.get(name)
        return None if found is None else found.unit
