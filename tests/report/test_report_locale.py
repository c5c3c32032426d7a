"""Reports in the ruleset's language: words, numbers, labels (``locale fr``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_report_html import Page, render, section

from kpirules.report import BUILTIN_FORMATS, RenderOptions
from kpirules.report.i18n import MESSAGES, Translator
from kpirules.report.values import format_value

NNBSP, NBSP = "\u202f", "\u00a0"


def french(doc: dict[str, Any]) -> dict[str, Any]:
    doc["locale"] = "fr"
    doc["dimension_defs"] = {"channel": {"label": "Canal d'acquisition"}}
    return doc


def test_both_catalogues_have_the_same_words() -> None:
    assert set(MESSAGES["fr"]) == set(MESSAGES["en"])
    assert Translator("de")("status.ok") == "OK"  # unknown locale: English


@pytest.mark.parametrize(("value", "unit", "en", "fr"), [
    (1234567, "count", f"1{NBSP}234{NBSP}567", f"1{NNBSP}234{NNBSP}567"),
    (0.025, "percent", "2.5%", f"2,5{NBSP}%"),
    (8327.01, "EUR", f"8{NBSP}327{NBSP}€", f"8{NNBSP}327{NBSP}€"),
    (12.5, "EUR", f"12.50{NBSP}€", f"12,50{NBSP}€"),
    (1.25, "ratio", "1.25", "1,25"),
    (0.0052, "points", f"+0.52{NBSP}pp", f"+0,52{NBSP}pt"),
    (-0.086, "pp", f"-8.6{NBSP}pp", f"-8,6{NBSP}pts"),
    (True, None, "true", "oui"),
])
def test_numbers_in_each_language(value: Any, unit: str, en: str, fr: str) -> None:
    assert format_value(value, unit) == en
    assert format_value(value, unit, "fr") == fr


def test_the_html_report_speaks_french(history_doc: dict[str, Any]) -> None:
    html = render(french(history_doc))
    assert '<html lang="fr">' in html
    text = Page(html).text
    for words in ("Revue du mois", "État par Canal d'acquisition", "Indicateurs dans le temps",
                  "Règles déclenchées", "Décisions", "Objectifs", "Critique", "Sans données",
                  "Sans objet", "zone critique", "(ensemble)"):
        assert words in text, words
    for english in ("Status by", "KPIs over time", "Rules firing", "Decisions", "No data",
                    "Critical", "(overall)", "Objectives", "critical zone"):
        assert english not in text, english
    # French numbers everywhere, axes included
    assert "3 570 €" in text and "31 %" in text
    assert re.search(r">\d+\u00a0%</text>", html)


def test_thresholds_show_values_not_parameter_names(history_doc: dict[str, Any]) -> None:
    clause = history_doc["thresholds"]["cac"][0]["clauses"][1]
    clause["text"] = "> cac_warning"  # written with a parameter in the rule file
    charts = section(render(french(history_doc)), "charts").text
    assert "critique > 4 000 € · alerte > 2 400 €" in charts
    assert "cac_warning" not in charts


def test_declared_dimension_labels_are_used_in_every_human_format(doc: dict[str, Any]) -> None:
    french(doc)
    for name in ("html", "markdown", "table"):
        text = BUILTIN_FORMATS[name].render(doc, RenderOptions(width=200))
        assert "Canal d'acquisition" in text.replace("&#39;", "'"), name


def test_the_terminal_table_speaks_french(history_doc: dict[str, Any]) -> None:
    text = BUILTIN_FORMATS["table"].render(french(history_doc), RenderOptions(width=200))
    assert "Règles déclenchées en 2026-06" in text
    assert "Objectifs" in text and "en bonne voie" in text
    assert "Rules firing" not in text and "Objectives" not in text


def test_objectives_are_grouped_with_the_title_once(doc: dict[str, Any]) -> None:
    html = render(doc)
    page = section(html, "objectives")
    assert page.text.count("Chiffre d'affaires +40 % en 12 mois") == 1
    assert html.count('<tr class="obj-title">') == len({o["name"] for o in doc["objectives"]})
