"""Generate the benchmark's marketing table, deterministically.

The benchmark needs a table that looks like a real marketing export (a funnel
where each stage is smaller than the one before, channels that behave
differently, paused campaigns whose zeros make divisions by zero happen, a
few empty cells) and that is *the same on every machine*, so that figures
measured by different people compare. Everything is drawn from one seeded
NumPy generator, column by column (no Python loop per row), so a million
rows take a couple of seconds.

Usage::

    python benchmarks/generate.py                      # 10,000 campaigns x 100 months
    python benchmarks/generate.py --campaigns 1000     # 100k rows
    python benchmarks/generate.py --campaigns 500 --months 24 --gap-rate 0.05

Files go to ``benchmarks/data/`` (git-ignored): ``marketing_<C>x<M>.csv``
and ``.parquet``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import polars as pl

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Channel name -> (share of campaigns, click-through rate, lead rate,
#: cost per thousand impressions in EUR). ``referral`` costs nothing, so its
#: ROI divides by a spend that is often zero.
CHANNELS: dict[str, tuple[float, float, float, float]] = {
    "search": (0.30, 0.030, 0.040, 22.0),
    "social": (0.25, 0.010, 0.025, 8.0),
    "display": (0.15, 0.004, 0.015, 3.0),
    "email": (0.12, 0.020, 0.050, 0.8),
    "affiliate": (0.10, 0.015, 0.035, 11.0),
    "referral": (0.08, 0.020, 0.060, 0.0),
}

COUNT_METRICS = (
    "visits", "leads", "mql", "sql", "quotes", "customers",
    "impressions", "clicks", "emails_delivered", "emails_opened",
)
MONEY_METRICS = ("revenue", "marketing_spend", "sales_spend")
METRICS = (
    "visits", "leads", "mql", "sql", "quotes", "customers", "revenue",
    "marketing_spend", "sales_spend", "impressions", "clicks",
    "emails_delivered", "emails_opened",
)


def month_labels(start: str, months: int) -> list[str]:
    """``months`` consecutive ``YYYY-MM`` labels from ``start``."""
    year, month = (int(part) for part in start.split("-"))
    first = year * 12 + month - 1
    return [f"{(first + i) // 12:04d}-{(first + i) % 12 + 1:02d}" for i in range(months)]


def generate(
    campaigns: int = 10_000,
    months: int = 100,
    *,
    start: str = "2018-01",
    seed: int = 20260101,
    gap_rate: float = 0.0,
    null_rate: float = 0.0005,
    paused_rate: float = 0.03,
) -> pl.DataFrame:
    """Build the table: one row per (month, campaign), rows in export order.

    ``gap_rate`` drops that fraction of rows, so that the engines have
    calendar gaps to complete; ``null_rate`` empties that fraction of each
    metric's cells; ``paused_rate`` zeroes whole rows (a paused campaign),
    which is where divisions by zero come from.
    """
    rng = np.random.default_rng(seed)
    names = list(CHANNELS)
    shares = np.array([CHANNELS[c][0] for c in names])
    ctr_by, lead_by, cpm_by = (
        np.array([CHANNELS[c][k] for c in names]) for k in (1, 2, 3)
    )

    # Per campaign: channel, size, and its own deviation from channel rates.
    camp_channel = rng.choice(len(names), size=campaigns, p=shares / shares.sum())
    camp_size = rng.lognormal(np.log(150_000), 1.0, campaigns)
    camp_ctr = ctr_by[camp_channel] * rng.lognormal(0.0, 0.3, campaigns)
    camp_lead = np.clip(lead_by[camp_channel] * rng.lognormal(0.0, 0.4, campaigns), 0, 0.5)
    camp_deal = rng.lognormal(np.log(3_500), 0.6, campaigns)
    camp_trend = rng.normal(0.004, 0.01, campaigns)  # monthly drift
    width = max(5, len(str(campaigns - 1)))
    camp_ids = np.array([f"C{i:0{width}d}" for i in range(campaigns)])

    # One row per (month, campaign): month-major, as exports usually come.
    n = campaigns * months
    m_idx = np.repeat(np.arange(months), campaigns)
    c_idx = np.tile(np.arange(campaigns), months)
    ch = camp_channel[c_idx]

    season = 1.0 + 0.25 * np.sin(2 * np.pi * (m_idx % 12) / 12.0)
    trend = np.exp(camp_trend[c_idx] * m_idx)
    paused = rng.random(n) < paused_rate
    lam = camp_size[c_idx] * season * trend * rng.lognormal(0.0, 0.35, n)
    impressions = np.where(paused, 0, rng.poisson(lam)).astype(np.int64)
    clicks = rng.binomial(impressions, np.clip(camp_ctr[c_idx], 0, 1))
    organic = np.where(paused, 0, rng.poisson(8, n))
    visits = rng.binomial(clicks, 0.88) + organic
    leads = rng.binomial(visits, camp_lead[c_idx])
    mql = rng.binomial(leads, 0.45)
    sql = rng.binomial(mql, 0.35)
    quotes = rng.binomial(sql, 0.6)
    customers = rng.binomial(quotes, 0.3)
    revenue = np.round(customers * camp_deal[c_idx] * rng.lognormal(0.0, 0.3, n), 2)
    marketing_spend = np.round(
        impressions * cpm_by[ch] / 1000.0 * rng.lognormal(0.0, 0.2, n), 2
    )
    sales_spend = np.round(sql * 140.0 * rng.lognormal(0.0, 0.4, n), 2)
    is_email = ch == names.index("email")
    newsletter = rng.random(n) < 0.2  # some other campaigns get a newsletter slot
    emails_delivered = np.where(
        is_email,
        rng.poisson(impressions * 0.5),
        np.where(newsletter & ~paused, rng.poisson(2_000, n), 0),
    ).astype(np.int64)
    emails_opened = rng.binomial(emails_delivered, np.where(is_email, 0.22, 0.12))

    labels = np.array(month_labels(start, months))
    columns: dict[str, np.ndarray] = {
        "visits": visits, "leads": leads, "mql": mql, "sql": sql, "quotes": quotes,
        "customers": customers, "revenue": revenue, "marketing_spend": marketing_spend,
        "sales_spend": sales_spend, "impressions": impressions, "clicks": clicks,
        "emails_delivered": emails_delivered, "emails_opened": emails_opened,
    }
    frame = pl.DataFrame(
        {
            "month": labels[m_idx],
            "channel": np.array(names)[ch],
            "campaign": camp_ids[c_idx],
            **{
                name: pl.Series(name, columns[name], dtype=pl.Float64 if name in MONEY_METRICS else pl.Int64)
                for name in METRICS
            },
        }
    )
    # A few empty cells, chosen per metric independently.
    frame = frame.with_columns(
        pl.when(pl.Series(rng.random(n) < null_rate)).then(None).otherwise(pl.col(name)).alias(name)
        for name in METRICS
    )
    if gap_rate > 0:
        frame = frame.filter(pl.Series(rng.random(n) >= gap_rate))
    return frame


def data_path(campaigns: int, months: int, gap_rate: float = 0.0, ext: str = "parquet") -> Path:
    """Where the table of that size lives (one name per size and gap rate)."""
    gaps = f"_gaps{gap_rate:g}" if gap_rate > 0 else ""
    return DATA_DIR / f"marketing_{campaigns}x{months}{gaps}.{ext}"


def ensure(campaigns: int, months: int, gap_rate: float = 0.0, *, seed: int = 20260101) -> dict[str, Path]:
    """Write the CSV and Parquet files unless they exist; return both paths.

    The runner calls this so that a fresh checkout benchmarks without a
    separate step; data is never committed.
    """
    paths = {ext: data_path(campaigns, months, gap_rate, ext) for ext in ("csv", "parquet")}
    if all(p.exists() for p in paths.values()):
        return paths
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    frame = generate(campaigns, months, gap_rate=gap_rate, seed=seed)
    # Write to a temporary name first: an interrupted run leaves no half file.
    for ext, path in paths.items():
        tmp = path.with_suffix(path.suffix + ".tmp")
        if ext == "csv":
            frame.write_csv(tmp)
        else:
            frame.write_parquet(tmp)
        tmp.replace(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: generate one size of the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaigns", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=100)
    parser.add_argument("--gap-rate", type=float, default=0.0,
                        help="fraction of rows dropped (calendar gaps)")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--force", action="store_true", help="rewrite existing files")
    args = parser.parse_args(argv)
    if args.force:
        for ext in ("csv", "parquet"):
            data_path(args.campaigns, args.months, args.gap_rate, ext).unlink(missing_ok=True)
    paths = ensure(args.campaigns, args.months, args.gap_rate, seed=args.seed)
    for path in paths.values():
        print(f"{path}  ({path.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
