"""Tables with different dimensions, joined (interfaces §4, language §11).

Web analytics per channel beside monthly spend from finance is the common
case: the spend must count once in the overall level, never once per
channel, and no segment may appear that no table defines.
"""

from __future__ import annotations

from typing import Any

import polars as pl

import kpirules
from kpirules.data.table import RawTable

RULES = """\
ruleset joined
metric visits
metric leads
metric spend unit EUR
kpi cpl = spend / leads unit EUR
"""

WEB = [
    {"period": "2026-01", "channel": "a", "visits": 10, "leads": 1},
    {"period": "2026-01", "channel": "b", "visits": 20, "leads": 3},
    {"period": "2026-02", "channel": "a", "visits": 10, "leads": 1},
]
SPEND = [
    {"period": "2026-01", "spend": 100.0},
    {"period": "2026-03", "spend": 50.0},
]


def run(*tables: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    raw = [RawTable(pl.DataFrame(rows), source=f"table{i}") for i, rows in enumerate(tables, 1)]
    return kpirules.loads(RULES, "j.kpi").evaluate(raw, history=True, **options).to_dict()


def rows_of(doc: dict[str, Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    return {(r["period"], r["segment"].get("channel", "overall")): r["values"] for r in doc["rows"]}


def test_a_table_without_the_dimension_counts_once_in_the_overall_level() -> None:
    rows = rows_of(run(WEB, SPEND))
    assert rows[("2026-01", "overall")]["spend"] == 100.0
    assert rows[("2026-01", "overall")]["cpl"] == 25.0  # 100 / 4 leads
    assert rows[("2026-03", "overall")]["spend"] == 50.0


def test_it_shows_the_period_value_on_each_segment_and_creates_no_segment() -> None:
    doc = run(WEB, SPEND)
    rows = rows_of(doc)
    assert {channel for _, channel in rows} == {"overall", "a", "b"}
    assert rows[("2026-01", "a")]["spend"] == rows[("2026-01", "b")]["spend"] == 100.0
    assert rows[("2026-03", "a")]["spend"] is None  # no channel row that month: nothing to show it on
    assert any("table2: no channel column" in w and "spend" in w for w in doc["warnings"])


def test_the_order_of_the_tables_does_not_matter() -> None:
    assert rows_of(run(WEB, SPEND)) == rows_of(run(SPEND, WEB))


def test_tables_with_the_same_dimensions_join_segment_by_segment() -> None:
    spend = [{"period": "2026-01", "channel": "a", "spend": 30.0},
             {"period": "2026-01", "channel": "c", "spend": 5.0}]
    doc = run(WEB, spend)
    rows = rows_of(doc)
    assert rows[("2026-01", "a")]["spend"] == 30.0
    assert rows[("2026-01", "b")]["spend"] is None
    assert rows[("2026-01", "c")]["visits"] is None  # a segment only the spend table knows
    assert rows[("2026-01", "overall")]["spend"] == 35.0
    assert rows[("2026-01", "overall")]["visits"] == 30
    assert not any("no channel column" in w for w in doc["warnings"])


def test_by_none_gives_the_overall_level_of_each_table() -> None:
    rows = rows_of(run(WEB, SPEND, by=[]))
    assert set(rows) == {("2026-01", "overall"), ("2026-02", "overall"), ("2026-03", "overall")}
    assert rows[("2026-01", "overall")]["spend"] == 100.0
