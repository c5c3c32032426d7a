"""The ruleset's ``locale en|fr`` (language §2): parsed, checked, formatted."""

from __future__ import annotations

import pytest

import kpirules
from kpirules.lang.formatter import format_text


def test_locale_defaults_to_english_and_reads_french() -> None:
    assert kpirules.loads("ruleset r\nmetric m\n").locale == "en"
    assert kpirules.loads("ruleset r\n  locale fr\nmetric m\n").locale == "fr"


@pytest.mark.parametrize("header", ["ruleset r\n  grain week\n  locale fr\n",
                                    "ruleset r\n  locale fr\n  grain week\n"])
def test_locale_and_grain_in_either_order(header: str) -> None:
    rs = kpirules.loads(header + "metric m\n")
    assert (rs.locale, rs.grain) == ("fr", "week")


def test_an_unknown_locale_is_an_error_with_its_place_and_a_hint() -> None:
    with pytest.raises(kpirules.RuleFileError) as error:
        kpirules.loads("ruleset r\n  locale fre\nmetric m\n", path="x.kpi")
    diag = error.value.diagnostics[0]
    assert (diag.line, diag.column, diag.code) == (2, 10, "bad-locale")
    assert '"fre"' in diag.message and "fr" in (diag.hint or "")


def test_a_locale_given_twice_is_an_error() -> None:
    with pytest.raises(kpirules.RuleFileError) as error:
        kpirules.loads("ruleset r\n  locale fr\n  locale en\nmetric m\n", path="x.kpi")
    diag = error.value.diagnostics[0]
    assert (diag.line, diag.code) == (3, "duplicate-locale")


def test_the_formatter_keeps_the_locale() -> None:
    text = "ruleset r \"T\"\n  grain month\n  locale fr\n\nmetric m\n"
    formatted = format_text(text)
    assert "\n  locale fr\n" in formatted
    assert format_text(formatted) == formatted


def test_locale_is_in_the_json_document() -> None:
    rs = kpirules.loads('ruleset r\n  locale fr\ndimension canal "Canal d\'acquisition"\nmetric m\n')
    doc = rs.evaluate([{"period": "2026-01", "canal": "seo", "m": 1}]).to_dict()
    assert doc["locale"] == "fr"
    assert doc["dimension_defs"] == {"canal": {"label": "Canal d'acquisition"}}
