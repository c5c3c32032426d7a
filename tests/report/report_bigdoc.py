"""A large synthetic document (50 KPIs × 24 periods × 10 segments) for speed tests."""

from __future__ import annotations

import math
from typing import Any


def big_doc(kpis: int = 50, periods: int = 24, segments: int = 10) -> dict[str, Any]:
    """Deterministic, varied values; every third KPI has a threshold."""
    names = [f"kpi_{i:02d}" for i in range(kpis)]
    units = ["percent", "EUR", "count", "ratio", "seconds"]
    period_names = [f"{2025 + m // 12}-{m % 12 + 1:02d}" for m in range(periods)]
    definitions: dict[str, Any] = {
        "visits": {"kind": "metric", "label": "Sessions", "unit": "count", "better": None}
    }
    thresholds: dict[str, Any] = {}
    for i, name in enumerate(names):
        unit = units[i % len(units)]
        definitions[name] = {
            "kind": "kpi",
            "label": f"Indicateur n°{i} é",
            "unit": unit,
            "better": "higher" if i % 2 else "lower",
        }
        if i % 3 == 0:
            scale = 1 if unit == "percent" else 1000
            thresholds[name] = [
                {
                    "where": None,
                    "clauses": [
                        {
                            "level": "critical",
                            "op": ">" if i % 2 == 0 else "<",
                            "value": 0.8 * scale,
                            "text": "c",
                        },
                        {
                            "level": "warning",
                            "op": ">" if i % 2 == 0 else "<",
                            "value": 0.6 * scale,
                            "text": "w",
                        },
                    ],
                }
            ]
    rows = []
    for p, period in enumerate(period_names):
        for s in range(-1, segments):
            segment = {} if s < 0 else {"channel": f"canal {s}"}
            values: dict[str, Any] = {"visits": 1000 * (s + 2)}
            status = {}
            for i, name in enumerate(names):
                unit = definitions[name]["unit"]
                scale = 1 if unit == "percent" else 1000
                v = scale * (0.5 + 0.4 * math.sin(p / 3 + i + s))
                values[name] = None if (p + i + s) % 17 == 0 else v
                if name in thresholds:
                    status[name] = "no_data" if values[name] is None else "ok"
            rows.append(
                {
                    "period": period,
                    "segment": segment,
                    "values": values,
                    "status": status,
                    "decisions": {"verdict": "keep"},
                    "rules": {"r": s == 3},
                }
            )
    return {
        "kpirules": 1,
        "ruleset": "big",
        "title": "Big",
        "grain": "month",
        "as_of": period_names[-1],
        "dimensions": ["channel"],
        "periods": period_names,
        "history": True,
        "definitions": definitions,
        "thresholds": thresholds,
        "decision_defs": {"verdict": {"title": "Verdict", "labels": ["keep", "stop"]}},
        "rule_defs": {"r": {"title": "R", "severity": "warning", "scope": None, "for_periods": 1}},
        "rows": rows,
        "objectives": [],
        "actions": [],
        "warnings": [],
    }
