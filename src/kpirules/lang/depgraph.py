"""The dependency graph as the checker records it, and the networkx graph made from it.

The checker adds nodes and edges as it walks the file; networkx orders the
KPIs, names cycles and exports the graph. Importing networkx costs a quarter
of a second, as long as parsing and checking a 1,000-line file, and
``kpirules check`` of a valid file needs neither an order nor a cycle's name:
only to know that there is no cycle. So the checker records into plain
dictionaries, the standard library's :mod:`graphlib` answers "is there a
cycle?", and the networkx graph is made, by replaying the same additions in
the same order, only when a cycle must be named or a ruleset is built.
"""

from __future__ import annotations

import graphlib
import heapq
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from kpirules.lang.nodes import Node

if TYPE_CHECKING:
    import networkx as nx


class DependencyGraph:
    """Nodes (with attributes) and edges (input → dependent), in the order they were added."""

    def __init__(self) -> None:
        self.nodes: dict[Node, dict[str, Any]] = {}
        self._inputs: dict[Node, dict[Node, None]] = {}  # node → its inputs, ordered, without repeats
        self._additions: list[tuple[str, Any, Any]] = []
        self._networkx: nx.DiGraph | None = None

    def add_node(self, node: Node, **attributes: Any) -> None:
        self.nodes.setdefault(node, {}).update(attributes)
        self._inputs.setdefault(node, {})
        self._additions.append(("node", node, attributes))
        self._networkx = None

    def add_edge(self, source: Node, target: Node) -> None:
        for node in (source, target):
            if node not in self.nodes:
                self.nodes[node] = {}
                self._inputs[node] = {}
        self._inputs[target][source] = None
        self._additions.append(("edge", source, target))
        self._networkx = None

    def has_cycle(self) -> bool:
        """Whether some node depends on itself, through any number of edges."""
        try:
            graphlib.TopologicalSorter(self._inputs).prepare()
        except graphlib.CycleError:
            return True
        return False

    def lexicographic_order(self, key: Callable[[Node], str]) -> list[Node]:
        """Every node, inputs first, the smallest ``key`` first among the nodes ready.

        What ``networkx.lexicographical_topological_sort`` gives (ties broken by
        the order nodes were added), without importing networkx: ``eval`` needs
        the order, and networkx costs as much start-up as Polars.
        """
        position = {node: i for i, node in enumerate(self.nodes)}
        waiting = {node: len(inputs) for node, inputs in self._inputs.items()}
        dependents: dict[Node, list[Node]] = {node: [] for node in self.nodes}
        for node, inputs in self._inputs.items():
            for source in inputs:
                dependents[source].append(node)
        ready = [(key(n), position[n], n) for n, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        order: list[Node] = []
        while ready:
            _, _, node = heapq.heappop(ready)
            order.append(node)
            for dependent in dependents[node]:
                waiting[dependent] -= 1
                if waiting[dependent] == 0:
                    heapq.heappush(ready, (key(dependent), position[dependent], dependent))
        return order

    def generations(self, wanted: Collection[Node]) -> list[list[Node]]:
        """The ``wanted`` nodes in groups, each depending only on earlier groups (within ``wanted``)."""
        chosen = set(wanted)
        inputs = {n: [i for i in self._inputs.get(n, {}) if i in chosen] for n in self.nodes if n in chosen}
        done: set[Node] = set()
        groups: list[list[Node]] = []
        left = [n for n in self.nodes if n in chosen]
        while left:
            group = [n for n in left if all(i in done for i in inputs[n])]
            if not group:
                raise ValueError("the dependency graph has a cycle")
            groups.append(group)
            done.update(group)
            left = [n for n in left if n not in done]
        return groups

    def to_networkx(self) -> nx.DiGraph:
        """The same graph in networkx, nodes and edges added in the same order (made once)."""
        if self._networkx is None:
            import networkx as nx

            graph = nx.DiGraph()
            for kind, first, second in self._additions:
                if kind == "node":
                    graph.add_node(first, **second)
                else:
                    graph.add_edge(first, second)
            self._networkx = graph
        return self._networkx
