"""A segment whose dimension value is empty in the data is "(empty)", never "all".

"all" is the word for a dimension rolled up at a level (language §10): an
alert "Stop all: …" about one blank-channel segment would read as being about
every channel, and in CSV that segment would look like the overall row.
"""

from __future__ import annotations

from typing import Any

import pytest

import kpirules
from kpirules.report.base import RenderOptions
from kpirules.report.csvfmt import render_csv
from kpirules.report.view import segment_label

RULES = """\
ruleset nd
dimension channel
metric visits
rule busy when visits > 0 then log(text="{channel}: {visits} visits")
"""
ROWS = [
    {"period": "2026-01", "channel": "paid", "visits": 10},
    {"period": "2026-01", "channel": None, "visits": 20},
]


def document() -> dict[str, Any]:
    return kpirules.loads(RULES, "nd.kpi").evaluate(ROWS).to_dict()


@pytest.mark.slow
def test_action_texts_say_empty_for_the_segment_and_all_for_the_overall_level() -> None:
    texts = {tuple(a["segment"].items()): a["args"]["text"] for a in document()["actions"]}
    assert texts[(("channel", None),)] == "(empty): 20 visits"
    assert texts[(("channel", "paid"),)] == "paid: 10 visits"
    assert texts[()] == "all: 30 visits"


def test_reports_name_the_segment_empty() -> None:
    assert segment_label({"channel": None}, ["channel"]) == "(empty)"
    assert segment_label({}, ["channel"]) == "(overall)"


def test_csv_tells_the_empty_segment_from_the_overall_row() -> None:
    lines = render_csv(document(), RenderOptions()).splitlines()
    assert lines[0].startswith("period,channel,visits")
    assert lines[1].startswith("2026-01,,30,")  # the overall row
    assert "2026-01,(empty),20," in "\n".join(lines[2:])
