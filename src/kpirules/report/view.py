"""A read-only view of the JSON document, shared by the human formats.

The table, Markdown and HTML formats show the same things (columns, segment
names, trends, firing rules, objectives); this module derives them once from
the document so the three stay consistent. It tolerates documents that carry
only the core keys of interfaces §3 (a plugin's or an older kpirules'
output): every extra key of docs/internals.md is optional here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kpirules.engine.segment import Segment
from kpirules.lang.levels import SEVERITIES as RULE_SEVERITIES
from kpirules.report.i18n import Translator, locale_of
from kpirules.report.values import format_value, is_number

#: KPI statuses from the worst to the best, as reports list them.
STATUSES = ("critical", "warning", "ok", "no_data", "skipped")
SEVERITIES = tuple(reversed(RULE_SEVERITIES))  # most severe first, as reports list them


@attrs.frozen
class Column:
    """A value shown as a column: a KPI, or a metric that has a threshold."""

    name: str
    label: str
    unit: str | None
    better: str | None
    kind: str


@attrs.frozen
class Trend:
    """The direction of a value against the previous period.

    ``tone`` is ``good``, ``bad`` or ``neutral`` according to ``better``.
    """

    arrow: str
    tone: str


def segment_label(
    segment: Mapping[str, Any] | None,
    dimensions: Iterable[str] = (),
    tr: Translator | None = None,
) -> str:
    """How a segment is named for people (:meth:`Segment.label`), in the translator's language.

    The overall row is ``(overall)``, an empty value ``(empty)``; with a
    translator, both words are in its language (``(ensemble)``, ``(vide)``).
    """
    if tr is None:
        return Segment.of(segment).label(dimensions)
    return Segment.of(segment).label(dimensions, overall=tr("overall"), empty=tr("empty_value"))


class DocView:
    """Convenient, precomputed access to one evaluation document."""

    def __init__(self, doc: Mapping[str, Any], title: str | None = None) -> None:
        self.doc = doc
        self.rows: list[dict[str, Any]] = list(doc.get("rows") or [])
        self.dimensions: list[str] = list(doc.get("dimensions") or [])
        self.as_of: str | None = doc.get("as_of")
        self.definitions: dict[str, dict[str, Any]] = dict(doc.get("definitions") or {})
        self.thresholds: dict[str, list[dict[str, Any]]] = dict(doc.get("thresholds") or {})
        self.decision_defs: dict[str, dict[str, Any]] = dict(doc.get("decision_defs") or {})
        self.rule_defs: dict[str, dict[str, Any]] = dict(doc.get("rule_defs") or {})
        self.objectives: list[dict[str, Any]] = list(doc.get("objectives") or [])
        self.actions: list[dict[str, Any]] = list(doc.get("actions") or [])
        self.title: str = title or doc.get("title") or doc.get("ruleset") or "kpirules report"
        self.locale: str = locale_of(doc)
        self.tr = Translator(self.locale)
        self.dimension_defs: dict[str, dict[str, Any]] = dict(doc.get("dimension_defs") or {})
        self.periods: list[str] = self._periods()
        if self.as_of is None and self.periods:
            self.as_of = self.periods[-1]
        self._by_key: dict[tuple[str, Segment], dict[str, Any]] = {
            (row["period"], Segment.of(row.get("segment"))): row for row in self.rows
        }
        self.columns: list[Column] = self._columns()
        self.decisions: list[str] = self._ordered_keys("decisions", self.decision_defs)
        self.rules: list[str] = self._ordered_keys("rules", self.rule_defs)
        self._applicable: set[tuple[Segment, str]] | None = None

    # -- periods and rows -------------------------------------------------

    def _periods(self) -> list[str]:
        seen: dict[str, None] = {}
        for period in self.doc.get("periods") or []:
            seen.setdefault(period, None)
        for row in self.rows:
            seen.setdefault(row["period"], None)
        return list(seen)

    def shown_periods(self) -> list[str]:
        """The periods a report shows in full: all of them with history, else as-of."""
        if self.doc.get("history"):
            return list(self.periods)
        return [self.as_of] if self.as_of is not None else []

    def rows_of(self, period: str | None) -> list[dict[str, Any]]:
        """The rows of one period, the overall row first, then the document's order."""
        rows = [row for row in self.rows if row.get("period") == period]
        return sorted(rows, key=lambda row: 0 if not row.get("segment") else 1)

    def previous_period(self, period: str) -> str | None:
        """The period before ``period`` in the document, if it holds one."""
        try:
            index = self.periods.index(period)
        except ValueError:
            return None
        return self.periods[index - 1] if index > 0 else None

    def row(self, period: str | None, segment: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The row of one period and segment, or ``None``."""
        if period is None:
            return None
        return self._by_key.get((period, Segment.of(segment)))

    def segment_name(self, segment: Mapping[str, Any] | None) -> str:
        """The people-facing name of a segment (see :func:`segment_label`)."""
        return segment_label(segment, self.dimensions, self.tr)

    def dimension_label(self, name: str) -> str:
        """A dimension's declared label (``dimension canal "Canal d'acquisition"``), or its name."""
        return (self.dimension_defs.get(name) or {}).get("label") or name

    def dimensions_title(self) -> str:
        """The dimensions as a table header names them: ``Canal / Campagne``."""
        return " / ".join(self.dimension_label(d) for d in self.dimensions) or self.tr("segment")

    def segments(self) -> list[dict[str, Any]]:
        """Every segment of the document, overall first, in document order."""
        seen: dict[Segment, dict[str, Any]] = {}
        for row in self.rows:
            seen.setdefault(Segment.of(row.get("segment")), dict(row.get("segment") or {}))
        return sorted(seen.values(), key=lambda seg: 0 if not seg else 1)

    # -- definitions ------------------------------------------------------

    def _columns(self) -> list[Column]:
        """KPIs, then metrics that carry a status; every value without definitions."""
        statused: dict[str, None] = {}
        for row in self.rows:
            for name in row.get("status") or {}:
                statused.setdefault(name, None)
        if self.definitions:
            names = [
                n for n, d in self.definitions.items() if d.get("kind") == "kpi" or n in statused
            ]
            names += [n for n in statused if n not in self.definitions]
        else:
            values: dict[str, None] = {}
            for row in self.rows:
                for name in row.get("values") or {}:
                    values.setdefault(name, None)
            names = list(values) + [n for n in statused if n not in values]
        return [self.column(name) for name in names]

    def column(self, name: str) -> Column:
        """The column describing one metric or KPI (its name when undefined)."""
        definition = self.definitions.get(name) or {}
        return Column(
            name=name,
            label=definition.get("label") or name,
            unit=definition.get("unit"),
            better=definition.get("better"),
            kind=definition.get("kind") or "kpi",
        )

    def value_names(self) -> list[str]:
        """Every metric and KPI of the document: definitions order, then first seen."""
        names: dict[str, None] = dict.fromkeys(self.definitions)
        for row in self.rows:
            for name in row.get("values") or {}:
                names.setdefault(name, None)
        return list(names)

    def _ordered_keys(self, key: str, defs: Mapping[str, Any]) -> list[str]:
        names: dict[str, None] = dict.fromkeys(defs)
        for row in self.rows:
            for name in row.get(key) or {}:
                names.setdefault(name, None)
        return list(names)

    def decision_title(self, name: str) -> str:
        """A decision's title, or its name."""
        return (self.decision_defs.get(name) or {}).get("title") or name

    def rule_title(self, name: str) -> str:
        """A rule's title, or its name."""
        return (self.rule_defs.get(name) or {}).get("title") or name

    def rule_severity(self, name: str) -> str:
        """A rule's severity (``warning`` when the document does not say)."""
        return (self.rule_defs.get(name) or {}).get("severity") or "warning"

    def unit_of(self, name: str) -> str | None:
        """The unit of a metric or KPI, if defined."""
        return (self.definitions.get(name) or {}).get("unit")

    def fmt(self, name: str, value: Any) -> str:
        """A value of ``name`` formatted for people by its unit."""
        return format_value(value, self.unit_of(name), self.locale)

    def fmt_unit(self, value: Any, unit: str | None) -> str:
        """A value formatted by ``unit`` in the document's locale."""
        return format_value(value, unit, self.locale)

    # -- derived facts ----------------------------------------------------

    def trend(self, row: Mapping[str, Any], column: Column) -> Trend | None:
        """The arrow of ``column`` in ``row`` against the previous period's row.

        ``None`` without a previous row or with a missing value. Values that
        look the same once formatted count as flat (``→``): an arrow should
        never contradict the numbers the reader sees.
        """
        previous = self.previous_period(row["period"])
        if previous is None:
            return None
        before = self.row(previous, row.get("segment"))
        if before is None:
            return None
        now = (row.get("values") or {}).get(column.name)
        then = (before.get("values") or {}).get(column.name)
        if not (is_number(now) and is_number(then)):
            return None
        if self.fmt_unit(now, column.unit) == self.fmt_unit(then, column.unit) or now == then:
            return Trend("→", "neutral")
        up = now > then
        arrow = "↑" if up else "↓"
        if column.better == "higher":
            return Trend(arrow, "good" if up else "bad")
        if column.better == "lower":
            return Trend(arrow, "bad" if up else "good")
        return Trend(arrow, "neutral")

    def status_counts(self, period: str | None = None) -> dict[str, int]:
        """How many (row, KPI) statuses of each kind a period has (as-of by default).

        A ``no_data`` where the KPI never has a value for that segment in the
        whole document is counted as ``skipped`` (not applicable: an e-mail
        open rate on the SEO channel), so that "no data" is the real signal
        of data that stopped coming.
        """
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows_of(period or self.as_of):
            for name, status in (row.get("status") or {}).items():
                shown = self.shown_status(row, name, status) or "no_data"
                counts[shown] = counts.get(shown, 0) + 1
        return counts

    def shown_status(self, row: Mapping[str, Any], name: str, status: str | None) -> str | None:
        """``status``, or ``skipped`` for a ``no_data`` where the KPI does not apply."""
        if status == "no_data" and not self.applies(row.get("segment"), name):
            return "skipped"
        return status

    def applies(self, segment: Mapping[str, Any] | None, name: str) -> bool:
        """Whether ``name`` has a value for ``segment`` in some period of the document.

        With a single period there is nothing to compare, and every KPI applies.
        """
        if len(self.periods) < 2:
            return True
        if self._applicable is None:
            found: set[tuple[Segment, str]] = set()
            for row in self.rows:
                key = Segment.of(row.get("segment"))
                for value_name, value in (row.get("values") or {}).items():
                    if value is not None:
                        found.add((key, value_name))
            self._applicable = found
        return (Segment.of(segment), name) in self._applicable

    def firing(self, period: str | None = None) -> list[tuple[str, list[dict[str, Any]]]]:
        """Rules firing at a period (as-of by default) with the segments they fire for."""
        result = []
        rows = self.rows_of(period or self.as_of)
        for name in self.rules:
            segments = [
                dict(r.get("segment") or {}) for r in rows if (r.get("rules") or {}).get(name)
            ]
            if segments:
                result.append((name, segments))
        order = {s: i for i, s in enumerate(SEVERITIES)}
        result.sort(key=lambda item: order.get(self.rule_severity(item[0]), len(order)))
        return result

    def objective_label(self, objective: Mapping[str, Any]) -> str:
        """An objective's title, or its name."""
        return str(objective.get("title") or objective.get("name") or "")

    def warnings(self) -> list[str]:
        """Data warnings and bad-value notes, as sentences."""
        notes = [_as_text(w) for w in self.doc.get("warnings") or []]
        bad = self.doc.get("bad_values")
        if isinstance(bad, list) and bad:
            notes.append(self.tr("bad_values", count=len(bad)))
        elif is_number(bad) and bad:
            notes.append(self.tr("bad_values", count=bad))
        return notes


def _as_text(item: Any) -> str:
    """A warning may be a string or a dict carrying a ``message``."""
    if isinstance(item, Mapping):
        return str(item.get("message") or item)
    return str(item)


def action_args_text(args: Mapping[str, Any] | None) -> str:
    """An action's arguments as ``key=value`` pairs, or the lone ``text`` argument."""
    args = dict(args or {})
    if list(args) == ["text"]:
        return str(args["text"])
    return ", ".join(f"{k}={'null' if v is None else v}" for k, v in args.items())
