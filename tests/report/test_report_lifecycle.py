"""Reports show where each firing is in its lifecycle (started, how long, silenced, resolved)."""

from __future__ import annotations

from typing import Any

import pytest

from kpirules.report import BUILTIN_FORMATS, RenderOptions
from kpirules.report.lifecycle import lifecycle_text


@pytest.mark.parametrize(("action", "text"), [
    ({"event": "fire", "since": "2026-01", "periods": 1}, "started in 2026-01"),
    ({"event": "fire", "since": "2026-01", "periods": 3}, "started in 2026-01, firing for 3 periods"),
    ({"event": "renotify", "since": "2026-01", "periods": 3},
     "reminder, started in 2026-01, firing for 3 periods"),
    ({"event": "resolve", "since": None, "periods": None}, "resolved"),
    ({"event": "fire", "since": "2026-02", "periods": 1, "silenced_until": "2026-06"},
     "started in 2026-02, silenced until 2026-06"),
    ({"action": "notify"}, ""),
])
def test_lifecycle_text(action: dict[str, Any], text: str) -> None:
    assert lifecycle_text(action) == text


def test_markdown_and_html_show_the_lifecycle(doc: dict[str, Any]) -> None:
    doc["actions"][0].update(event="fire", since="2026-04", periods=3, new=False,
                             outcome="silenced", silenced_until="2026-09")
    markdown = BUILTIN_FORMATS["markdown"].render(doc, RenderOptions())
    assert "| lifecycle |" in markdown
    assert "started in 2026-04, firing for 3 periods, silenced until 2026-09" in markdown
    html = BUILTIN_FORMATS["html"].render(doc, RenderOptions())
    assert "<th>Lifecycle</th>" in html
    assert "started in 2026-04, firing for 3 periods, silenced until 2026-09" in html


def test_without_lifecycle_information_there_is_no_column(doc: dict[str, Any]) -> None:
    assert "lifecycle" not in BUILTIN_FORMATS["markdown"].render(doc, RenderOptions())
    assert "<th>Lifecycle</th>" not in BUILTIN_FORMATS["html"].render(doc, RenderOptions())


def test_the_table_shows_the_lifecycle(doc: dict[str, Any]) -> None:
    doc["actions"][0].update(event="resolve", since=None, periods=None)
    table = BUILTIN_FORMATS["table"].render(doc, RenderOptions(color=False))
    assert "lifecycle" in table and "resolved" in table
    doc["actions"][0] = {k: v for k, v in doc["actions"][0].items()
                         if k not in ("event", "since", "periods")}
    assert "lifecycle" not in BUILTIN_FORMATS["table"].render(doc, RenderOptions(color=False))
