"""Generate a raw order export: one line per order line, as a shop's back office exports it.

*Maison Lumière* (see ``generate.py``) sells design lamps on its web site, its
app, a marketplace and in its showroom. The export has one line per product
of an order, and a return is a line of its own with a negative quantity, dated
when the goods came back (as in Shopify, WooCommerce or the UCI Online Retail
file)::

    date,order_id,customer_id,channel,country,sku,quantity,unit_price
    2025-01-03 10:42,MLO-000001,C00017,web,FR,LAMP-07,1,89.00

The numbers are invented but tell the stories of ``rulesets/orders.kpi``:

* customers come back: about a third of the buyers of a month bought before;
* the marketplace's returns climb from October 2026 (a carrier losing
  parcels): its refund rate passes 15% and the ``refunds_spike`` rule fires;
* the app's buyers come back more often than the marketplace's.

``python examples/generate_orders.py`` writes ``examples/data/orders.csv``
(a few thousand lines, deterministic: a fixed seed, no clock).
``orders_frame(lines, customers, months)`` builds larger exports for
``benchmarks/orders_bench.py`` (10,000,000 lines in about a minute).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

SEED = 20260113
CHANNELS = ("web", "app", "marketplace", "showroom")
CHANNEL_WEIGHTS = (0.5, 0.2, 0.22, 0.08)
COUNTRIES = ("FR", "BE", "CH", "DE", "ES")
COUNTRY_WEIGHTS = (0.62, 0.14, 0.09, 0.09, 0.06)
PRICES = (19.0, 29.0, 45.0, 59.0, 89.0, 129.0, 189.0, 249.0)


def orders_frame(lines: int, customers: int, months: int, start_year: int = 2025, seed: int = SEED,
                 story: bool = True) -> pl.DataFrame:
    """About ``lines`` order lines over ``months`` months from January ``start_year``.

    Each order belongs to a customer drawn with a skewed law (a few loyal
    customers order often); its channel is mostly the customer's own; it holds
    1 to 4 lines; 4% of lines come back (the marketplace's 25% from October
    2026 when ``story``), a return being dated 3 to 20 days later.
    """
    rng = np.random.default_rng(seed)
    n_orders = max(1, int(lines / 1.75))
    customer = np.minimum((rng.pareto(1.5, n_orders) * customers / 6).astype(np.int64), customers - 1)
    home_channel = rng.choice(len(CHANNELS), customers, p=CHANNEL_WEIGHTS)
    channel = np.where(rng.random(n_orders) < 0.85, home_channel[customer],
                       rng.choice(len(CHANNELS), n_orders, p=CHANNEL_WEIGHTS))
    country = rng.choice(len(COUNTRIES), customers, p=COUNTRY_WEIGHTS)[customer]
    growth = np.linspace(1.0, 1.6, months)  # the business grows, and every month has orders
    month = rng.choice(months, n_orders, p=growth / growth.sum())
    day = rng.integers(0, 28, n_orders)
    minute = rng.integers(8 * 60, 22 * 60, n_orders)
    order_no = np.arange(1, n_orders + 1)
    sizes = rng.choice(4, n_orders, p=(0.5, 0.3, 0.15, 0.05)) + 1
    line_order = np.repeat(np.arange(n_orders), sizes)
    n_lines = line_order.size
    sku = rng.integers(1, 40, n_lines)
    quantity = rng.choice(3, n_lines, p=(0.8, 0.15, 0.05)) + 1
    price = np.asarray(PRICES)[sku % len(PRICES)]
    epoch = np.datetime64(f"{start_year}-01-01", "M")
    order_time = ((epoch + month).astype("datetime64[D]") + day).astype("datetime64[m]") + minute
    when = order_time[line_order].astype("datetime64[ms]")
    return_rate = np.full(n_lines, 0.04)
    if story:
        late = (month[line_order] >= 21) & (channel[line_order] == CHANNELS.index("marketplace"))
        return_rate[late] = 0.25
    returned = rng.random(n_lines) < return_rate
    frame = pl.DataFrame({
        "when": when,
        "order": order_no[line_order],
        "customer": customer[line_order],
        "channel": np.asarray(CHANNELS)[channel[line_order]],
        "country": np.asarray(COUNTRIES)[country[line_order]],
        "sku": sku,
        "quantity": quantity,
        "unit_price": price,
    })
    back = frame.filter(pl.Series(returned)).with_columns(
        (pl.col("when") + pl.duration(days=pl.lit(rng.integers(3, 21, int(returned.sum()))))).alias("when"),
        -pl.col("quantity"))
    end = (epoch + months).astype("datetime64[ms]").item()
    both = pl.concat([frame, back.filter(pl.col("when") < pl.lit(end))]).sort(["when", "order", "quantity"],
                                                                            descending=[False, False, True])
    return both.select(
        pl.col("when").dt.strftime("%Y-%m-%d %H:%M").alias("date"),
        pl.format("MLO-{}", pl.col("order").cast(pl.String).str.zfill(7)).alias("order_id"),
        pl.format("C{}", pl.col("customer").cast(pl.String).str.zfill(6)).alias("customer_id"),
        "channel", "country",
        pl.format("LAMP-{}", pl.col("sku").cast(pl.String).str.zfill(2)).alias("sku"),
        "quantity",
        pl.col("unit_price").cast(pl.Float64),
    )


def generate(out_dir: Path) -> list[Path]:
    """Write ``orders.csv`` (24 months, 2025-01 to 2026-12) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "orders.csv"
    orders_frame(6000, 6000, 24).write_csv(path, float_precision=2)
    return [path]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "data"
    for written in generate(target):
        print(written)
