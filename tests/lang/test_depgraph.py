"""The checker's dependency graph: cycles found without networkx, the same graph in networkx."""

from __future__ import annotations

from kpirules.lang.depgraph import DependencyGraph


def graph_of(*edges: tuple[str, str]) -> DependencyGraph:
    graph = DependencyGraph()
    for source, target in edges:
        graph.add_edge(source, target)
    return graph


def test_a_chain_has_no_cycle() -> None:
    assert not graph_of(("visits", "cr"), ("leads", "cr"), ("cr", "cr`status")).has_cycle()


def test_a_node_that_uses_itself_is_a_cycle() -> None:
    assert graph_of(("visits", "cr"), ("cr", "cr")).has_cycle()


def test_a_long_way_round_is_a_cycle() -> None:
    edges = [(f"k{i}", f"k{i + 1}") for i in range(500)]
    assert not graph_of(*edges).has_cycle()
    assert graph_of(*edges, ("k500", "k0")).has_cycle()


def test_the_networkx_graph_has_the_same_nodes_attributes_and_edges_in_order() -> None:
    graph = DependencyGraph()
    graph.add_node("visits", kind="metric", name="visits")
    graph.add_edge("leads", "cr")  # "leads" is used before it is defined
    graph.add_node("leads", kind="metric", name="leads")
    graph.add_edge("visits", "cr")
    graph.add_edge("visits", "cr")  # a repeat is one edge
    graph.add_node("cr", kind="kpi", name="cr")
    nx_graph = graph.to_networkx()
    assert list(nx_graph.nodes(data=True)) == [
        ("visits", {"kind": "metric", "name": "visits"}),
        ("leads", {"kind": "metric", "name": "leads"}),
        ("cr", {"kind": "kpi", "name": "cr"}),
    ]
    assert list(nx_graph.edges) == [("visits", "cr"), ("leads", "cr")]
    assert graph.nodes["cr"] == {"kind": "kpi", "name": "cr"}
    assert graph.to_networkx() is nx_graph  # made once


def test_an_addition_after_the_networkx_graph_is_made_is_not_lost() -> None:
    graph = graph_of(("a", "b"))
    first = graph.to_networkx()
    graph.add_edge("b", "c")
    assert list(graph.to_networkx().edges) == [("a", "b"), ("b", "c")]
    assert list(first.edges) == [("a", "b")]
