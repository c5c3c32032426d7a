"""A tiny ruleset and helpers to write test files and run ``kpirules test``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from support.cli import CliRun, RunCli

SHOP = """\
ruleset shop "Boutique"
  grain month

param min_visits = 100

dimension channel

metric visits    unit count  missing 0
metric orders    unit count  missing 0
metric spend     unit EUR    missing 0
metric customers unit count  missing 0

kpi conversion = orders / visits  unit percent  better higher
kpi cac        = spend / customers  unit EUR  better lower
kpi unused     = visits * 2  unit count

threshold conversion where visits >= min_visits
  critical < 1%
  warning  < 2%

decision verdict
  "keep" when conversion is ok
  "stop" otherwise

objective more_orders "Commandes +10 %"
  orders increase 10% from 2026-01 to 2026-03

rule low_conversion "Conversion faible"
  when conversion is critical
  for 2 periods
  scope segments
  then notify(text="{channel}: {conversion}")
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """The ``shop`` ruleset written in a temporary folder."""
    path = tmp_path / "shop.kpi"
    path.write_text(SHOP, encoding="utf-8")
    return path


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a test file next to ``shop.kpi`` and return its path."""

    def _write(text: str, name: str = "shop_test.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


Run = Callable[..., CliRun]


@pytest.fixture
def kpirules_test(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``kpirules test ARGS…`` through the real CLI; unpacks as (code, stdout, stderr)."""
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str) -> CliRun:
        return run_cli("test", *args)

    return run
