"""The public API: what ``kpirules`` exports, and the one-way arrows behind it (issue 11)."""

from __future__ import annotations

from pathlib import Path

import attrs
import polars as pl
import pytest

import kpirules
from kpirules.errors import OptionError
from kpirules.lang import model
from kpirules.lang.nodes import NodeId, status_node

RULES = """\
ruleset funnel
param goal = 10%
dimension channel "Channel"
metric visits unit count label "Visits"
metric leads
kpi cr = leads / visits unit percent label "Conversion"
threshold cr
  critical < goal
decision act "Act"
  "stop" when cr is critical
  "keep" otherwise
rule low when cr is critical then log(text="low")
"""
ROWS = [{"period": "2026-01", "channel": "ads", "visits": 100, "leads": 5}]


def test_every_name_of_all_is_exported() -> None:
    for name in kpirules.__all__:
        assert getattr(kpirules, name) is not None, name
    for name in ("load", "loads", "evaluate", "whatif", "Ruleset", "Result", "Diagnostic", "RuleFileError"):
        assert name in kpirules.__all__


def test_the_language_model_has_no_engine_method_and_load_returns_the_facade() -> None:
    assert not hasattr(model.Ruleset, "evaluate")
    assert not hasattr(model.Ruleset, "whatif")
    ruleset = kpirules.loads(RULES)
    assert isinstance(ruleset, kpirules.Ruleset) and isinstance(ruleset, model.Ruleset)
    assert repr(ruleset).startswith("Ruleset(name='funnel'")
    # interfaces §5: the method and the function are the same call
    assert ruleset.evaluate(ROWS).to_dict() == kpirules.evaluate(ruleset, ROWS).to_dict()
    assert kpirules.Ruleset.of(ruleset) is ruleset


def test_whatif_is_a_function_of_the_package() -> None:
    ruleset = kpirules.loads(RULES)
    scenario = kpirules.whatif(ruleset, ROWS, ["leads*=4"])
    assert scenario.before.value("cr") == 0.05
    assert scenario.after.value("cr") == 0.2
    assert scenario.after.status("cr") == "ok"


def test_every_definition_has_a_name_kind_label_unit_and_place() -> None:
    ruleset = kpirules.loads(RULES)
    seen = {}
    for name in ("goal", "channel", "visits", "cr", "act"):
        definition = ruleset.definition(name)
        assert isinstance(definition, model.Definition)
        assert definition.name == name and definition.span.line > 0
        seen[name] = (definition.kind, definition.label, definition.unit)
    assert seen == {
        "goal": ("param", None, None),
        "channel": ("dimension", "Channel", None),
        "visits": ("metric", "Visits", "count"),
        "cr": ("kpi", "Conversion", "percent"),
        "act": ("decision", "Act", None),
    }
    assert ruleset.definition("nothing") is None
    assert ruleset.kind_of("leads") == "metric" and ruleset.unit_of("cr") == "percent"


def test_graph_nodes_of_statuses_rules_and_objectives_are_typed() -> None:
    ruleset = kpirules.loads(RULES)
    assert status_node("cr") in ruleset.order
    assert ruleset.graph.has_edge(status_node("cr"), NodeId("rule", "low"))
    assert ruleset.graph.has_edge(status_node("cr"), "act")
    assert str(status_node("cr")) == "cr:status" and str(NodeId("rule", "low")) == "rule:low"
    # a definition is its own name, whatever it holds
    odd = kpirules.loads("ruleset r\nmetric `cr:status`\nkpi cr = `cr:status` * 2\nthreshold cr\n  critical < 1\n")
    assert odd.graph.nodes["cr:status"]["kind"] == "metric"
    assert odd.graph.nodes[status_node("cr")]["kind"] == "status"
    result = kpirules.evaluate(odd, pl.DataFrame({"period": ["2026-01"], "cr:status": [0.1]}))
    assert result.status("cr") == "critical"


def test_the_facade_shares_the_checked_fields() -> None:
    checked = kpirules.loads(RULES)
    for field in attrs.fields(model.Ruleset):
        assert getattr(checked, field.name) is getattr(kpirules.Ruleset.of(checked), field.name)


@pytest.mark.parametrize(("options", "option", "value"), [
    ({"period": "2030-01"}, "period", "2030-01"),
    ({"params": {"goal": "lots"}}, "params", "goal=lots"),
    ({"params": {"gaol": 1}}, "params", "gaol"),
    ({"by": ["country"]}, "by", "country"),
    ({"by": "channel,channel"}, "by", "channel,channel"),
])
def test_the_engine_names_the_option_and_the_command_line_its_flag(options: dict, option: str,
                                                                   value: str) -> None:
    from kpirules.commands.shared import error_text

    with pytest.raises(OptionError) as info:
        kpirules.evaluate(kpirules.loads(RULES), ROWS, **options)
    err = info.value
    assert (err.option, err.value) == (option, value) and "--" not in str(err)
    flag = {"period": "--period", "params": "--param", "by": "--by"}[option]
    assert error_text(err) == f"{flag} {value}: {err.reason}"


def test_no_engine_module_writes_a_flag_of_the_evaluation() -> None:
    engine = Path(kpirules.__file__).parent / "engine"
    for path in engine.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for flag in ("--param", "--period ", "--by ", "--where", "--set", "--kpi "):
            assert flag not in text, f"{path.name} writes {flag!r}"
