"""Hand-picked hostile rule files: each must give diagnostics (or a ruleset), never a crash.

The property tests mutate files at random; these are the inputs they are
unlikely to stumble on: huge numbers, deep nesting, names that look like the
internal names of graph nodes.
"""

from __future__ import annotations

import contextlib

import pytest

import kpirules
from kpirules.errors import RuleFileError
from kpirules.lang.formatter import format_text


def outcome(text: str) -> str:
    """``ok`` or ``error`` (a RuleFileError); anything else propagates and fails the test."""
    try:
        kpirules.loads(text, "hostile.kpi")
    except RuleFileError as err:
        assert all(d.line >= 1 and d.column >= 1 for d in err.diagnostics), err.diagnostics
        return "error"
    return "ok"


@pytest.mark.parametrize("text", [
    "ruleset r\nmetric m\nrule x when m > 1 for 1e400 periods\n",
    "ruleset r\nmetric m\nkpi a = previous(m, 1e400)\n",
    "ruleset r\nparam p = 1e400\nmetric m\nkpi a = rolling_sum(m, p)\n",
], ids=["for", "previous", "param"])
def test_infinite_period_counts_are_errors(text: str) -> None:
    assert outcome(text) == "error"


@pytest.mark.parametrize("text", [
    "ruleset r\nmetric m\nkpi a = " + "(" * 1500 + "m" + ")" * 1500 + "\n",
    "ruleset r\nmetric m\nkpi a = " + " + ".join(["m"] * 1500) + "\n",
    "ruleset r\nmetric m\nkpi a = " + " ^ ".join(["m"] * 1500) + "\n",
    "ruleset r\nmetric m\nkpi a = " + "-" * 1500 + "m\n",
    "ruleset r\nmetric m\nrule x when " + "not " * 1500 + "m > 1\n",
], ids=["parentheses", "sum", "power", "minus", "not"])
def test_deeply_nested_expressions_do_not_crash(text: str) -> None:
    """An analyst's file must never crash the tool: too deep is a diagnostic, not a RecursionError."""
    outcome(text)
    with contextlib.suppress(RuleFileError):
        format_text(text, "hostile.kpi")


def test_moderately_nested_expressions_are_fine() -> None:
    text = "ruleset r\nmetric m\nkpi a = " + " + ".join(["m"] * 150) + " + " + "(" * 150 + "m" + ")" * 150 + "\n"
    assert outcome(text) == "ok"
    formatted = format_text(text)
    assert format_text(formatted) == formatted


def test_a_name_like_a_rule_node_is_not_a_cycle() -> None:
    """Graph nodes of rules are called ``rule:NAME``; a metric may be called that too."""
    assert outcome("ruleset r\nmetric `rule:x`\nrule x when `rule:x` > 1\n") == "ok"


def test_a_name_like_a_status_node_keeps_its_kind() -> None:
    ruleset = kpirules.loads("ruleset r\nmetric `m:status`\nmetric m\nthreshold m\n  warning < 1\n")
    kinds = dict(ruleset.graph.nodes(data="kind"))
    metric_nodes = {node for node, kind in kinds.items() if kind == "metric"}
    assert len(metric_nodes) == 2, kinds


def test_argument_count_message_is_singular_for_one() -> None:
    with pytest.raises(RuleFileError) as info:
        kpirules.loads("ruleset r\nmetric m\nkpi k = min()\n")
    assert [d.message for d in info.value.diagnostics] == ["min() takes at least 1 argument, not 0"]


def test_a_byte_order_mark_is_not_a_syntax_error() -> None:
    """Windows editors save UTF-8 with a BOM; read_source strips it from files, and
    text handed over directly (standard input, the API) should be read the same."""
    assert outcome("\ufeffruleset r\nmetric m\n") == "ok"
