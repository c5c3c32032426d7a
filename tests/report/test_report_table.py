"""The ``table`` format (Rich, for terminals)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rich.cells import cell_len

from kpirules.report import BUILTIN_FORMATS, RenderOptions
from kpirules.report.values import NBSP

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def render(doc: dict[str, Any], **options: Any) -> str:
    return BUILTIN_FORMATS["table"].render(doc, RenderOptions(**options))


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


def test_plain_text_has_no_escape_code_at_all(history_doc: dict[str, Any]) -> None:
    out = render(history_doc, color=False)
    assert "\x1b" not in out


def test_colour_marks_statuses_and_trends(history_doc: dict[str, Any]) -> None:
    out = render(history_doc, color=True, width=160)
    # display's conversion rate is critical: bold red, with its marker
    assert "\x1b[1;31m1.2%\x1b[0m\x1b[1;31m !!" in out
    # Réseaux sociaux converts at 31%: ok, green
    assert "\x1b[32m31%\x1b[0m" in out
    # CAC goes down and lower is better: a green arrow
    assert "\x1b[32m ↓\x1b[0m" in out
    # seo's conversion is not judged (too little volume): dim
    assert "\x1b[2m30%\x1b[0m" in out
    # the colour never changes the text
    assert ANSI.sub("", out) == render(history_doc, color=False, width=160)


def test_header_names_ruleset_and_as_of_period(doc: dict[str, Any]) -> None:
    first = render(doc).splitlines()[0]
    assert first.startswith("Entonnoir marketing & ventes")
    assert "funnel" in first and "month" in first and "as of 2026-06" in first


def test_title_option_overrides_the_ruleset_title(doc: dict[str, Any]) -> None:
    assert render(doc, title="Revue mensuelle").startswith("Revue mensuelle")


def test_segments_are_rows_overall_first_with_formatted_values(doc: dict[str, Any]) -> None:
    out = plain(render(doc, width=200))
    lines = out.splitlines()
    segment_rows = [
        line.split()[0]
        for line in lines
        if line.startswith(("(overall)", "Réseaux", "display", "paid", "seo"))
    ]
    assert segment_rows[:5] == ["(overall)", "Réseaux", "display", "paid", "seo"]
    overall = next(line for line in lines if line.startswith("(overall)"))
    assert "14% !" in overall  # warning
    assert "3 570 € !" in overall
    assert "226%" in overall and "16.26" in overall and "invest" in overall
    display = next(line for line in lines if line.startswith("display"))
    assert "1.2% !!" in display and "6 261 € !!" in display and "stop" in display
    seo = next(line for line in lines if line.startswith("seo"))
    assert "30% ~" in seo  # skipped: not judged
    assert "—" in seo  # CAC has no data
    assert "Réseaux sociaux" in out


def test_columns_are_kpi_labels_not_metrics(doc: dict[str, Any]) -> None:
    header_block = plain(render(doc, width=200)).split("───")[0]
    for word in (
        "Taux",
        "conversion",
        "Coût",
        "d'acquisition",
        "client",
        "ROI",
        "revenue_per_visit",
    ):
        assert word in header_block
    # metrics without a threshold are not columns
    assert "Website sessions" not in header_block and "Dépenses" not in header_block


def test_one_table_per_period_only_with_history(
    doc: dict[str, Any], history_doc: dict[str, Any]
) -> None:
    single = render(doc, width=200)
    assert re.findall(r"^2026-\d\d\b", single, re.M) == ["2026-06"]
    full = render(history_doc, width=200)
    assert re.findall(r"^(2026-\d\d)\b", full, re.M) == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
    ]
    assert "2026-06 (as of)" in full


def test_trend_arrows_only_against_an_existing_previous_period(
    doc: dict[str, Any], history_doc: dict[str, Any]
) -> None:
    assert not set("↑↓→") & set(render(doc, width=200).split("Status:")[0])
    out = plain(render(history_doc, width=200))
    first_table = out.split("2026-02")[0]
    assert not set("↑↓→") & set(first_table)  # nothing before the first period
    last = out.split("2026-06 (as of)")[1].split("Status:")[0]
    assert "3 570 € ! ↓" in last  # CAC went down from 3 649 €
    assert "16.26 ↑" in last
    assert "226% →" in last  # same value once formatted: flat


def test_rules_objectives_actions_and_warnings(doc: dict[str, Any]) -> None:
    out = plain(render(doc, width=160))
    rules = out.split("Rules firing at 2026-06")[1].split("Objectives")[0]
    assert "critical" in rules and "Coût élevé, faible retour (stop_channel)" in rules
    assert re.search(r"warning\s+cac_alert\s+display, paid", rules)
    objectives = out.split("Objectives")[1].split("Actions")[0]
    assert "Chiffre d'affaires +40 % en 12 mois (by 2026-12)" in objectives
    assert "121 000 €" in objectives and "100 000 € → 140 000 €" in objectives
    assert "█████░░░░░ 52%" in objectives and "on track" in objectives
    assert "░░░░░░░░░░ -83%" in objectives and "at risk" in objectives
    assert "no data" in objectives
    actions = out.split("Actions")[1]
    assert "stop_channel" in actions and "notify" in actions and "new" in actions
    assert "Arrêter display : ROI -83%, CAC 4500 EUR" in actions
    assert "column 'clics' is numeric" in out.split("Warnings")[1]


def test_no_rule_firing_is_said(doc: dict[str, Any]) -> None:
    for row in doc["rows"]:
        row["rules"] = {name: False for name in row["rules"]}
    assert "No rule fires." in render(doc)


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_lines_fit_the_width_and_numbers_never_break(
    history_doc: dict[str, Any], width: int
) -> None:
    out = render(history_doc, width=width)
    for line in out.splitlines():
        assert cell_len(line) <= width, line
    # A wide ruleset is split into several tables rather than squeezed.
    if width <= 80:
        assert "2026-06 (continued)" in out
    assert "3 570 €" in plain(out)


def test_objectives_become_a_list_on_a_narrow_terminal(doc: dict[str, Any]) -> None:
    out = plain(render(doc, width=70))
    objectives = out.split("Objectives")[1].split("Actions")[0]
    assert "- Chiffre d'affaires +40 % en 12 mois (by 2026-12)\n" in objectives
    assert "    (overall): on track, 121 000 € (100 000 € → 140 000 €)\n" in objectives
    assert "    display: at risk, 1 000 € (1 500 € → 2 100 €)\n" in objectives
    assert "    progress █████░░░░░ 52%, expected 45%\n" in objectives


def test_labels_are_never_read_as_rich_markup(doc: dict[str, Any]) -> None:
    doc["definitions"]["roi"]["label"] = "[red]ROI[/red]"
    doc["rows"][1]["segment"] = {"channel": "[link=x]Réseaux[/link]"}
    out = render(doc, width=200, color=True)
    assert "[red]ROI[/red]" in ANSI.sub("", out)
    assert "[link=x]Réseaux[/link]" in ANSI.sub("", out)


def test_document_with_only_the_core_keys(core_doc: dict[str, Any]) -> None:
    out = plain(render(core_doc, width=200))
    assert out.splitlines()[0].startswith("funnel")
    # without definitions, every value is a column, under its name
    assert "visits" in out and "conversion_rate" in out
    assert "(overall)" in out and "paid" in out
