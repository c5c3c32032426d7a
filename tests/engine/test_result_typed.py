"""The typed result: firings, status counts, the as-of view, objectives and structured warnings.

Each is computed with Polars on the result's frame; the tests hold them equal
to what the JSON document says, read the slow way (row by row).
"""

from __future__ import annotations

from typing import Any

import pytest

import kpirules
from kpirules.engine.data_warnings import IGNORED_NUMBERS, UNSUPPLIED_METRIC, DataWarning
from kpirules.engine.result_parts import ObjectiveResult
from kpirules.engine.segment import Segment

RULES = """ruleset shop
dimension channel
metric visits unit count
metric orders unit count
metric refunds unit count missing 0
kpi cr = orders / visits unit percent
threshold cr
  critical < 2%
  warning < 5%
threshold visits
  warning < 100
objective more "More orders"
  cr increase 50% from 2026-01 to 2026-06
rule low when cr < 5% then log(text="low {channel}")
rule tiny "Tiny" when visits < 100 severity critical then log(text="tiny")
"""

# ads: low in 01, 02, (not 03), 04, 05; seo: low in 05 only; tiny: seo in 04 and 05;
# overall (cr 5%, 5%, 9%, 1.4%, 3%): low in 04 and 05
CR = {"ads": [1, 1, 9, 1, 3], "seo": [9, 9, 9, 9, 4]}
VISITS = {"ads": [1000] * 5, "seo": [1000, 1000, 1000, 50, 50]}
ROWS = [{"month": f"2026-0{m + 1}", "channel": ch, "visits": VISITS[ch][m],
         "orders": VISITS[ch][m] * CR[ch][m] / 100, "extra": 1}
        for ch in CR for m in range(5)]


@pytest.fixture(scope="module")
def result() -> Any:
    return kpirules.evaluate(kpirules.loads(RULES, "shop.kpi"), ROWS, history=True)


def _streaks_from_document(doc: dict[str, Any]) -> list[tuple[str, Segment, str, int]]:
    """(rule, segment, since, length) of each firing at the as-of period, walking the rows back."""
    periods = doc["periods"]
    by_segment: dict[Segment, dict[str, dict[str, Any]]] = {}
    for row in doc["rows"]:
        by_segment.setdefault(Segment.of(row["segment"]), {})[row["period"]] = row
    out = []
    for row in doc["rows"]:
        if row["period"] != doc["as_of"]:
            continue
        for rule, fires in row["rules"].items():
            if not fires:
                continue
            at = periods.index(doc["as_of"])
            start = at
            while start > 0 and by_segment[Segment.of(row["segment"])][periods[start - 1]]["rules"][rule]:
                start -= 1
            out.append((rule, Segment.of(row["segment"]), periods[start], at - start + 1))
    return out


def test_firings_are_those_of_the_document_with_their_streaks(result: Any) -> None:
    firings = result.firings()
    assert [(f.rule, f.segment, f.since, f.periods) for f in firings] == \
        _streaks_from_document(result.to_dict())
    assert [(f.rule, dict(f.segment), f.since, f.periods, f.new) for f in firings] == [
        ("low", {}, "2026-04", 2, False),  # overall: 14.5 / 1,050 orders in April, 32 / 1,050 in May
        ("low", {"channel": "ads"}, "2026-04", 2, False),
        ("low", {"channel": "seo"}, "2026-05", 1, True),
        ("tiny", {"channel": "seo"}, "2026-04", 2, False),
    ]


def test_status_counts_are_those_of_the_as_of_rows_in_order_of_appearance(result: Any) -> None:
    doc = result.to_dict()
    expected: dict[str, int] = {}
    for row in doc["rows"]:
        if row["period"] == doc["as_of"]:
            for status in row["status"].values():
                expected[status] = expected.get(status, 0) + 1
    counts = result.status_counts()
    assert counts == expected and list(counts) == list(expected)
    assert counts == {"warning": 4, "ok": 2}  # cr: 3.05%, 3%, 4%; visits: 1,050, 1,000, 50


def test_the_as_of_view_is_the_document_eval_prints(result: Any) -> None:
    doc, only = result.to_dict(), result.as_of_only().to_dict()
    assert only["periods"] == ["2026-05"] and only["history"] is False
    assert only["rows"] == [r for r in doc["rows"] if r["period"] == "2026-05"]
    assert {k: v for k, v in only.items() if k not in ("rows", "periods", "history")} == \
        {k: v for k, v in doc.items() if k not in ("rows", "periods", "history")}


@pytest.mark.parametrize(("fail_on", "code"), [("never", 0), ("warning", 1), ("critical", 1)])
def test_exit_status_follows_statuses_and_rule_severities(result: Any, fail_on: str, code: int) -> None:
    assert result.exit_status(fail_on) == code


def test_exit_status_is_0_when_nothing_reaches_fail_on() -> None:
    calm = [{**row, "orders": row["visits"] * 0.5} for row in ROWS if row["channel"] == "ads"]
    quiet = kpirules.evaluate(kpirules.loads(RULES, "shop.kpi"), calm)
    assert quiet.exit_status("warning") == 0 and quiet.firings() == []


def test_objectives_are_typed_and_written_as_the_document_says(result: Any) -> None:
    overall = result.objectives[0]
    assert isinstance(overall, ObjectiveResult) and overall.segment == Segment.of({})
    assert overall.name == "more" and overall.start == "2026-01" and overall.deadline == "2026-06"
    written = result.to_dict()["objectives"][0]
    assert written == overall.to_dict() and written["from"] == "2026-01"
    assert [o.segment for o in result.objectives] == [Segment.of({}), Segment.of({"channel": "ads"}),
                                                      Segment.of({"channel": "seo"})]


def test_warnings_say_what_and_where_without_being_parsed(result: Any) -> None:
    ignored = [w for w in result.warnings if w.code == IGNORED_NUMBERS]
    assert len(ignored) == 1 and ignored[0].place == "<rows>" and "extra" in ignored[0].message
    (unsupplied,) = [w for w in result.warnings if w.code == UNSUPPLIED_METRIC]
    assert unsupplied.subject == "refunds" and unsupplied.place is None
    assert result.to_dict()["warnings"] == [str(w) for w in result.warnings]
    assert str(DataWarning(IGNORED_NUMBERS, "m", "data.csv")) == "data.csv: m"


def test_ended_streaks_are_the_firings_of_the_period_before_that_stop_now() -> None:
    rules = RULES.replace('rule low when cr < 5% then log(text="low {channel}")',
                          'rule low when cr < 5% then log(text="low {channel}") resolve log(text="ok")')
    # ads: low in 01, 02, not in 03 (ended: since 01, 2 periods)
    result = kpirules.evaluate(kpirules.loads(rules, "shop.kpi"), ROWS, period="2026-03", history=True)
    ended = [(f.rule, dict(f.segment), f.since, f.periods) for f in result.ended_streaks()]
    assert ended == [("low", {"channel": "ads"}, "2026-01", 2)]  # overall: 5% in 01 and 02, not low
    resolve = [(a["rule"], a["segment"]) for a in result.to_dict()["actions"] if a["event"] == "resolve"]
    assert resolve == [(rule, segment) for rule, segment, _since, _n in ended]
    assert kpirules.evaluate(kpirules.loads(RULES, "shop.kpi"), ROWS, period="2026-03").ended_streaks() == []
