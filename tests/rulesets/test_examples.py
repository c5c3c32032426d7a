"""The sample exports: deterministic, complete, and telling the stories of the library."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import kpirules

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"
RULESETS = sorted((ROOT / "rulesets").glob("*.kpi"))


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kpirules_examples_generate",
                                                  ROOT / "examples" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_generator_is_deterministic_and_the_committed_files_are_its_output(tmp_path: Path) -> None:
    generate = _generator().generate
    first = {p.name: p.read_bytes() for p in generate(tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in generate(tmp_path / "b")}
    assert first == second
    committed = {name: (DATA / name).read_bytes() for name in first}
    assert committed == first, "examples/data is stale: run python examples/generate.py"


def _headers() -> set[str]:
    columns: set[str] = set()
    for path in DATA.glob("*.csv"):
        encoding = "cp1252" if path.name.endswith("_fr.csv") else "utf-8"
        with path.open(encoding=encoding, newline="") as handle:
            sep = ";" if path.name.endswith("_fr.csv") else ","
            columns.update(next(csv.reader(handle, delimiter=sep)))
    return columns


@pytest.mark.slow
def test_every_metric_of_the_library_is_in_the_sample_data() -> None:
    columns = _headers()
    for path in RULESETS:
        metrics = kpirules.load(path).metrics.values()
        # a column metric is a column; an aggregate reads columns of the raw export
        needed = {c for m in metrics for c in (m.columns if m.aggregate is not None else (m.name,))}
        missing = needed - columns
        assert not missing, f"{path.name}: no sample column for {sorted(missing)}"


def _orders_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kpirules_examples_generate_orders",
                                                  ROOT / "examples" / "generate_orders.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_raw_order_export_is_the_generator_output(tmp_path: Path) -> None:
    written = _orders_generator().generate(tmp_path)
    assert [p.name for p in written] == ["orders.csv"]
    assert written[0].read_bytes() == (DATA / "orders.csv").read_bytes(), \
        "examples/data/orders.csv is stale: run python examples/generate_orders.py"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore")
def test_the_marketplace_returns_climb_and_fire_from_october_2026() -> None:
    doc = _evaluate("orders", DATA / "orders.csv", by=["channel"], history=True)
    fired = sorted({r["period"] for r in doc["rows"] if r["rules"]["refunds_spike"]})
    assert fired and fired[0] >= "2026-10"
    assert {r["segment"]["channel"] for r in doc["rows"] if r["rules"]["refunds_spike"]} == {"marketplace"}
    overall = [r for r in doc["rows"] if r["segment"] == {}]
    assert 3000 <= sum(r["values"]["orders"] for r in overall) <= 4000
    # buyers come back: the first month has only new buyers, then more and more bought before
    rates = [r["values"]["repeat_rate"] for r in overall]
    assert rates[0] == 0 and all(0.3 <= rate <= 0.8 for rate in rates[6:])
    assert all(r["values"]["refunds"] > 0 for r in overall[1:])


def test_the_sample_covers_24_months() -> None:
    with (DATA / "marketing.csv").open(encoding="utf-8", newline="") as handle:
        months = sorted({row["month"] for row in csv.DictReader(handle)})
    assert months[0] == "2025-01" and months[-1] == "2026-12" and len(months) == 24


def _close(got: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Same keys, nulls at the same places, numbers equal up to float rounding."""
    return got.keys() == expected.keys() and all(
        (got[k] is None) == (expected[k] is None)
        and (expected[k] is None or got[k] == pytest.approx(expected[k], rel=1e-12))
        for k in expected)


def _evaluate(name: str, data: Path, **options: Any) -> dict[str, Any]:
    return kpirules.load(ROOT / "rulesets" / f"{name}.kpi").evaluate(str(data), **options).to_dict()


def _row(doc: dict[str, Any], **segment: str) -> dict[str, Any]:
    return next(r for r in doc["rows"] if r["segment"] == segment and r["period"] == doc["as_of"])


def _objectives(doc: dict[str, Any]) -> dict[str, str]:
    return {o["name"]: o["status"] for o in doc["objectives"] if o["segment"] == {}}


@pytest.mark.filterwarnings("ignore")
def test_display_stops_paying_off() -> None:
    doc = _evaluate("revenue", DATA / "marketing.csv", by=["channel"])
    display = _row(doc, channel="Display")
    assert display["values"]["marketing_roi"] < 0
    assert display["decisions"]["verdict"] == "stop"
    assert display["rules"]["stop_channel"] is True
    assert [a["segment"] for a in doc["actions"] if a["rule"] == "stop_channel"] == [
        {"channel": "Display"}]
    assert _row(doc, channel="Google Ads")["decisions"]["verdict"] == "keep"
    acquisition = _evaluate("acquisition", DATA / "marketing.csv", by=["channel"])
    assert _row(acquisition, channel="Display")["rules"] == {
        "cac_too_high": True, "acquisition_stop": True, "cost_per_conversion_jump": False}


@pytest.mark.filterwarnings("ignore")
def test_objectives_on_track_and_at_risk() -> None:
    october = _evaluate("revenue", DATA / "marketing.csv", by=[], period="2026-10")
    assert _objectives(october) == {"ecommerce_sales": "achieved", "basket_size_up": "on_track",
                                    "aov_up": "at_risk"}
    assert _objectives(_evaluate("acquisition", DATA / "marketing.csv", by=[],
                                 period="2026-10")) == {"cac_down": "on_track"}
    # December is cac_down's deadline: not met there, it is missed (language §7), no longer at risk
    assert _objectives(_evaluate("acquisition", DATA / "marketing.csv", by=[])) == {
        "cac_down": "missed"}
    december = _evaluate("revenue", DATA / "marketing.csv", by=[])
    assert _objectives(december)["ecommerce_sales"] == "achieved"


@pytest.mark.filterwarnings("ignore")
def test_august_dips() -> None:
    doc = _evaluate("funnel", DATA / "marketing.csv", by=[], history=True)
    traffic = {r["period"]: r["values"]["traffic"] for r in doc["rows"]}
    for year in ("2025", "2026"):
        assert traffic[f"{year}-08"] < 0.8 * traffic[f"{year}-07"]


@pytest.mark.filterwarnings("ignore")
def test_the_french_export_reads_as_the_same_table() -> None:
    english = _evaluate("acquisition", DATA / "marketing.csv", history=True)["rows"]
    french = _evaluate("acquisition", DATA / "marketing_fr.csv", history=True)["rows"]
    assert len(english) == len(french)
    for en, fr in zip(english, french, strict=True):
        assert (fr["period"], fr["segment"]) == (en["period"], en["segment"])
        assert _close(fr["values"], en["values"])
        assert (fr["status"], fr["decisions"], fr["rules"]) == (
            en["status"], en["decisions"], en["rules"])


@pytest.mark.filterwarnings("ignore")
def test_the_daily_web_export_rolls_up_to_the_monthly_figures() -> None:
    monthly = _evaluate("web", DATA / "marketing.csv", by=["channel"], history=True)
    daily = _evaluate("web", DATA / "web_daily.csv", by=["channel"], history=True)
    months = {"2026-10", "2026-11", "2026-12"}

    def values(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r["period"], r["segment"].get("channel", "")): r["values"]
                for r in doc["rows"] if r["period"] in months}

    by_month = values(monthly)
    for key, got in values(daily).items():
        assert _close(got, by_month[key]), key
