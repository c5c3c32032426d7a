"""The reports' "why" section: for each KPI whose status worsened at the as-of period, why.

The report formats work from the JSON document only, and sit below this
package: :func:`worsened_whys` (run where the
:class:`~kpirules.engine.result.Result` is at hand) puts in the document, under
``"why"``, each explanation as ready-to-print strings (:func:`why_context`) for
the template ``report/templates/why.html.j2``, which only lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kpirules.answers.wording import amount, locale_of, segment_text, short_answer, signed, words
from kpirules.engine.frame_columns import SEG, P, status_col
from kpirules.engine.result import Result
from kpirules.errors import KpirulesError
from kpirules.lang.levels import STATUS_RANK


def worsened_whys(result: Result, limit: int = 10) -> list[dict[str, Any]]:
    """Why each KPI whose overall status is worse than in the period before changed, as strings.

    Statuses compare as ok < warning < critical (``no_data`` and ``skipped``
    are no judgement, so no worsening). A KPI whose change cannot be split
    (a null value) is left out. At most ``limit``, in the ruleset's order.
    """
    full = result.full
    if full is None or result.as_of <= result.first:
        return []
    rs = result.ruleset
    overall = full.filter(full[SEG] == 0)
    now = overall.filter(overall[P] == result.as_of)
    before = overall.filter(overall[P] == result.as_of - 1)
    out: list[dict[str, Any]] = []
    for name in rs.thresholds:
        column = status_col(name)
        was, is_ = before[column][0], now[column][0]
        if was not in STATUS_RANK or is_ not in STATUS_RANK or STATUS_RANK[is_] <= STATUS_RANK[was]:
            continue
        try:
            why = result.why(name)
        except KpirulesError:
            continue
        doc = why.to_dict()
        doc.update(status_from=was, status_to=is_, dimensions=list(why.dimensions), input_units=dict(why.units),
                   locale=locale_of(rs))
        out.append(why_context({"why": [doc]})[0])
        if len(out) == limit:
            break
    return out


def why_context(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The document's ``"why"`` entries as strings for the report template."""
    out = []
    for why in doc.get("why") or []:
        locale = why.get("locale", "en")
        w = words(locale)
        unit = why.get("unit")
        units = why.get("input_units", {})
        dims = why.get("dimensions") or []
        out.append({
            "kpi": why["kpi"],
            "document": {k: v for k, v in why.items() if k not in ("locale", "input_units")},
            "title": why.get("label") or why["kpi"],
            "status": f"{why['status_from']} → {why['status_to']}",
            "change": f"{amount(why['from_value'], unit, locale)} → {amount(why['value'], unit, locale)} "
                      f"({signed(why['change'], unit, locale)})",
            "periods": f"{why['from']} → {why['period']}",
            "sentence": short_answer(why, locale),
            "headers": {"input": w["by_input"], "from": w["from"], "to": w["to"],
                        "contribution": w["contribution"],
                        "segment": w["by_segment"].format(dims=", ".join(dims))},
            "inputs": [{"name": s["name"], "from": amount(s["from"], units.get(s["name"]), locale),
                        "to": amount(s["to"], units.get(s["name"]), locale),
                        "contribution": signed(s["contribution"], unit, locale),
                        "up": s["contribution"] > 0} for s in why["by_input"]],
            "segments": [{"name": segment_text(s["segment"], locale, len(dims)),
                          "contribution": signed(s["contribution"], unit, locale),
                          "up": s["contribution"] > 0} for s in why["by_segment"]],
        })
    return out
