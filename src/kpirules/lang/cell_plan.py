"""How a push-down computes the aggregate metrics of every cell cheaply (language §4.1).

Computing ``COUNT(DISTINCT …)`` over ``GROUPING SETS`` of the raw rows makes
the database sort every value of every row once per distinct count and per
level: on a million order lines most of the query's time. Both push-downs (the
``sql`` connector and the Spark plugin) therefore split the metrics the same
way, described here once without any SQL:

* **additive** metrics (``count``, ``count(e)``, ``sum``, ``avg``, ``min``,
  ``max``) are computed once per finest cell (period × every dimension) and
  then combined into the coarser levels (a sum of sums, a minimum of minima;
  ``avg`` as a sum and a count), so that the raw rows are grouped only once;
* **distinct** metrics (``count_distinct``, ``count_new``,
  ``count_returning``) are grouped by the expression they count: the raw rows
  are first de-duplicated to one row per finest cell and value, carrying one
  flag per ``where`` ("some row of this value in this cell passes it"), then
  de-duplicated per level, and each metric counts the rows whose flag is set.
  ``count_new`` and ``count_returning`` compare each value's first period
  (over the whole data, honouring the ``where``) with the cell's period on the
  de-duplicated rows, never with a window over the raw rows;
* **holistic** metrics (``median``, ``first``, ``last``), which do not combine
  from smaller cells, are grouped from the raw rows by level (the Spark plugin
  computes them; the ``sql`` push-down reads raw rows instead).

Wheres are numbered once (metrics sharing a condition share its flag), so is
each counted expression (metrics counting the same column share one
de-duplication).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kpirules.lang.row_translate import aggregate_parts

ADDITIVE = frozenset({"count", "sum", "avg", "min", "max"})
DISTINCT = frozenset({"count_distinct", "count_new", "count_returning"})
HOLISTIC = frozenset({"median", "first", "last"})


@dataclass
class DistinctGroup:
    """The distinct metrics counting one expression: one de-duplication serves them all."""

    index: int
    argument: Any  # the counted row expression (syntax tree)
    wheres: list[int] = field(default_factory=list)  # the flags carried (indexes into CellPlan.wheres)
    metrics: dict[str, tuple[str, int]] = field(default_factory=dict)  # name → (aggregate, where index)

    def first_period_wheres(self) -> list[int]:
        """The wheres whose first period per value ``count_new``/``count_returning`` need."""
        return list(dict.fromkeys(w for func, w in self.metrics.values() if func != "count_distinct"))


@dataclass
class CellPlan:
    """The metrics of one table split as the module says."""

    wheres: list[Any | None] = field(default_factory=list)  # syntax trees; None: every row
    where_of: dict[str, int] = field(default_factory=dict)  # every metric → its where's index
    additive: dict[str, tuple[str, Any | None]] = field(default_factory=dict)  # name → (aggregate, argument)
    distinct: list[DistinctGroup] = field(default_factory=list)
    holistic: dict[str, tuple[str, Any]] = field(default_factory=dict)  # name → (aggregate, argument)


def cell_plan(metrics: Mapping[str, Any]) -> CellPlan:
    """Split aggregate metrics (``MetricDef`` with ``aggregate``) into the three kinds."""
    plan = CellPlan()
    where_keys: dict[str, int] = {}
    groups: dict[str, DistinctGroup] = {}
    for name, metric in metrics.items():
        func, argument, where = aggregate_parts(metric)
        key = repr(where)  # syntax trees print without their positions: equal text, equal condition
        if key not in where_keys:
            where_keys[key] = len(plan.wheres)
            plan.wheres.append(where)
        w = plan.where_of[name] = where_keys[key]
        if func in DISTINCT:
            group = groups.get(repr(argument))
            if group is None:
                group = groups[repr(argument)] = DistinctGroup(len(groups), argument)
                plan.distinct.append(group)
            if w not in group.wheres:
                group.wheres.append(w)
            group.metrics[name] = (func, w)
        elif func in HOLISTIC:
            plan.holistic[name] = (func, argument)
        else:
            plan.additive[name] = (func, argument)
    return plan
