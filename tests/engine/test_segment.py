"""One Segment value: keyed, compared and written the same way everywhere."""

from __future__ import annotations

import json

from kpirules.alerting.outbox import segment_key
from kpirules.engine.segment import Segment
from kpirules.report.view import segment_label


def test_a_segment_is_the_same_whatever_the_order_of_its_dimensions() -> None:
    one = Segment.of({"channel": "paid", "country": "FR"})
    other = Segment.of({"country": "FR", "channel": "paid"})
    assert one == other and hash(one) == hash(other)
    assert len({one, other}) == 1
    assert one.key() == other.key() == '{"channel": "paid", "country": "FR"}'
    assert one != Segment.of({"channel": "paid"})


def test_the_state_store_key_is_json_with_sorted_keys_and_accents_as_written() -> None:
    segment = {"pays": "Côte d'Ivoire", "canal": None}
    assert segment_key(segment) == json.dumps(segment, sort_keys=True, ensure_ascii=False)
    assert segment_key({}) == "{}" and Segment.of(None).overall


def test_a_segment_is_a_read_only_mapping_in_breakdown_order() -> None:
    segment = Segment.of({"b": "2", "a": "1"})
    assert list(segment) == ["b", "a"] and dict(segment) == {"b": "2", "a": "1"}
    assert segment["a"] == "1" and segment.get("c") is None


def test_the_ways_a_segment_is_written() -> None:
    segment = Segment.of({"channel": "paid", "country": None})
    assert segment.assignments() == "channel=paid,country=None"
    assert segment.assignments(", ") == "channel=paid, country=None"
    assert Segment.of({}).assignments() == "overall"
    assert segment.label() == "paid / (empty)"
    assert segment.label(["country", "channel"]) == "(empty) / paid"
    assert Segment.of({}).label() == "(overall)"
    assert segment_label({"channel": None}) == "(empty)"
