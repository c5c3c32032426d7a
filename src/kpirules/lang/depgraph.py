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
