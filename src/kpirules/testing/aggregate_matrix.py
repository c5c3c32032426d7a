"""The shared test matrix of aggregate metrics (language §4.1).

One set of raw order lines, one ruleset using every aggregate, and a reference
computation in plain Python, written from the language reference and not from
the engine: each cell (period × segment of a level) is computed from the rows
of that cell. The in-memory engine, the ``sql`` connector's push-down on
SQLite, PostgreSQL and DuckDB, and the ``kpirules-spark`` plugin are each held
to it on every value (tests/engine/test_aggregate_metrics.py,
tests/plugins/test_sql_aggregates.py, plugins/kpirules-spark/tests).

It lives in :mod:`kpirules.testing` so that a connector package can hold its
own push-down to the same reference: store :func:`rows` where the connector
reads, evaluate :data:`RULES` (or :data:`PUSHABLE_RULES`) with history for
each breakdown, and call :func:`compare` on each document.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from typing import Any

COLUMNS = ("date", "channel", "country", "order_id", "customer", "quantity", "unit_price", "status")
# file order matters for first/last ties (A1's two lines share a date)
LINES: list[tuple[Any, ...]] = [
    ("2026-01-05", "web", "FR", "A1", "c1", 2, 10.0, "paid"),
    ("2026-01-05", "web", "FR", "A1", "c1", 1, 5.0, "paid"),
    ("2026-01-20", "web", "DE", "A2", "c2", 1, 20.0, "paid"),
    ("2026-01-28", "shop", "FR", "A0", "c9", 1, None, "test"),
    ("2026-02-03", "shop", "FR", "A3", "c1", 3, 10.0, "paid"),
    ("2026-02-10", "shop", "FR", "A4", "c3", -1, 10.0, "refund"),
    ("2026-02-11", "web", "DE", "A5", "c2", 1, 30.0, "paid"),
    ("2026-03-01", "web", "FR", "A6", "c4", 2, 15.0, "paid"),
    ("2026-03-15", "shop", "DE", "A7", "c1", 1, 40.0, "paid"),
    ("2026-03-16", "shop", "DE", "A7", "c1", 2, 2.5, "paid"),
    ("2026-05-02", "web", "FR", "A8", "c5", 4, 5.0, "paid"),
    ("2026-05-09", "web", "FR", "A9", "c3", 1, None, "paid"),
    ("2026-06-30", "shop", "FR", "A10", "c6", 1, 12.0, "paid"),
    # nulls where values are counted: neither an order nor a buyer, but a line with its revenue
    ("2026-03-10", "web", "DE", None, None, 1, 8.0, "paid"),
    # order A3 and customer c1 in two cells of February: counted once at the levels joining them
    ("2026-02-21", "web", "FR", "A3", "c1", 1, 10.0, "paid"),
    # a null status: every where reading it is null, so not met (not a buyer, not new), but an order
    ("2026-05-20", "shop", "FR", "A11", "c7", 2, 6.0, None),
]

RULES = """ruleset matrix "Every aggregate"
  grain {grain}
param paid = "paid"
dimension channel
dimension country

metric orders      = count_distinct(order_id)                                  unit count
metric lines       = count()                                                   unit count
metric priced      = count(unit_price)                                         unit count
metric revenue     = sum(quantity * unit_price) where quantity > 0 and status == paid  unit EUR
metric refunds     = sum(-quantity * unit_price) where quantity < 0           unit EUR  missing 0
metric buyers      = count_distinct(customer) where status != "test"          unit count
metric new_buyers  = count_new(customer) where status == paid                 unit count
metric returning   = count_returning(customer) where status == paid           unit count
metric avg_price   = avg(unit_price)                                           unit EUR
metric min_price   = min(unit_price)                                           unit EUR
metric max_price   = max(unit_price)                                           unit EUR
metric median_qty  = median(quantity)
metric first_price = first(unit_price)                                         unit EUR
metric last_price  = last(unit_price)                                          unit EUR

kpi aov         = revenue / orders          unit EUR      better higher
kpi repeat_rate = returning / buyers        unit percent  better higher
"""

PUSHABLE_RULES = "\n".join(line for line in RULES.splitlines()
                           if not line.startswith(("metric median", "metric first", "metric last")))
"""The matrix without what SQL cannot compute as the engine does (median, first, last)."""

Row = dict[str, Any]


def rows() -> list[Row]:
    return [dict(zip(COLUMNS, line, strict=True)) for line in LINES]


def period_of(date: str, grain: str) -> str:
    year, month = date[:4], int(date[5:7])
    return f"{year}-Q{(month - 1) // 3 + 1}" if grain == "quarter" else f"{year}-{month:02d}"


def _calendar(grain: str) -> list[str]:
    found = sorted({period_of(r["date"], grain) for r in rows()})
    if grain == "quarter":
        return found
    first, last = found[0], found[-1]
    out, (year, month) = [], (int(first[:4]), int(first[5:]))
    while f"{year}-{month:02d}" <= last:
        out.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _where(name: str) -> Callable[[Row], bool]:
    tests: dict[str, Callable[[Row], bool]] = {
        "revenue": lambda r: r["quantity"] > 0 and r["status"] == "paid",
        "refunds": lambda r: r["quantity"] < 0,
        "buyers": lambda r: r["status"] is not None and r["status"] != "test",  # null: not met
        "new_buyers": lambda r: r["status"] == "paid",
        "returning": lambda r: r["status"] == "paid",
    }
    return tests.get(name, lambda r: True)


def _values(name: str, cell: list[Row]) -> list[Any]:
    """The aggregate's argument on the rows its where keeps (nulls included)."""
    kept = [r for r in cell if _where(name)(r)]
    if name == "revenue":
        return [None if r["unit_price"] is None else r["quantity"] * r["unit_price"] for r in kept]
    if name == "refunds":
        return [None if r["unit_price"] is None else -r["quantity"] * r["unit_price"] for r in kept]
    column = {"orders": "order_id", "priced": "unit_price", "buyers": "customer", "new_buyers": "customer",
              "returning": "customer", "median_qty": "quantity"}.get(name, "unit_price")
    return [r[column] for r in kept]


def _first_periods(name: str, grain: str) -> dict[Any, str]:
    firsts: dict[Any, str] = {}
    for r in rows():
        if _where(name)(r):
            p = period_of(r["date"], grain)
            firsts[r["customer"]] = min(firsts.get(r["customer"], p), p)
    return firsts


def metric_value(name: str, cell: list[Row], period: str, grain: str) -> float | None:
    values = [v for v in _values(name, cell) if v is not None]
    if name == "lines":
        return float(len(cell))
    if name == "priced":
        return float(len(values))
    if name in ("orders", "buyers"):
        return float(len(set(values)))
    if name in ("new_buyers", "returning"):
        firsts = _first_periods(name, grain)
        wanted = (lambda p: p == period) if name == "new_buyers" else (lambda p: p < period)
        return float(len({v for v in values if wanted(firsts[v])}))
    if name == "refunds":
        return float(sum(values)) if values else 0.0  # missing 0
    if not values:
        return None
    if name == "revenue":
        return float(sum(values))
    if name == "avg_price":
        return float(statistics.fmean(values))
    if name in ("min_price", "max_price"):
        return float(min(values) if name == "min_price" else max(values))
    if name == "median_qty":
        return float(statistics.median(values))
    ordered = [v for r, v in sorted(zip(cell, _values(name, cell), strict=True),
                                    key=lambda pair: pair[0]["date"]) if v is not None]  # stable: file order
    return float(ordered[0] if name == "first_price" else ordered[-1])


METRICS = ("orders", "lines", "priced", "revenue", "refunds", "buyers", "new_buyers", "returning",
           "avg_price", "min_price", "max_price", "median_qty", "first_price", "last_price")


def expected(grain: str, by: Sequence[str]) -> dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, Any]]:
    """(period, segment items) → metric and KPI values, for the overall level and the ``by`` segments."""
    data = rows()
    segments = sorted({tuple((d, r[d]) for d in by) for r in data}) if by else []
    out: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, Any]] = {}
    for period in _calendar(grain):
        for segment in [(), *segments]:
            cell = [r for r in data if period_of(r["date"], grain) == period
                    and all(r[d] == v for d, v in segment)]
            values: dict[str, Any] = {m: metric_value(m, cell, period, grain) for m in METRICS}
            values["aov"] = _div(values["revenue"], values["orders"])
            values["repeat_rate"] = _div(values["returning"], values["buyers"])
            out[(period, segment)] = values
    return out


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def compare(doc: dict[str, Any], grain: str, by: Sequence[str]) -> int:
    """Assert that every value of ``doc`` (an eval JSON document with history) is the reference's.

    Returns the number of values compared, so that a test can check it compared something.
    """
    want = expected(grain, by)
    seen = 0
    got_keys = set()
    for row in doc["rows"]:
        key = (row["period"], tuple((d, row["segment"][d]) for d in by if d in row["segment"]))
        got_keys.add(key)
        assert key in want, f"unexpected row {key}"
        for name, value in want[key].items():
            if name not in row["values"]:  # a ruleset with fewer metrics (SQL push-down)
                continue
            actual = row["values"][name]
            where = f"{name} at {key}"
            if value is None:
                assert actual is None, f"{where}: expected null, got {actual}"
            else:
                assert actual is not None and math.isclose(actual, value, rel_tol=1e-9), \
                    f"{where}: expected {value}, got {actual}"
            seen += 1
    assert got_keys == set(want), f"missing rows: {sorted(set(want) - got_keys)}"
    return seen
