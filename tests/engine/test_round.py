"""``round`` takes halves away from zero as spreadsheets do (language §6), decimals included."""

from __future__ import annotations

import pytest

from .helpers import evaluate


@pytest.mark.parametrize(("x", "digits", "expected"), [
    (1.005, 2, 1.01),      # stored as 1.00499999…: a spreadsheet still shows 1.01
    (0.285, 2, 0.29),
    (2.675, 2, 2.68),
    (-1.005, 2, -1.01),
    (1.45, 1, 1.5),
    (2.5, 0, 3.0),
    (-0.5, 0, -1.0),
    (0.49999, 0, 0.0),
    (1234.5, -2, 1200.0),
    (150.0, -2, 200.0),
    (-250.0, -2, -300.0),
    (123456789.125, 2, 123456789.13),
    (1e-9, 2, 0.0),
])
def test_round_like_a_spreadsheet(x: float, digits: int, expected: float) -> None:
    doc = evaluate(f"metric x\nkpi r = round(x, {digits})\n", [{"period": "2026-01", "x": x}])
    assert doc["rows"][0]["values"]["r"] == pytest.approx(expected, rel=1e-15, abs=1e-15)


def test_round_of_null_is_null() -> None:
    doc = evaluate("metric x\nkpi r = round(x, 2)\n", [{"period": "2026-01", "x": None}])
    assert doc["rows"][0]["values"]["r"] is None
