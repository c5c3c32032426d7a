"""Rule tests can expect lifecycle events: ``{ rule = "…", event = "resolve" }``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kpirules.errors import ExitCode

from .conftest import Run

Write = Callable[..., Path]

RULES = """\
ruleset returns
dimension shop
metric returns unit count
metric orders unit count
kpi rr = returns / orders unit percent better lower
rule high_returns
  when rr > 10%
  scope segments
  then notify(text="{shop}: {rr}")
  renotify every 2 periods
  resolve notify(text="{shop}: back to {rr}")
"""

TESTS = """\
ruleset = "returns.kpi"

[[test]]
name = "a streak is renotified then resolved"
rows = [
  {{ period = "2026-01", shop = "x", returns = 12, orders = 100 }},
  {{ period = "2026-02", shop = "x", returns = 15, orders = 100 }},
  {{ period = "2026-03", shop = "x", returns = 20, orders = 100 }},
  {{ period = "2026-04", shop = "x", returns = 8, orders = 100 }},
]
[[test.expect]]
period = "2026-03"
segment = {{ shop = "x" }}
actions = [{{ rule = "high_returns", event = "{renotify}" }}]
[[test.expect]]
segment = {{ shop = "x" }}
actions = [{{ rule = "high_returns", event = "resolve", args = {{ text = "x: back to 8%" }} }}]
"""


@pytest.mark.slow
def test_expected_events_pass_and_a_wrong_one_fails(tmp_path: Path, write: Write,
                                                    kpirules_test: Run) -> None:
    (tmp_path / "returns.kpi").write_text(RULES, encoding="utf-8")
    assert kpirules_test(str(write(TESTS.format(renotify="renotify"))))[0] == ExitCode.OK
    code, out, _ = kpirules_test(str(write(TESTS.format(renotify="fire"))))
    assert code == ExitCode.FAILED
    assert "any action (rule high_returns, event fire)" in out
    assert "notify (rule high_returns, event renotify" in out


def test_an_unknown_event_is_a_test_file_error(tmp_path: Path, write: Write,
                                               kpirules_test: Run) -> None:
    (tmp_path / "returns.kpi").write_text(RULES, encoding="utf-8")
    code, _, err = kpirules_test(str(write(TESTS.format(renotify="reminder"))))
    assert code == ExitCode.INVALID_INPUT
    assert 'the "event" of an action is fire, renotify or resolve, not \'reminder\'' in err
