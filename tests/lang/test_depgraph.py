"""The checker's dependency graph: cycles found without networkx, the same graph in networkx."""

from __future__ import annotations

from pathlib import Path

import pytest

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


# -- the order and the generations, without networkx (eval never imports it) ---------------

def _rule_files() -> list[Path]:
    root = Path(__file__).resolve().parents[2]
    return sorted([*root.glob("rulesets/*.kpi"), *root.glob("benchmarks/*.kpi"), *root.glob("examples/**/*.kpi")])


@pytest.mark.parametrize("path", _rule_files(), ids=lambda p: p.name)
def test_the_order_and_generations_are_networkx_s(path: Path) -> None:
    import networkx as nx

    from kpirules.lang.loader import check_text

    ruleset, _ = check_text(path.read_text(encoding="utf-8"), str(path))
    assert ruleset is not None
    graph = ruleset.graph
    assert set(ruleset.order) == {n for n in graph if graph.nodes[n].get("kind") in ("kpi", "decision", "status")}
    position = {n: i for i, n in enumerate(ruleset.order)}  # every input before what uses it
    assert all(position[a] < position[b] for a, b in graph.edges if a in position and b in position)
    wanted = set(ruleset.order)
    want = [sorted(g, key=ruleset.order.index) for g in nx.topological_generations(graph.subgraph(wanted))]
    assert ruleset.generations(ruleset.order) == want


def test_lexicographic_order_is_networkx_s_on_random_graphs() -> None:
    import random

    import networkx as nx

    rng = random.Random(11)
    for _ in range(200):
        graph = DependencyGraph()
        names = [f"n{i}" for i in range(rng.randint(1, 30))]
        rng.shuffle(names)
        for i, name in enumerate(names):
            graph.add_node(name)
            for earlier in rng.sample(names[:i], k=min(i, rng.randint(0, 3))):
                graph.add_edge(earlier, name)
        key = {n: f"{rng.randint(0, 5):02d}" for n in names}.__getitem__  # ties happen
        assert graph.lexicographic_order(key) == list(
            nx.lexicographical_topological_sort(graph.to_networkx(), key=key))
        wanted = set(rng.sample(names, k=len(names) // 2))
        mine = [set(g) for g in graph.generations(wanted)]
        theirs = [set(g) for g in nx.topological_generations(graph.to_networkx().subgraph(wanted))]
        assert mine == theirs
