"""Fixtures of the report tests: evaluation documents (see report_samples.py)."""

from __future__ import annotations

from typing import Any

import pytest
from report_samples import PERIODS, build_doc


@pytest.fixture
def doc() -> dict[str, Any]:
    """The as-of period only (``eval`` without ``--history``)."""
    return build_doc(PERIODS[-1:], history=False)


@pytest.fixture
def history_doc() -> dict[str, Any]:
    """Six months up to the as-of period (``eval --history``)."""
    return build_doc(PERIODS, history=True)


@pytest.fixture
def core_doc() -> dict[str, Any]:
    """Only the keys of interfaces §3: what a plugin or an older version may write."""
    return {
        "kpirules": 1,
        "ruleset": "funnel",
        "grain": "month",
        "as_of": "2026-06",
        "dimensions": ["channel"],
        "rows": [
            {
                "period": "2026-06",
                "segment": {},
                "values": {"visits": 1040, "conversion_rate": 0.25, "cac": None},
                "status": {"conversion_rate": "warning", "cac": "no_data"},
                "decisions": {"verdict": "invest"},
                "rules": {"stop_channel": False},
            },
            {
                "period": "2026-06",
                "segment": {"channel": "paid"},
                "values": {"visits": 1000, "conversion_rate": 0.25, "cac": None},
                "status": {"conversion_rate": "warning", "cac": "no_data"},
                "decisions": {"verdict": "invest"},
                "rules": {"stop_channel": False},
            },
        ],
        "objectives": [],
        "actions": [],
    }
