"""The ids of the dependency graph's nodes.

A definition (parameter, dimension, metric, KPI, decision) is its own name:
names are unique in a ruleset. What is computed from a definition without
being one — the status its thresholds give, a rule, an objective — is a
:class:`NodeId`, so that it can never be mistaken for a name, whatever the
name holds, and code asks ``node.kind`` instead of decoding a string.
"""

from __future__ import annotations

from typing import Literal

from attrs import frozen

NodeKind = Literal["status", "rule", "objective"]


@frozen(order=True)
class NodeId:
    """The status of ``name``, the rule ``name`` or the objective ``name``."""

    kind: NodeKind
    name: str

    def __str__(self) -> str:
        """The id users see (``kpirules graph``): ``NAME:status``, ``rule:NAME``, ``objective:NAME``."""
        return f"{self.name}:status" if self.kind == "status" else f"{self.kind}:{self.name}"


#: A node of the graph: a definition's name, or what is computed from one.
Node = str | NodeId


def status_node(name: str) -> NodeId:
    return NodeId("status", name)


def rule_node(name: str) -> NodeId:
    return NodeId("rule", name)


def objective_node(name: str) -> NodeId:
    return NodeId("objective", name)


def is_status(node: Node) -> bool:
    return isinstance(node, NodeId) and node.kind == "status"


def name_of(node: Node) -> str:
    """The name a node is about: the definition's, or the status's target, rule or objective."""
    return node.name if isinstance(node, NodeId) else node
