"""Generate the sample exports under ``examples/data/`` (deterministic).

The sample company, *Maison Lumière*, sells design lamps online and to
professionals (hotels, offices). Its marketing team exports one row per month
and per channel / campaign from its tools, plus a few company-level tables.
The numbers are invented but tell the stories the rulesets are made to catch:

* growth: the e-commerce revenue grows about 40% over 2026 (objective
  ``ecommerce_sales`` on track in October 2026, achieved in December);
* a channel that stops paying off: the "Display" retargeting campaign sees its
  return fall from autumn 2026 (ROI below 0, CAC above 15,000 €, bounce rate
  above 80%): verdicts "stop" and rules firing from October 2026;
* a seasonal dip every August (holidays in France);
* an objective at risk: the average CAC was to fall 20% between September and
  December 2026 and barely moves; the average order value (+15 €) lags too;
* smaller stories: a delivery problem in February 2026 (negative reviews,
  slower customer service, lower satisfaction), a flu wave (absenteeism in
  January–February 2026), a Google update (rankings falling in May–June 2026),
  a churn spike in August–September 2025, a keyword that attracts the wrong
  audience.

Outputs (all small, committed to the repository):

``marketing.csv``     month × channel × campaign; funnel, acquisition, revenue,
                      web, e-mail and social metrics (``,`` separator, ``.`` decimals)
``marketing_fr.csv``  the same table as a French spreadsheet saves it
                      (``;`` separator, decimal commas, Windows-1252)
``web_daily.csv``     day × channel web metrics for October–December 2026, which
                      roll up to the monthly figures of ``marketing.csv``
``company.csv``       month; customers, satisfaction and team metrics
``seo.csv``           month; site-level SEO metrics
``seo_keywords.csv``  month × keyword; visits and customers per keyword

Run ``python examples/generate.py [OUTDIR]``; running it twice gives the same
bytes (a fixed seed, no clock, no dictionary-order surprises).
"""

from __future__ import annotations

import calendar
import csv
import io
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SEED = 20260101
MONTHS = [(2025 + i // 12, i % 12 + 1) for i in range(24)]  # 2025-01 … 2026-12
# Activity by calendar month: French holidays in August, Black Friday and Christmas.
SEASON = {1: 0.95, 2: 0.95, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0,
          7: 0.9, 8: 0.65, 9: 1.0, 10: 1.05, 11: 1.12, 12: 1.15}
OUT = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Campaign:
    """How one campaign behaves: volumes at the start, rates, costs and growth."""

    channel: str
    campaign: str
    visits: float            # monthly visits in January 2025
    growth: float            # linear growth of visits per month
    lead_rate: float         # visit → lead
    mql_rate: float
    sql_rate: float
    quote_rate: float
    close_rate: float
    spend: float             # marketing spend per month
    ad_share: float          # part of the spend that is paid media
    ctr: float               # clicks / impressions
    ecom_rate: float         # visit → order
    aov: float               # average order value (€)
    bounce: float
    pages: float             # pages per visit
    time_on_page: float      # seconds
    returning: float         # returning visitors / visitors
    days_to_convert: float
    sale_value: float        # average B2B sale per customer (€)
    retention: float         # months a B2B customer stays
    months: tuple[int, ...] = tuple(range(1, 13))  # months with activity (events)


CAMPAIGNS = [
    Campaign("SEO / organique", "Contenu blog", 14000, 0.055, 0.11, 0.30, 0.20, 0.30, 0.25,
             4000, 0.0, 0.035, 0.022, 205, 0.55, 2.8, 74, 0.13, 9, 3400, 32),
    Campaign("Google Ads", "Search marque", 5200, 0.06, 0.32, 0.28, 0.18, 0.35, 0.26,
             9000, 1.0, 0.085, 0.035, 215, 0.38, 3.4, 52, 0.42, 4, 3300, 30),
    Campaign("Google Ads", "Search générique", 7400, 0.055, 0.22, 0.22, 0.15, 0.35, 0.25,
             21000, 1.0, 0.032, 0.028, 198, 0.52, 2.6, 44, 0.22, 7, 3100, 28),
    Campaign("Réseaux sociaux", "LinkedIn", 3600, 0.05, 0.18, 0.30, 0.25, 0.35, 0.25,
             7000, 0.8, 0.009, 0.008, 240, 0.58, 2.2, 48, 0.25, 14, 4200, 36),
    Campaign("Réseaux sociaux", "Instagram", 6100, 0.06, 0.12, 0.18, 0.15, 0.35, 0.35,
             5200, 0.8, 0.011, 0.014, 176, 0.64, 1.9, 35, 0.18, 6, 2600, 24),
    Campaign("E-mailing", "Newsletter", 4800, 0.045, 0.35, 0.25, 0.12, 0.35, 0.25,
             1500, 0.0, 0.0, 0.040, 222, 0.35, 3.6, 63, 0.71, 5, 3300, 34),
    Campaign("E-mailing", "Relance panier", 1300, 0.05, 0.40, 0.22, 0.15, 0.35, 0.30,
             800, 0.0, 0.0, 0.090, 205, 0.25, 4.1, 58, 0.86, 2, 3000, 30),
    Campaign("Display", "Retargeting", 7000, 0.02, 0.12, 0.20, 0.15, 0.40, 0.28,
             12000, 1.0, 0.004, 0.014, 190, 0.62, 1.7, 30, 0.30, 8, 2400, 14),
    Campaign("Salons", "Maison&Objet", 2400, 0.0, 0.45, 0.45, 0.20, 0.40, 0.30,
             45000, 0.0, 0.0, 0.010, 260, 0.30, 4.0, 80, 0.30, 45, 5200, 40, (1, 9)),
    Campaign("Salons", "Salon régional", 900, 0.0, 0.42, 0.40, 0.20, 0.40, 0.30,
             14000, 0.0, 0.0, 0.008, 240, 0.30, 3.5, 70, 0.30, 40, 4100, 36, (3, 6, 10)),
]

MARKETING_COLUMNS = [
    "month", "channel", "campaign",
    # funnel
    "visits", "leads", "mql", "sql", "quotes", "new_customers",
    "webinar_qualified_attendees", "stand_visitors", "stand_leads",
    # acquisition
    "marketing_spend", "sales_spend", "ad_spend", "conversions",
    "avg_sale_value", "purchases_per_year", "retention_months", "gross_margin_rate",
    # revenue
    "revenue", "campaign_revenue", "costs", "orders", "items_sold",
    # web
    "visitors", "returning_visitors", "pageviews", "total_time_on_page",
    "single_page_visits", "clicks", "impressions", "cta_clicks", "cta_conversions",
    "carts_created", "abandoned_carts", "total_days_to_convert",
    # e-mail and social
    "emails_delivered", "emails_opened", "emails_clicked", "social_reach", "likes",
    "comments", "shares", "social_leads", "mentions", "positive_reviews",
    "negative_reviews", "community_members",
]
WEB_COLUMNS = [
    "visits", "visitors", "returning_visitors", "pageviews", "total_time_on_page",
    "single_page_visits", "clicks", "impressions", "cta_clicks", "cta_conversions",
    "carts_created", "abandoned_carts", "conversions", "total_days_to_convert",
]
COMPANY_COLUMNS = [
    "month", "new_customers", "promoters", "detractors", "respondents",
    "customers_start", "customers_end", "lost_customers", "csat_score",
    "total_call_seconds", "calls",
    "leavers", "avg_headcount", "absence_days", "scheduled_days", "participants", "headcount",
]
SEO_COLUMNS = [
    "month", "organic_visits", "organic_leads", "leads", "organic_customers", "backlinks",
    "page_authority", "keywords_top10", "keywords_up", "keywords_down",
]
KEYWORDS = [  # keyword, monthly visits in January 2025, visit → customer rate
    ("lampe design", 3200, 0.036),
    ("suspension scandinave", 2100, 0.021),
    ("luminaire salon", 2600, 0.013),
    ("éclairage bureau professionnel", 900, 0.045),
    ("lampe pas cher", 2400, 0.003),
]

Row = dict[str, object]


def label(year: int, month: int) -> str:
    """``2026-03``."""
    return f"{year:04d}-{month:02d}"


def ramp(index: int, start: int, end: int) -> float:
    """0 before ``start``, 1 from ``end`` on, linear between (month indexes 0–23)."""
    if index <= start:
        return 0.0
    if index >= end:
        return 1.0
    return (index - start) / (end - start)


class Generator:
    """Builds every table from one random stream, in a fixed order."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)

    def noise(self, spread: float = 0.04) -> float:
        """A multiplicative jitter around 1."""
        return 1.0 + self.rng.uniform(-spread, spread)

    # ── marketing.csv ──────────────────────────────────────────────────────

    def marketing(self) -> list[Row]:
        """One row per month and active campaign."""
        rows: list[Row] = []
        communities = {"LinkedIn": 8000, "Instagram": 15200}
        for index, (year, month) in enumerate(MONTHS):
            for camp in CAMPAIGNS:
                if month not in camp.months:
                    continue
                rows.append(self.campaign_month(camp, index, year, month, communities))
        return rows

    def campaign_month(self, c: Campaign, t: int, year: int, month: int,
                       communities: dict[str, int]) -> Row:
        """The figures of one campaign in one month, with its story applied."""
        display_decline = ramp(t, 19, 21) if c.channel == "Display" else 0.0  # from 2026-08
        visits = c.visits * (1 + c.growth * t) * SEASON[month] * self.noise()
        visits *= 1 - 0.45 * display_decline
        lead_rate = c.lead_rate * (1 - 0.4 * display_decline) * self.noise(0.03)
        leads = round(visits * lead_rate)
        mql = round(leads * c.mql_rate * self.noise(0.03))
        sql = round(mql * c.sql_rate * self.noise(0.03))
        quotes = round(sql * c.quote_rate * self.noise(0.03))
        close = c.close_rate * (1 - 0.8 * display_decline)
        if c.channel == "Google Ads":  # better bidding slowly lowers the CAC
            close *= 1 + 0.06 * ramp(t, 20, 23)
        new_customers = max(round(quotes * close * self.noise(0.05)), 1 if quotes else 0)
        spend = c.spend * (1 + 0.4 * c.growth * t) * self.noise(0.02)
        if c.channel != "Salons":  # budgets follow the season
            spend *= SEASON[month]
        spend *= 1 + 0.35 * display_decline  # the agency keeps bidding up
        sales_spend = quotes * 400 * self.noise(0.02)  # sales time per quote

        ecom_rate = c.ecom_rate * (1 - 0.55 * display_decline)
        orders = round(visits * ecom_rate * self.noise(0.03))
        aov = c.aov * (1 + 0.004 * t) * self.noise(0.015) + 8 * ramp(t, 17, 23)
        basket = (1.6 + 0.05 * (t >= 12) + 0.2 * ramp(t, 18, 22)) * self.noise(0.01)
        items_sold = round(orders * basket)
        revenue = orders * aov
        campaign_revenue = revenue * (0.85 if c.channel == "SEO / organique" else 1.0)
        costs = revenue * 0.5 + spend * 0.6  # goods sold + the campaign's direct costs

        abandonment = 0.72 - 0.10 * ramp(t, 20, 23)
        carts = round(orders / (1 - abandonment * self.noise(0.01)))
        visitors = round(visits * 0.82)
        pages = c.pages * self.noise(0.03)
        pageviews = round(visits * pages)
        bounce = min(0.95, (c.bounce + 0.25 * ramp(t, 17, 20) * (c.channel == "Display"))
                     * self.noise(0.02))
        clicks = round(visits * 0.93) if c.ctr else 0
        conversions = orders + new_customers
        cta_clicks = round(visits * 0.12)
        cta_rate = 0.03 if c.channel == "Display" else 0.09
        row: Row = {
            "month": label(year, month), "channel": c.channel, "campaign": c.campaign,
            "visits": round(visits), "leads": leads, "mql": mql, "sql": sql, "quotes": quotes,
            "new_customers": new_customers,
            "marketing_spend": round(spend), "sales_spend": round(sales_spend),
            "ad_spend": round(spend * c.ad_share), "conversions": conversions,
            "avg_sale_value": round(c.sale_value * self.noise(0.03), 2),
            "purchases_per_year": round(2.4 * self.noise(0.05), 2),
            "retention_months": round(c.retention * self.noise(0.03), 1),
            "gross_margin_rate": round(0.45 * self.noise(0.02), 3),
            "revenue": round(revenue, 2), "campaign_revenue": round(campaign_revenue, 2),
            "costs": round(costs, 2), "orders": orders, "items_sold": items_sold,
            "visitors": visitors,
            "returning_visitors": round(visitors * c.returning * self.noise(0.04)),
            "pageviews": pageviews,
            "total_time_on_page": round(pageviews * c.time_on_page * self.noise(0.03)),
            "single_page_visits": round(visits * bounce),
            "clicks": clicks, "impressions": round(clicks / c.ctr) if c.ctr else 0,
            "cta_clicks": cta_clicks,
            "cta_conversions": round(cta_clicks * cta_rate * self.noise(0.05)),
            "carts_created": carts, "abandoned_carts": carts - orders,
            "total_days_to_convert": round(conversions * c.days_to_convert * self.noise(0.05)),
        }
        if c.channel == "Salons":
            stand_visitors = round(visits * 1.6)
            row.update({
                "stand_visitors": stand_visitors,
                "stand_leads": round(stand_visitors * 0.14 * self.noise(0.05)),
                "webinar_qualified_attendees": round(leads * 0.35),
            })
        if c.channel == "E-mailing":
            row.update(self.email(c, t, year, month))
        if c.channel == "Réseaux sociaux":
            communities[c.campaign] += round((120 if c.campaign == "LinkedIn" else 260)
                                             * self.noise(0.3))
            reach = (60000 if c.campaign == "LinkedIn" else 125000) * (1 + 0.04 * t)
            reach *= SEASON[month] * self.noise()
            engagement = (0.024 if c.campaign == "LinkedIn" else 0.013) * self.noise(0.05)
            interactions = reach * engagement
            row.update({
                "social_reach": round(reach),
                "likes": round(interactions * 0.78), "comments": round(interactions * 0.08),
                "shares": round(interactions * 0.14), "social_leads": leads,
                "mentions": round((35 if c.campaign == "LinkedIn" else 80) * self.noise(0.2)),
                "community_members": communities[c.campaign],
            })
        reviews = orders * 0.06
        positive_share = 0.55 if (year, month) == (2026, 2) else 0.88 * self.noise(0.02)
        row["positive_reviews"] = round(reviews * positive_share)
        row["negative_reviews"] = round(reviews) - round(reviews * positive_share)
        return row

    def email(self, c: Campaign, t: int, year: int, month: int) -> Row:
        """E-mail volumes: the newsletter's redesign lifts its open rate from September 2026."""
        if c.campaign == "Newsletter":
            delivered = 40000 * (1 + 0.02 * t)
            open_rate = 0.21 + 0.05 * ramp(t, 19, 23)
            click_rate = 0.026
        else:
            delivered = 6000 * (1 + 0.03 * t)
            open_rate, click_rate = 0.45, 0.08
        delivered *= self.noise(0.02)
        return {
            "emails_delivered": round(delivered),
            "emails_opened": round(delivered * open_rate * self.noise(0.01)),
            "emails_clicked": round(delivered * click_rate * self.noise(0.05)),
        }

    # ── web_daily.csv ──────────────────────────────────────────────────────

    def web_daily(self, marketing: Sequence[Row]) -> list[Row]:
        """October–December 2026 by day and channel, summing to the monthly figures."""
        totals: dict[tuple[str, str], dict[str, int]] = {}
        for row in marketing:
            month = str(row["month"])
            if month < "2026-10":
                continue
            bucket = totals.setdefault((month, str(row["channel"])), dict.fromkeys(WEB_COLUMNS, 0))
            for col in WEB_COLUMNS:
                bucket[col] += int(row.get(col) or 0)  # type: ignore[call-overload]
        rows: list[Row] = []
        for (month, channel), bucket in sorted(totals.items()):
            year, mon = int(month[:4]), int(month[5:])
            days = [date(year, mon, d) for d in range(1, calendar.monthrange(year, mon)[1] + 1)]
            weights = [(0.7 if d.weekday() >= 5 else 1.0) * self.noise(0.15) for d in days]
            split = {col: split_total(bucket[col], weights) for col in WEB_COLUMNS}
            for i, day in enumerate(days):
                rows.append({"day": day.isoformat(), "channel": channel,
                             **{col: split[col][i] for col in WEB_COLUMNS}})
        rows.sort(key=lambda r: (str(r["day"]), str(r["channel"])))
        return rows

    # ── company.csv ────────────────────────────────────────────────────────

    def company(self, marketing: Sequence[Row]) -> list[Row]:
        """Customers, satisfaction and team figures of the whole company."""
        new_by_month: dict[str, int] = {}
        for source in marketing:
            key = str(source["month"])
            new_by_month[key] = new_by_month.get(key, 0) + int(source["new_customers"])  # type: ignore[call-overload]
        rows: list[Row] = []
        customers = 1200
        headcount = 48
        surveys = {(2025, 6): 31, (2025, 12): 35, (2026, 6): 36, (2026, 12): 43}
        for t, (year, month) in enumerate(MONTHS):
            key = label(year, month)
            churn = {(2025, 8): 0.056, (2025, 9): 0.061}.get((year, month), 0.018 * self.noise(0.2))
            lost = round(customers * churn)
            new = new_by_month[key]
            end = customers + new - lost
            row: Row = {"month": key, "new_customers": new, "customers_start": customers,
                        "customers_end": end, "lost_customers": lost}
            if (year, month) in surveys:
                respondents = round(customers * 0.15)
                nps = surveys[(year, month)]
                promoters = round(respondents * (0.45 + nps / 200))
                detractors = promoters - round(respondents * nps / 100)
                row.update({"promoters": promoters, "detractors": detractors,
                            "respondents": respondents})
            problem = (year, month) == (2026, 2)  # the delivery problem
            row["csat_score"] = round((3.8 if problem else 4.3) * self.noise(0.02), 2)
            calls = round(customers * 0.7 * self.noise(0.05))
            handling = (420 if problem else 315) * self.noise(0.04)
            row.update({"calls": calls, "total_call_seconds": round(calls * handling)})
            customers = end

            leavers = 2 if t in (4, 9, 15, 19, 20, 22) else (1 if t % 3 == 1 else 0)
            hires = 1 if t % 2 == 0 else 0
            start_headcount = headcount
            headcount = headcount - leavers + hires + (1 if t in (8, 14) else 0)
            flu = {(2026, 1): 0.092, (2026, 2): 0.087}.get((year, month))
            scheduled = headcount * 21
            participation = 0.42 if month in (7, 8) else 0.68 * self.noise(0.05)
            row.update({
                "leavers": leavers,
                "avg_headcount": round((start_headcount + headcount) / 2, 1),
                "absence_days": round(scheduled * (flu or 0.034 * self.noise(0.15))),
                "scheduled_days": scheduled,
                "participants": round(headcount * participation),
                "headcount": headcount,
            })
            rows.append(row)
        return rows

    # ── seo.csv and seo_keywords.csv ───────────────────────────────────────

    def seo(self, marketing: Sequence[Row]) -> list[Row]:
        """Site-level SEO figures; visits and leads agree with ``marketing.csv``."""
        rows: list[Row] = []
        backlinks, top10 = 850, 18
        for t, (year, month) in enumerate(MONTHS):
            key = label(year, month)
            this_month = [r for r in marketing if r["month"] == key]
            organic = next(r for r in this_month if r["channel"] == "SEO / organique")
            update = (year, month) in ((2026, 5), (2026, 6))  # a search engine update
            backlinks += -40 if (year, month) == (2026, 4) else round(16 * self.noise(0.4))
            top10 += -2 if update else (1 if t % 3 else 0)
            up = round(14 * self.noise(0.3))
            down = up + round(6 * self.noise(0.3)) if update else round(8 * self.noise(0.3))
            rows.append({
                "month": key,
                "organic_visits": organic["visits"], "organic_leads": organic["leads"],
                "leads": sum(int(r["leads"]) for r in this_month),  # type: ignore[call-overload]
                "organic_customers": round(int(organic["orders"]) * 0.7),  # type: ignore[call-overload]
                "backlinks": backlinks,
                "page_authority": round((34 + 0.3 * t) * self.noise(0.02), 1),
                "keywords_top10": top10, "keywords_up": up, "keywords_down": down,
            })
        return rows

    def seo_keywords(self) -> list[Row]:
        """Visits and customers of the main keywords."""
        rows: list[Row] = []
        for t, (year, month) in enumerate(MONTHS):
            for keyword, visits, rate in KEYWORDS:
                v = visits * (1 + 0.03 * t) * SEASON[month] * self.noise()
                rows.append({"month": label(year, month), "keyword": keyword,
                             "keyword_visits": round(v),
                             "keyword_customers": round(v * rate * self.noise(0.1))})
        return rows


def split_total(total: int, weights: Sequence[float]) -> list[int]:
    """Split a whole number into parts proportional to ``weights``, summing exactly."""
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [int(x) for x in raw]
    rest = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in order[:rest]:
        parts[i] += 1
    return parts


def to_csv(rows: Iterable[Row], columns: Sequence[str], sep: str = ",",
           decimal: str = ".") -> str:
    """CSV text with ``\\n`` line ends; missing cells are empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(col), decimal) for col in columns])
    return buffer.getvalue()


def cell(value: object, decimal: str) -> str:
    """A value as written in the export (``1234.5`` or ``1234,5``)."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = repr(round(value, 6))
        text = text[:-2] if text.endswith(".0") else text
        return text.replace(".", decimal)
    return str(value)


def generate(out: Path = OUT) -> list[Path]:
    """Write every sample file into ``out``; return their paths."""
    gen = Generator()
    marketing = gen.marketing()
    tables = {
        "marketing.csv": to_csv(marketing, MARKETING_COLUMNS).encode("utf-8"),
        "marketing_fr.csv": to_csv(marketing, MARKETING_COLUMNS, sep=";", decimal=",")
        .encode("cp1252"),
        "web_daily.csv": to_csv(gen.web_daily(marketing), ["day", "channel", *WEB_COLUMNS])
        .encode("utf-8"),
        "company.csv": to_csv(gen.company(marketing), COMPANY_COLUMNS).encode("utf-8"),
        "seo.csv": to_csv(gen.seo(marketing), SEO_COLUMNS).encode("utf-8"),
        "seo_keywords.csv": to_csv(gen.seo_keywords(),
                                   ["month", "keyword", "keyword_visits", "keyword_customers"])
        .encode("utf-8"),
    }
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in tables.items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: Sequence[str] = ()) -> None:
    """``python examples/generate.py [OUTDIR]``."""
    out = Path(argv[0]) if argv else OUT
    for path in generate(out):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
