"""Graph export: every kind of node, deterministic order, escaping of odd names."""

from __future__ import annotations

import json
import re

import pytest

import kpirules
from kpirules.lang.graph_export import export_graph, ordered_nodes, public_id

RULES = """\
ruleset funnel "Funnel"
param min_visits = 100
dimension channel "Channel"
metric visits unit count label "Website sessions"
metric leads unit count
metric spend unit EUR
kpi cr = leads / visits unit percent label "Conversion"
kpi cpl = spend / leads unit EUR
threshold cr where visits >= min_visits
  critical < 10%
decision verdict "Keep or stop"
  "stop" when cr is critical and channel == "paid"
  "keep" otherwise
objective cheaper "Cheaper leads"
  cpl decrease 10% from 2026-01 to 2026-06
rule stop_channel "Stop it"
  when verdict == "stop"
  then log(text="stop {channel}")
"""

ODD = """\
ruleset `odd "names"`
metric `Taux de "rebond"`
metric `a\\b`
metric `<html> & #1`
kpi `x -> y` = `Taux de "rebond"` + `a\\b` + `<html> & #1`
"""


@pytest.fixture(scope="module")
def ruleset():  # type: ignore[no-untyped-def]
    return kpirules.loads(RULES)


def test_nodes_go_from_inputs_to_what_uses_them(ruleset) -> None:  # type: ignore[no-untyped-def]
    assert [public_id(ruleset.graph, n) for n in ordered_nodes(ruleset)] == [
        "min_visits", "channel", "visits", "leads", "spend", "cr", "cpl", "cr:status", "verdict",
        "rule:stop_channel", "objective:cheaper"]


def test_json(ruleset) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(export_graph(ruleset, "json"))
    assert doc["ruleset"] == "funnel"
    nodes = {n["id"]: n for n in doc["nodes"]}
    assert nodes["visits"] == {"id": "visits", "kind": "metric", "label": "visits\nWebsite sessions"}
    assert nodes["cr:status"] == {"id": "cr:status", "kind": "status", "label": "status of cr"}
    assert nodes["rule:stop_channel"]["label"] == "stop_channel\nStop it"
    assert nodes["objective:cheaper"]["kind"] == "objective"
    graph = ruleset.graph
    assert set(map(tuple, doc["edges"])) == {(public_id(graph, a), public_id(graph, b)) for a, b in graph.edges}
    assert len(doc["edges"]) == ruleset.graph.number_of_edges()
    assert ["cr:status", "verdict"] in doc["edges"]
    assert ["min_visits", "cr:status"] in doc["edges"]
    assert ["cpl", "objective:cheaper"] in doc["edges"]


def test_dot(ruleset) -> None:  # type: ignore[no-untyped-def]
    dot = export_graph(ruleset, "dot")
    assert dot.startswith('digraph "funnel" {\n  rankdir=LR;')
    assert dot.endswith("}")
    assert '"visits" [label="visits\\nWebsite sessions", shape=box' in dot
    assert '"verdict" [label="verdict\\nKeep or stop", shape=diamond' in dot
    assert '"rule:stop_channel" -> ' not in dot  # a rule feeds nothing
    assert '"verdict" -> "rule:stop_channel";' in dot
    assert "{ rank=min; " in dot
    assert dot.count(" -> ") == ruleset.graph.number_of_edges()


def test_mermaid(ruleset) -> None:  # type: ignore[no-untyped-def]
    mermaid = export_graph(ruleset, "mermaid")
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart LR"
    node_lines = [ln for ln in lines if ":::" in ln]
    assert len(node_lines) == ruleset.graph.number_of_nodes()
    assert '  n2["visits<br/>Website sessions"]:::metric' in lines
    assert any(ln.startswith("  n8{") and ln.endswith(":::decision") for ln in lines)
    assert sum(" --> " in ln for ln in lines) == ruleset.graph.number_of_edges()
    assert "  classDef objective fill:#ede9fe,stroke:#374151,color:#111827" in lines


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "json"])
def test_output_is_deterministic(fmt: str) -> None:
    outputs = {export_graph(kpirules.loads(RULES), fmt) for _ in range(3)}
    assert len(outputs) == 1


def test_unknown_format(ruleset) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown graph format"):
        export_graph(ruleset, "png")


def test_odd_names_are_escaped() -> None:
    ruleset = kpirules.loads(ODD)
    doc = json.loads(export_graph(ruleset, "json"))
    assert [n["id"] for n in doc["nodes"]] == ['Taux de "rebond"', "a\\b", "<html> & #1", "x -> y"]
    dot = export_graph(ruleset, "dot")
    assert 'digraph "odd \\"names\\"" {' in dot
    assert '"Taux de \\"rebond\\"" -> "x -> y";' in dot
    assert '"a\\\\b" -> "x -> y";' in dot
    mermaid = export_graph(ruleset, "mermaid")
    labels = re.findall(r'\["(.*)"\]', mermaid)
    assert labels[0] == "Taux de #quot;rebond#quot;"
    assert labels[2] == "#lt;html#gt; & #35;1"
    assert all('"' not in label for label in labels)


def test_empty_ruleset() -> None:
    ruleset = kpirules.loads("ruleset nothing\n")
    assert json.loads(export_graph(ruleset, "json")) == {"ruleset": "nothing", "nodes": [], "edges": []}
    assert export_graph(ruleset, "dot").endswith("}")
    assert export_graph(ruleset, "mermaid").startswith("flowchart LR")
