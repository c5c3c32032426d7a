"""Aggregate metrics in the language (language §4.1): parse, check, format, graph.

Inside an aggregate and its ``where`` condition a name is a column (or a
parameter); metrics computed by the ruleset, KPIs, decisions, time functions
and status tests are errors there, and the kinds of the row expression are
checked as anywhere else.
"""

from __future__ import annotations

import json

import pytest

from kpirules.lang.formatter import format_text
from kpirules.lang.graph_export import export_graph
from kpirules.lang.loader import check_text

HEADER = """ruleset shop
param min_qty = 1
param kind = "paid"
dimension channel
metric spend unit EUR
"""


def errors(body: str) -> list[tuple[int, int, str, str]]:
    _, diags = check_text(HEADER + body, "t.kpi")
    return [(d.line, d.column, d.code, d.message) for d in diags if d.severity == "error"]


def test_aggregates_with_where_and_parameters_check_and_record_their_columns() -> None:
    ruleset, diags = check_text(HEADER + """
metric orders  = count_distinct(order_id)                              unit count
metric lines   = count()
metric revenue = sum(quantity * `unit price`) where quantity >= min_qty and channel == kind unit EUR missing 0
metric buyers  = count_new(customer) where status != "test" label "Nouveaux acheteurs"
kpi aov = revenue / orders
""", "t.kpi")
    assert [d.message for d in diags if d.severity == "error"] == []
    assert ruleset is not None
    revenue = ruleset.metrics["revenue"]
    assert revenue.aggregate is not None and revenue.aggregate.func == "sum"
    assert revenue.columns == ("quantity", "unit price", "channel")  # min_qty and kind are parameters
    assert revenue.missing == 0 and revenue.unit == "EUR"
    assert ruleset.metrics["lines"].columns == ()
    assert ruleset.metrics["buyers"].label == "Nouveaux acheteurs"
    assert ruleset.metrics["spend"].aggregate is None
    assert ruleset.graph.has_edge("min_qty", "revenue")  # a parameter feeds the metric


@pytest.mark.parametrize(("body", "code", "needle"), [
    ("metric a = sum(x) agg avg", "bad-option", '"agg" is not allowed on metric "a"'),
    ("metric a = total(x)", "unknown-aggregate", 'unknown aggregate "total"'),
    ("metric a = count_distinct()", "bad-argument-count", "count_distinct() takes 1 argument, not 0"),
    ("metric a = count(x, y)", "bad-argument-count", "count() takes 0 or 1 arguments, not 2"),
    ("metric a = sum(x)\nkpi k = a * 2\nmetric b = sum(k)", "not-a-column", 'but "k" is a KPI'),
    ("metric a = sum(previous(x))", "not-a-row-function", "previous() works on periods and segments"),
    ("metric a = sum(overall(x))", "not-a-row-function", "overall() works on periods and segments"),
    ("metric a = sum(sum(x))", "nested-aggregate", "an aggregate cannot hold another aggregate"),
    ("metric a = sum(x) where 3", "type-mismatch", "must be true or false"),
    ("metric a = sum(x) where kind", "type-mismatch", 'must be true or false, but parameter "kind" is a string'),
    ('metric a = sum("x")', "type-mismatch", "the argument of sum() must be a number"),
    ("metric a = sum(channel)", "type-mismatch", 'dimension "channel" is a string'),
    ('metric a = count(x) where x + "a" > 1', "type-mismatch", '"+" works on numbers'),
    ("metric a = sum(x) where x is ok", "not-a-column", "a status test has no meaning on one row"),
])
def test_row_expression_mistakes_are_located_errors(body: str, code: str, needle: str | None) -> None:
    found = errors(body)
    assert [c for _, _, c, _ in found] == [code], found
    line, column, _, message = found[0]
    assert line >= 6 and column >= 1
    if needle:
        assert needle in message


def test_a_decision_inside_a_row_expression_is_an_error_at_its_position() -> None:
    found = errors('decision d\n  "a" otherwise\nmetric a = count() where d == "a"')
    assert found == [(8, 26, "not-a-column",
                      'the "where" condition of metric "a" reads columns of the data, but "d" is a decision')]


def test_a_metric_name_is_read_as_its_column() -> None:
    # "metric quantity = sum(quantity)": the column of the same name, no cycle, no error
    assert errors("metric quantity = sum(quantity)\nmetric big = count() where spend > 10") == []


def test_a_column_differing_from_a_metric_only_by_case_or_accents_warns() -> None:
    _, diags = check_text(HEADER + "metric `dépense` = sum(Depense)", "t.kpi")
    warnings = [d for d in diags if d.code == "column-like-metric"]
    assert len(warnings) == 1 and 'metric "dépense"' in warnings[0].message


def test_aggregate_names_are_not_functions_of_kpis() -> None:
    found = errors("metric a = count()\nkpi k = count_distinct(a)")
    assert [c for _, _, c, _ in found] == ["unknown-function"]


def test_formatter_aligns_and_round_trips_aggregates() -> None:
    text = HEADER + ("metric orders=count_distinct( order_id )  unit count\n"
                     "metric revenue = sum(quantity*(unit_price - discount)) where quantity>0 and not refunded unit EUR\n")
    once = format_text(text, "t.kpi")
    assert "metric orders  = count_distinct(order_id)" in once
    assert "= sum(quantity * (unit_price - discount)) where quantity > 0 and not refunded  unit EUR" in once
    assert format_text(once, "t.kpi") == once


def test_graph_shows_the_columns_an_aggregate_reads() -> None:
    ruleset, _ = check_text(HEADER + "metric revenue = sum(q * price) where q > 0\nmetric n = count()", "t.kpi")
    assert ruleset is not None
    doc = json.loads(export_graph(ruleset, "json"))
    nodes = {n["id"]: n for n in doc["nodes"]}
    assert nodes["revenue"]["columns"] == ["q", "price"]
    assert nodes["revenue"]["label"] == "revenue\nfrom rows: q, price"
    assert nodes["n"]["columns"] == []
    assert "columns" not in nodes["spend"]
    assert "from rows: q, price" in export_graph(ruleset, "dot")
