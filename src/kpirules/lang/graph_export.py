"""The dependency graph of a ruleset as Graphviz DOT, Mermaid or JSON.

``kpirules graph`` shows how values flow: metrics (and parameters,
dimensions) feed KPIs, which feed threshold statuses, decisions, rules and
objectives. The checker already built that graph (``Ruleset.graph``, edges
input → dependent); this module only presents it. Nodes are listed by kind in
that order, then in file order, so the output is the same on every run and
diffs well in a repository.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Literal

import networkx as nx

from kpirules.lang.model import Ruleset
from kpirules.lang.nodes import Node, name_of

GraphFormat = Literal["dot", "mermaid", "json"]

# Presentation order: inputs first, then what is computed from them.
KIND_ORDER = ("param", "dimension", "metric", "kpi", "status", "decision", "rule", "objective")
INPUT_KINDS = ("param", "dimension", "metric")

# kind -> (dot shape, fill colour)
DOT_STYLE = {
    "param": ("note", "#f3f4f6"),
    "dimension": ("tab", "#f3f4f6"),
    "metric": ("box", "#dbeafe"),
    "kpi": ("ellipse", "#dcfce7"),
    "status": ("hexagon", "#fef9c3"),
    "decision": ("diamond", "#ffedd5"),
    "rule": ("octagon", "#fee2e2"),
    "objective": ("doublecircle", "#ede9fe"),
}
UNKNOWN_STYLE = ("box", "#ffffff")

# kind -> (opening, closing) of the Mermaid node shape
MERMAID_SHAPE = {
    "param": ('[/"', '"/]'),
    "dimension": ('[["', '"]]'),
    "metric": ('["', '"]'),
    "kpi": ('(["', '"])'),
    "status": ('{{"', '"}}'),
    "decision": ('{"', '"}'),
    "rule": ('>"', '"]'),
    "objective": ('(("', '"))'),
}


def export_graph(ruleset: Ruleset, fmt: GraphFormat | str = "dot") -> str:
    """The dependency graph of ``ruleset`` in ``fmt`` (``dot``, ``mermaid`` or ``json``)."""
    exporters: dict[str, Callable[[Ruleset], str]] = {
        "dot": to_dot,
        "mermaid": to_mermaid,
        "json": to_json,
    }
    if fmt not in exporters:
        raise ValueError(f"unknown graph format {fmt!r}; use dot, mermaid or json")
    return exporters[fmt](ruleset)


# ───────────────────────── order and labels ─────────────────────────


def node_kind(graph: nx.DiGraph, node: Node) -> str:
    return str(graph.nodes[node].get("kind", "unknown"))


def ordered_nodes(ruleset: Ruleset) -> list[Node]:
    """Every node: by kind (inputs → KPIs → statuses → decisions → rules → objectives),
    then in file order (the order the checker added them), unknown kinds last by name."""
    graph = ruleset.graph
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    insertion = {node: i for i, node in enumerate(graph.nodes)}
    return sorted(graph.nodes, key=lambda n: (rank.get(node_kind(graph, n), len(rank)),
                                              insertion[n] if node_kind(graph, n) in rank else 0,
                                              str(n)))


def ordered_edges(ruleset: Ruleset, order: list[Node]) -> list[tuple[Node, Node]]:
    """Every edge (input, dependent), sorted by the position of both ends."""
    position = {node: i for i, node in enumerate(order)}
    adjacency = nx.to_dict_of_lists(ruleset.graph)
    edges = [(src, dst) for src, targets in adjacency.items() for dst in targets]
    return sorted(edges, key=lambda e: (position[e[0]], position[e[1]]))


def node_label(ruleset: Ruleset, node: Node) -> str:
    """The text shown for a node: its name, plus its label or title when it has one."""
    kind = node_kind(ruleset.graph, node)
    extra: str | None = None
    name = name_of(node)
    if kind == "metric" and name in ruleset.metrics:
        metric = ruleset.metrics[name]
        extra = metric.label
        if metric.aggregate is not None:  # from raw rows: the columns it reads
            reads = "from rows: " + (", ".join(metric.columns) or "count()")
            extra = reads if not extra else f"{extra}\n{reads}"
    elif kind == "kpi" and name in ruleset.kpis:
        extra = ruleset.kpis[name].label
    elif kind == "dimension" and name in ruleset.dimensions:
        extra = ruleset.dimensions[name].label
    elif kind == "decision" and name in ruleset.decisions:
        extra = ruleset.decisions[name].title
    elif kind == "status":
        return f"status of {name}"
    elif kind == "rule":
        rule = ruleset.rules.get(name)
        extra = rule.title if rule is not None else None
    elif kind == "objective":
        objective = ruleset.objectives.get(name)
        extra = objective.title if objective is not None else None
    return name if not extra else f"{name}\n{extra}"


# ───────────────────────── DOT ─────────────────────────


def public_id(graph: nx.DiGraph, node: Node) -> str:
    """The id users see: ``NAME:status``, ``rule:NAME``, ``objective:NAME`` or the name."""
    return str(node)


def _dot_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(ruleset: Ruleset) -> str:
    """Graphviz: left to right, inputs on the first rank, a shape and a colour per kind."""
    order = ordered_nodes(ruleset)
    graph = ruleset.graph
    out = [
        f"digraph {_dot_quote(ruleset.name)} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", style=filled];',
        '  edge [color="#6b7280"];',
    ]
    current_kind = None
    for node in order:
        kind = node_kind(graph, node)
        if kind != current_kind:
            out.append(f"  // {kind}")
            current_kind = kind
        shape, colour = DOT_STYLE.get(kind, UNKNOWN_STYLE)
        out.append(f"  {_dot_quote(public_id(graph, node))} [label={_dot_quote(node_label(ruleset, node))}, "
                   f'shape={shape}, fillcolor="{colour}"];')
    inputs = [n for n in order if node_kind(graph, n) in INPUT_KINDS]
    if inputs:
        out.append("  { rank=min; " + " ".join(f"{_dot_quote(public_id(graph, n))};" for n in inputs) + " }")
    for src, dst in ordered_edges(ruleset, order):
        out.append(f"  {_dot_quote(public_id(graph, src))} -> {_dot_quote(public_id(graph, dst))};")
    out.append("}")
    return "\n".join(out)


# ───────────────────────── Mermaid ─────────────────────────


def _mermaid_text(text: str) -> str:
    """Label text inside Mermaid quotes: entities for what Mermaid would read as syntax."""
    out = text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return out.replace("\n", "<br/>")


def to_mermaid(ruleset: Ruleset) -> str:
    """A Mermaid flowchart; node ids are generated (``n0``…) since names may hold any character."""
    order = ordered_nodes(ruleset)
    graph = ruleset.graph
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    out = ["flowchart LR"]
    for node in order:
        kind = node_kind(graph, node)
        opening, closing = MERMAID_SHAPE.get(kind, ('["', '"]'))
        label = _mermaid_text(node_label(ruleset, node))
        out.append(f"  {ids[node]}{opening}{label}{closing}:::{_css_class(kind)}")
    for src, dst in ordered_edges(ruleset, order):
        out.append(f"  {ids[src]} --> {ids[dst]}")
    for kind in KIND_ORDER:
        _, colour = DOT_STYLE[kind]
        out.append(f"  classDef {kind} fill:{colour},stroke:#374151,color:#111827")
    out.append("  classDef unknown fill:#ffffff,stroke:#374151")
    return "\n".join(out)


def _css_class(kind: str) -> str:
    return kind if kind in DOT_STYLE else "unknown"


# ───────────────────────── JSON ─────────────────────────


def to_json(ruleset: Ruleset) -> str:
    """``{"ruleset", "nodes": [{"id", "kind", "label"}], "edges": [[input, dependent]]}``,
    one node or edge per line so that it reads and diffs well."""
    order = ordered_nodes(ruleset)
    graph = ruleset.graph

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    nodes = [dump({"id": public_id(graph, n), "kind": node_kind(graph, n), "label": node_label(ruleset, n),
                   **_columns(ruleset, n)})
             for n in order]
    edges = [dump([public_id(graph, src), public_id(graph, dst)]) for src, dst in ordered_edges(ruleset, order)]
    return "\n".join([
        "{",
        f'  "ruleset": {dump(ruleset.name)},',
        '  "nodes": [' + _json_items(nodes) + "],",
        '  "edges": [' + _json_items(edges) + "]",
        "}",
    ])


def _columns(ruleset: Ruleset, node: Node) -> dict[str, list[str]]:
    """``{"columns": [...]}`` for an aggregate metric (the data columns it reads), else nothing."""
    metric = ruleset.metrics.get(node) if isinstance(node, str) else None
    if metric is None or metric.aggregate is None or node_kind(ruleset.graph, node) != "metric":
        return {}
    return {"columns": list(metric.columns)}


def _json_items(items: list[str]) -> str:
    if not items:
        return ""
    return "\n    " + ",\n    ".join(items) + "\n  "
