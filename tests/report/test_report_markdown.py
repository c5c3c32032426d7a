"""The ``markdown`` format."""

from __future__ import annotations

import re
from typing import Any

from kpirules.report import BUILTIN_FORMATS, RenderOptions
from kpirules.report.values import NBSP


def render(doc: dict[str, Any], **options: Any) -> str:
    return BUILTIN_FORMATS["markdown"].render(doc, RenderOptions(**options)).replace(NBSP, " ")


def cells(line: str) -> list[str]:
    """The cells of a Markdown table line, honouring escaped pipes."""
    inner = line.strip()[1:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", inner)]


def tables(text: str) -> list[list[str]]:
    """Each table of the page as its list of lines."""
    found: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def test_title_and_facts(doc: dict[str, Any]) -> None:
    out = render(doc, generated_at="2026-07-01 08:00")
    assert out.startswith("# Entonnoir marketing & ventes\n")
    assert "`funnel` · month · as of **2026-06** · generated 2026-07-01 08:00" in out


def test_every_table_is_well_formed(history_doc: dict[str, Any]) -> None:
    found = tables(render(history_doc))
    assert len(found) == 6 + 3  # six periods, rules, objectives, actions
    for table in found:
        width = len(cells(table[0]))
        assert re.fullmatch(r"\|(---:?\|)+", table[1])
        for line in table:
            assert len(cells(line)) == width, line


def test_status_table_content(doc: dict[str, Any]) -> None:
    out = render(doc)
    status = tables(out)[0]
    assert cells(status[0]) == [
        "channel", "Taux de conversion", "Coût d'acquisition client", "ROI",
        "revenue_per_visit", "Garder, investir ou arrêter",
    ]  # fmt: skip
    assert status[1] == "|---|---:|---:|---:|---:|---|"
    rows = {cells(line)[0]: cells(line)[1:] for line in status[2:]}
    assert list(rows) == ["(overall)", "Réseaux sociaux", "display", "paid", "seo"]
    assert rows["display"] == ["🔴 1.2%", "🔴 6 261 €", "-83%", "0.30", "**stop**"]
    assert rows["Réseaux sociaux"][0] == "🟢 31%"
    assert rows["seo"][:2] == ["➖ 30%", "⚪ —"]
    assert rows["seo"][-1] == "—"  # no decision


def test_trend_arrows_with_history(history_doc: dict[str, Any]) -> None:
    out = render(history_doc)
    assert "## 2026-06 (as of)" in out
    last = tables(out)[5]
    overall = cells(last[2])
    assert overall[0] == "(overall)"
    assert overall[2] == "🟡 3 570 € ↓"
    first = tables(out)[0]
    assert not set("↑↓→") & set("".join(first))


def test_rules_objectives_actions_warnings(doc: dict[str, Any]) -> None:
    out = render(doc)
    rules, objectives, actions = tables(out)[1:4]
    assert cells(rules[2]) == [
        "🔴 critical",
        "Coût élevé, faible retour (`stop_channel`)",
        "display",
    ]
    assert cells(rules[3]) == ["🟡 warning", "cac_alert", "display, paid"]
    assert cells(objectives[2]) == [
        "Chiffre d'affaires +40 % en 12 mois", "(overall)", "100 000 €", "121 000 €",
        "140 000 €", "52%", "45%", "2026-12", "🟢 on track",
    ]  # fmt: skip
    assert cells(objectives[4])[-1] == "⚪ no data"
    assert cells(actions[2]) == [
        "`stop_channel`", "display", "notify", "new", "Arrêter display : ROI -83%, CAC 4500 EUR"
    ]  # fmt: skip
    assert "## Warnings\n\n- column 'clics' is numeric" in out


def test_user_text_cannot_break_tables_or_inject_html(doc: dict[str, Any]) -> None:
    doc["definitions"]["roi"]["label"] = "ROI | <script>alert(1)</script>"
    doc["rows"][1]["segment"] = {"channel": "a|b"}
    out = render(doc)
    assert "<script>" not in out
    assert "ROI \\| &lt;script&gt;alert(1)&lt;/script&gt;" in out
    status = tables(out)[0]
    assert all(len(cells(line)) == len(cells(status[0])) for line in status)
    assert cells(status[3])[0] == "a\\|b"


def test_no_rule_fires(doc: dict[str, Any]) -> None:
    for row in doc["rows"]:
        row["rules"] = {name: False for name in row["rules"]}
    assert "## Rules firing at 2026-06\n\nNo rule fires." in render(doc)
