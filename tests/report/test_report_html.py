"""The ``html`` format: content, escaping, self-containment and speed."""

from __future__ import annotations

import importlib.resources
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from report_bigdoc import big_doc

from kpirules.report import BUILTIN_FORMATS, RenderOptions
from kpirules.report.values import NBSP
from kpirules.report.view import DocView


class Page(HTMLParser):
    """The few things the tests look at in a page: text, tags and attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).replace(NBSP, " ").split())


def render(doc: dict[str, Any], **options: Any) -> str:
    return BUILTIN_FORMATS["html"].render(doc, RenderOptions(**options))


def section(html: str, name: str) -> Page:
    match = re.search(rf'<section[^>]*id="{name}".*?</section>', html, re.S)
    assert match, f"no section {name}"
    return Page(match.group(0))


def test_a_complete_utf8_page(history_doc: dict[str, Any]) -> None:
    html = render(history_doc)
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert html.rstrip().endswith("</html>")
    page = Page(html)
    assert "Coût d'acquisition client" in page.text
    assert "Réseaux sociaux" in page.text
    assert "Garder, investir ou arrêter" in page.text


def test_nothing_is_loaded_from_anywhere(history_doc: dict[str, Any]) -> None:
    html = render(history_doc)
    assert "http://" not in html and "https://" not in html
    assert "//" not in re.sub(r"<style>.*?</style>", "", html, flags=re.S).replace("://", "")
    for tag, attrs in Page(html).tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed")
        for name in ("src", "href"):
            assert not attrs.get(name), (tag, attrs)
        # only same-document references (#id) in SVG
        assert (attrs.get("xlink:href") or "#").startswith("#")
    assert "@import" not in html and "url(http" not in html and "@font-face" not in html


def test_header_and_generated_at(history_doc: dict[str, Any]) -> None:
    page = Page(render(history_doc, generated_at="2026-07-01 08:00", title="Revue <mensuelle>"))
    assert "Revue <mensuelle>" in page.text
    assert "As of 2026-06" in page.text
    assert "Generated 2026-07-01 08:00" in page.text
    without = Page(render(history_doc))
    assert "Generated" not in without.text
    assert "Entonnoir marketing & ventes" in without.text
    history_doc["generated_at"] = "2026-07-02 09:30"
    assert "Generated 2026-07-02 09:30" in Page(render(history_doc)).text


def test_summary_counts_statuses_at_the_as_of_period(doc: dict[str, Any]) -> None:
    expected: dict[str, int] = {}
    for row in doc["rows"]:
        for status in row["status"].values():
            expected[status] = expected.get(status, 0) + 1
    text = section(render(doc), "summary").text
    labels = {
        "critical": "Critical",
        "warning": "Warning",
        "ok": "OK",
        "no_data": "No data",
        "skipped": "Not applicable",
    }
    for status, label in labels.items():
        assert f"{expected.get(status, 0)} {label}" in text
    assert "3 Rule firings" in text  # stop_channel on display, cac_alert on display and paid
    assert "1 Objectives behind" in text  # one at risk


def test_status_table_for_the_as_of_period(history_doc: dict[str, Any]) -> None:
    html = render(history_doc)
    page = section(html, "status")
    assert "2026-05" not in page.text
    rows = re.findall(
        r"<tr(?: class=\"overall\")?>\s*<th class=\"segment\" scope=\"row\">([^<]*)</th>", html
    )
    assert rows == ["(overall)", "Réseaux sociaux", "display", "paid", "seo"]
    assert (
        '<span class="v critical" title="Critical">1.2%</span><span class="arrow neutral">→</span>'
        in html
    )
    assert (
        f'<span class="v warning" title="Warning">3{NBSP}570{NBSP}€</span><span class="arrow good">↓</span>'
        in html
    )
    assert '<span class="v ok" title="OK">31%</span>' in html
    assert '<span class="v skipped" title="Not applicable">30%</span>' in html
    # seo never has customers: its CAC does not apply, which is not "no data"
    assert '<span class="v no_data" title="No data">—</span>' not in html
    assert '<span class="v skipped" title="Not applicable">—</span>' in html


def test_no_data_is_data_that_stopped_coming(history_doc: dict[str, Any]) -> None:
    first = next(r for r in history_doc["rows"] if r["segment"] == {"channel": "seo"})
    first["values"]["cac"] = 120.0
    html = render(history_doc)
    assert '<span class="v no_data" title="No data">—</span>' in html
    counts = section(html, "summary").text
    assert "1 No data" in counts


def test_decisions_group_segments_by_verdict(doc: dict[str, Any]) -> None:
    html = section(render(doc), "decisions")
    assert "Garder, investir ou arrêter" in html.text
    assert "keep Réseaux sociaux invest (overall) paid" in html.text
    assert "stop display" in html.text
    assert "— seo" in html.text


def test_objectives_have_progress_bars_and_pacing(doc: dict[str, Any]) -> None:
    html = render(doc)
    page = section(html, "objectives")
    assert "Chiffre d'affaires +40 % en 12 mois" in page.text
    assert "100 000 € 121 000 € 140 000 €" in page.text
    assert "52% done · 45% expected" in page.text
    assert '<div class="fill on_track" style="width: 52.5%">' in html
    assert 'style="left: calc(45.5% - 1px)"' in html
    assert '<div class="fill at_risk" style="width: 0.0%">' in html  # negative progress
    assert '<span class="badge at_risk">At risk</span>' in html
    assert '<span class="badge no_data">No data</span>' in html


def test_firing_rules_and_actions(doc: dict[str, Any]) -> None:
    html = render(doc)
    rules = section(html, "rules")
    assert "critical Coût élevé, faible retour stop_channel for 2 periods display" in rules.text
    assert "warning cac_alert display paid" in rules.text
    actions = section(html, "actions")
    assert (
        "Coût élevé, faible retour display notify Arrêter display : ROI -83%, CAC 4500 EUR new"
        in actions.text
    )
    for row in doc["rows"]:
        row["rules"] = {name: False for name in row["rules"]}
    assert "No rule fires." in section(render(doc), "rules").text


def test_one_svg_chart_per_kpi_with_history(history_doc: dict[str, Any]) -> None:
    html = render(history_doc)
    charts = section(html, "charts")
    figures = [attrs["id"] for tag, attrs in charts.tags if tag == "figure"]
    assert figures == ["chart-conversion_rate", "chart-cac", "chart-roi", "chart-revenue_per_visit"]
    assert html.count("<svg") == 4
    assert "critical < 10% · warning < 30% (where Website sessions >= min_visits)" in charts.text
    # each chart's legend: overall, then its segments, in the colours of its lines
    colours: dict[str, set[str]] = {}
    for figure in re.findall(r"<figure.*?</figure>", html, re.S):
        legend = re.findall(r'<i style="background: (#[0-9a-f]{6})"></i>([^<]+)</span>', figure)
        assert legend[0][1] == "(overall)"
        names = {name for _, name in legend}
        assert {"(overall)", "paid", "Réseaux sociaux", "display"} <= names
        assert names <= {"(overall)", "paid", "Réseaux sociaux", "display", "seo"}
        svg = figure[figure.index("<svg") :]
        for color, name in legend:
            assert color.lower() in svg.lower()
            colours.setdefault(name, set()).add(color)
    assert all(len(c) == 1 for c in colours.values())  # one colour per segment everywhere
    assert len({next(iter(c)) for c in colours.values()}) == len(colours)  # all distinct
    assert "#fde2e1" in html  # a critical band is drawn


def test_svg_ids_are_unique_in_the_page(history_doc: dict[str, Any]) -> None:
    html = render(history_doc)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for ref in re.findall(r'(?:href="|url\()#([^")]+)', html):
        assert ref in ids


def test_without_history_there_are_no_charts_but_a_hint(doc: dict[str, Any]) -> None:
    html = render(doc)
    assert "<svg" not in html
    assert "evaluate with --history to chart KPIs over time" in section(html, "charts").text


def test_user_text_is_escaped(history_doc: dict[str, Any]) -> None:
    evil = "<script>alert('x')</script>"
    history_doc["title"] = evil
    history_doc["definitions"]["cac"]["label"] = evil
    history_doc["decision_defs"]["verdict"]["title"] = evil
    history_doc["rule_defs"]["stop_channel"]["title"] = evil
    history_doc["objectives"][0]["title"] = evil
    history_doc["actions"][0]["args"]["text"] = evil
    history_doc["warnings"].append(evil)
    for row in history_doc["rows"]:
        if row["segment"].get("channel") == "paid":
            row["segment"]["channel"] = '"><img src=x onerror=alert(1)>'
            row["decisions"]["verdict"] = evil
    html = render(history_doc)
    assert "<script" not in html.lower()
    assert "<img" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert Page(html).text.count(evil) >= 8
    assert '"><img src=x onerror=alert(1)>' in Page(html).text


def test_template_ships_inside_the_package() -> None:
    template = importlib.resources.files("kpirules.report").joinpath("templates", "report.html.j2")
    assert template.is_file()
    assert "<!DOCTYPE html>" in template.read_text(encoding="utf-8")


def test_document_with_only_the_core_keys(core_doc: dict[str, Any]) -> None:
    page = Page(render(core_doc))
    assert "funnel" in page.text
    assert "conversion_rate" in page.text and "paid" in page.text


def test_fifty_kpis_ten_segments_draw_a_handful_of_lines_each() -> None:
    doc = big_doc(kpis=50, periods=24, segments=10)
    html = render(doc)
    assert html.count("<svg") == 50
    for figure in re.findall(r"<figure.*?</figure>", html, re.S):
        legend = re.findall(r'<i style="background: #[0-9a-fA-F]{6}"></i>([^<]+)</span>', figure)
        # overall, the 3 highest and the 2 lowest; the 5 others grey, on hover
        assert legend[0] == "(overall)" and len(legend) == 1 + 5 + 1
        assert legend[-1] == "other segments (5), grouped"
        assert figure.count('class="series context"') == 5
        assert figure.count('class="series focus"') == 5


@pytest.mark.parametrize("unit", ["USD", "percent", "seconds"])
def test_dollar_signs_are_not_read_as_mathtext(history_doc: dict[str, Any], unit: str) -> None:
    history_doc["definitions"]["cac"]["unit"] = unit
    html = render(history_doc)
    assert html.count("<svg") == 4


def test_the_monthly_review_says_what_matters(history_doc: dict[str, Any]) -> None:
    review = section(render(history_doc), "review").text
    # critical now: the KPI, the segment, its value and the threshold's values
    assert "Taux de conversion · display : 1.2% (critical < 10% · warning < 30%" in review
    # the biggest change, one line per KPI, against the previous period
    changes = review.split("Biggest changes vs 2026-05")[1].split("Objectives at risk")[0]
    kpis = [c.label for c in DocView(history_doc).columns]
    assert all(changes.count(f"{label} ·") <= 1 for label in kpis)
    assert any(f"{label} ·" in changes for label in kpis)
    # objectives at risk: one line per objective, its segments listed
    assert review.count("Chiffre d'affaires +40 % en 12 mois") == 1
    assert "display 1 000 € / 2 100 €" in review
    # verdicts by segment, the overall level left out
    assert "stop : display" in review and "(overall)" not in review.split("Garder")[-1]


def test_conditions_read_with_labels_and_parameter_values(history_doc: dict[str, Any]) -> None:
    history_doc["params"] = {"min_visits": 500, "paid": 3}
    history_doc["thresholds"]["conversion_rate"][0]["where"] = (
        'visits >= min_visits and channel != "paid" and visits2 > 1')
    charts = section(render(history_doc), "charts").text
    assert '(where Website sessions >= 500 and channel != "paid" and visits2 > 1)' in charts


def test_the_review_says_when_nothing_is_critical(history_doc: dict[str, Any]) -> None:
    for row in history_doc["rows"]:
        row["status"] = {k: ("ok" if v == "critical" else v) for k, v in row["status"].items()}
    assert "Nothing is critical." in section(render(history_doc), "review").text


def test_objective_rows_where_the_kpi_never_applies_are_counted_not_shown(
    history_doc: dict[str, Any],
) -> None:
    objective = dict(history_doc["objectives"][0])
    objective.update(kpi="cac", segment={"channel": "seo"}, baseline=None, current=None,
                     progress=None, status="no_data")
    history_doc["objectives"].append(objective)  # seo never has a CAC
    page = section(render(history_doc), "objectives")
    assert "seo" not in page.text.split("Chiffre d'affaires +40 % en 12 mois")[1].split("cut_cac")[0]
    assert "not applicable to 1 segment(s)" in page.text
