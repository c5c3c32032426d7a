"""Sample evaluation documents, written by hand as the engine would write them.

Imported by the fixtures of ``conftest.py`` and, for the variants a test
needs, by the tests themselves.

The formats only ever see the JSON document (interfaces §3 plus the keys of
docs/internals.md), so these fixtures are the whole world of the report tests:
a French-labelled funnel with accents, nulls, ``no_data`` and ``skipped``
statuses, decisions, firing rules, objectives and actions.
"""

from __future__ import annotations

import copy
from typing import Any

CHANNELS = ["display", "paid", "Réseaux sociaux", "seo"]
PERIODS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]

DEFINITIONS: dict[str, dict[str, Any]] = {
    "visits": {"kind": "metric", "label": "Website sessions", "unit": "count", "better": None},
    "leads": {"kind": "metric", "label": None, "unit": "count", "better": None},
    "customers": {"kind": "metric", "label": "New customers", "unit": "count", "better": None},
    "revenue": {"kind": "metric", "label": "Chiffre d'affaires", "unit": "EUR", "better": None},
    "spend": {"kind": "metric", "label": "Dépenses marketing", "unit": "EUR", "better": None},
    "session_time": {"kind": "metric", "label": None, "unit": "seconds", "better": None},
    "conversion_rate": {
        "kind": "kpi",
        "label": "Taux de conversion",
        "unit": "percent",
        "better": "higher",
    },
    "cac": {"kind": "kpi", "label": "Coût d'acquisition client", "unit": "EUR", "better": "lower"},
    "roi": {"kind": "kpi", "label": "ROI", "unit": "percent", "better": "higher"},
    "revenue_per_visit": {"kind": "kpi", "label": None, "unit": "ratio", "better": "higher"},
}

# Per channel: visits, leads, customers, revenue, spend at the first period;
# each later period multiplies volumes by a channel-specific drift.
BASE = {
    "display": (5000, 60, 2, 1500.0, 9000.0, 0.93),
    "paid": (20000, 1500, 30, 450000.0, 120000.0, 1.05),
    "Réseaux sociaux": (8000, 2500, 12, 60000.0, 30000.0, 1.08),
    "seo": (40, 12, 0, 0.0, 0.0, 1.0),  # too little volume: skipped, no customers: no_data
}


def _metrics(channel: str, index: int) -> dict[str, Any]:
    visits, leads, customers, revenue, spend, drift = BASE[channel]
    f = drift**index
    return {
        "visits": round(visits * f),
        "leads": round(leads * f),
        "customers": round(customers * f),
        "revenue": round(revenue * f, 2),
        "spend": round(spend * f, 2),
        "session_time": 95.5 if channel != "seo" else None,
    }


def _kpis(m: dict[str, Any]) -> dict[str, Any]:
    def div(a: Any, b: Any) -> Any:
        return None if a is None or not b else a / b

    spend = m["spend"]
    return {
        "conversion_rate": div(m["leads"], m["visits"]),
        "cac": div(spend, m["customers"]),
        "roi": div(m["revenue"] - spend, spend) if spend else None,
        "revenue_per_visit": div(m["revenue"], m["visits"]),
    }


def _status_conversion(values: dict[str, Any]) -> str:
    rate = values["conversion_rate"]
    if rate is None:
        return "no_data"
    if values["visits"] < 100:
        return "skipped"
    return "critical" if rate < 0.10 else "warning" if rate < 0.30 else "ok"


def _status_cac(values: dict[str, Any]) -> str:
    cac = values["cac"]
    if cac is None:
        return "no_data"
    return "critical" if cac > 4000 else "warning" if cac > 2400 else "ok"


def _verdict(values: dict[str, Any], status: dict[str, str]) -> str | None:
    roi = values["roi"]
    if roi is None:
        return None
    if roi >= 0.5 and status["conversion_rate"] == "ok":
        return "keep"
    return "invest" if roi >= 0 else "stop"


def _row(period: str, segment: dict[str, Any], metrics: dict[str, Any]) -> dict[str, Any]:
    values = {**metrics, **_kpis(metrics)}
    status = {"conversion_rate": _status_conversion(values), "cac": _status_cac(values)}
    verdict = _verdict(values, status)
    return {
        "period": period,
        "segment": segment,
        "values": values,
        "status": status,
        "decisions": {"verdict": verdict},
        "rules": {
            "stop_channel": bool(segment) and verdict == "stop" and values["spend"] > 1000,
            "cac_alert": status["cac"] == "critical",
        },
    }


def build_doc(periods: list[str], history: bool) -> dict[str, Any]:
    """A complete document over ``periods`` (the last one is the as-of period)."""
    rows = []
    for index, period in enumerate(PERIODS):
        if period not in periods:
            continue
        per_channel = {c: _metrics(c, index) for c in CHANNELS}
        overall: dict[str, Any] = {}
        for name in ("visits", "leads", "customers", "revenue", "spend"):
            overall[name] = sum(m[name] for m in per_channel.values())
        overall["session_time"] = 95.5
        rows.append(_row(period, {}, overall))
        for channel in sorted(CHANNELS):
            rows.append(_row(period, {"channel": channel}, per_channel[channel]))
    as_of = periods[-1]
    return {
        "kpirules": 1,
        "ruleset": "funnel",
        "title": "Entonnoir marketing & ventes",
        "grain": "month",
        "as_of": as_of,
        "dimensions": ["channel"],
        "periods": list(periods),
        "history": history,
        "definitions": copy.deepcopy(DEFINITIONS),
        "thresholds": {
            "conversion_rate": [
                {
                    "where": "visits >= min_visits",
                    "clauses": [
                        {"level": "critical", "op": "<", "value": 0.10, "text": "< 10%"},
                        {"level": "warning", "op": "<", "value": 0.30, "text": "< 30%"},
                    ],
                }
            ],
            "cac": [
                {
                    "where": None,
                    "clauses": [
                        {"level": "critical", "op": ">", "value": 4000, "text": "> 4000"},
                        {"level": "warning", "op": ">", "value": 2400, "text": "> 2400"},
                    ],
                }
            ],
        },
        "decision_defs": {
            "verdict": {
                "title": "Garder, investir ou arrêter",
                "labels": ["keep", "invest", "stop"],
            }
        },
        "rule_defs": {
            "stop_channel": {
                "title": "Coût élevé, faible retour",
                "severity": "critical",
                "scope": "segments",
                "for_periods": 2,
            },
            "cac_alert": {"title": None, "severity": "warning", "scope": None, "for_periods": 1},
        },
        "rows": rows,
        "objectives": [
            {
                "name": "grow_revenue",
                "title": "Chiffre d'affaires +40 % en 12 mois",
                "kind": "increase",
                "kpi": "revenue",
                "segment": {},
                "baseline": 100000,
                "goal": 140000,
                "current": 121000,
                "progress": 0.525,
                "expected_progress": 0.4545,
                "deadline": "2026-12",
                "status": "on_track",
            },
            {
                "name": "grow_revenue",
                "title": "Chiffre d'affaires +40 % en 12 mois",
                "kind": "increase",
                "kpi": "revenue",
                "segment": {"channel": "display"},
                "baseline": 1500,
                "goal": 2100,
                "current": 1000,
                "progress": -0.8333,
                "expected_progress": 0.4545,
                "deadline": "2026-12",
                "status": "at_risk",
            },
            {
                "name": "cut_cac",
                "title": None,
                "kind": "compare",
                "kpi": "cac",
                "segment": {"channel": "seo"},
                "baseline": None,
                "goal": 2000,
                "current": None,
                "progress": None,
                "expected_progress": 0.4545,
                "deadline": "2026-12",
                "status": "no_data",
            },
        ],
        "actions": [
            {
                "rule": "stop_channel",
                "period": as_of,
                "segment": {"channel": "display"},
                "severity": "critical",
                "new": True,
                "action": "notify",
                "args": {"text": "Arrêter display : ROI -83%, CAC 4500 EUR"},
            }
        ],
        "warnings": ["column 'clics' is numeric but neither a metric nor a dimension: ignored"],
    }
