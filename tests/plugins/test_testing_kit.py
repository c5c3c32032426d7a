"""kpirules.testing: the fixtures and helpers plugin authors test with (pytest11 plugin)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kpirules.testing import assert_cheap_import, make_firing, source_context


@pytest.mark.slow
def test_the_http_fixture_receives_what_the_webhook_action_sends(kpirules_registry, kpirules_http) -> None:
    webhook = kpirules_registry().actions["webhook"]
    webhook.deliver(make_firing(args={"text": "CAC en hausse"}), {"url": kpirules_http.url()})
    (body,) = kpirules_http.delivered
    assert body["text"] == "CAC en hausse" and body["segment"] == {"channel": "ads"}


def test_the_smtp_fixture_receives_what_the_email_action_sends(kpirules_registry, kpirules_smtp) -> None:
    email = kpirules_registry().actions["email"]
    email.deliver(make_firing(), {"host": kpirules_smtp.host, "port": kpirules_smtp.port,
                                  "from": "kpi@example.org", "to": "team@example.org"})
    (message,) = kpirules_smtp.messages
    assert message["to"] == ["team@example.org"] and "conversion 4" in message["data"]


def test_kpirules_eval_and_cli_fixtures(kpirules_eval, kpirules_cli, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    rules = "ruleset t\nmetric visits\nmetric leads\nkpi cr = leads / visits unit percent\n"
    result = kpirules_eval(rules, [{"month": "2026-01", "visits": 200, "leads": 10}])
    assert result.value("cr") == pytest.approx(0.05)
    (tmp_path / "r.kpi").write_text(rules.replace("leads / visits", "leads / visitz"))
    checked = kpirules_cli("check", str(tmp_path / "r.kpi"))
    assert checked.code == 2 and 'did you mean "visits"' in checked.err


def test_source_context_and_firing_take_overrides(tmp_path: Path) -> None:
    ctx = source_context(base_dir=tmp_path, dimensions=("pays",))
    assert ctx.resolve("x.csv") == tmp_path / "x.csv" and ctx.dimensions == ("pays",)
    assert make_firing(severity="warning").text.startswith("ads: conversion")
    assert make_firing(args={}).text == "[critical] funnel: Conversion faible (channel=ads, 2026-06)"


@pytest.mark.slow
def test_assert_cheap_import_catches_a_heavy_module_level_import(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "heavy_plugin_mod.py").write_text("import polars\n")
    (tmp_path / "light_plugin_mod.py").write_text("def read():\n    import polars\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert_cheap_import("light_plugin_mod")
    with pytest.raises(AssertionError, match="loads polars"):
        assert_cheap_import("heavy_plugin_mod")
    assert "heavy_plugin_mod" not in sys.modules  # checked in a fresh interpreter
