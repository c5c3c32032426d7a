"""The report's view of a typed :class:`~kpirules.engine.result.Result`.

:class:`~kpirules.report.view.DocView` derives what a report shows from a
JSON document by walking its rows, since a format plugin gets only the
document. The built-in HTML report has the result itself: here the periods,
the segments, the status counts, the rules firing, where a KPI applies and
the warnings are read from the result's frame (with Polars) and its typed
fields; the document (the same result's, with what the command or the job
added: ``why``, ``segments_total``, the actions' outcomes) only gives the
cells their values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from kpirules.engine.frame_columns import SEG, P, rule_col, status_col
from kpirules.engine.segment import Segment
from kpirules.lang import periods as periods_mod
from kpirules.report.view import SEVERITIES, STATUSES, DocView

if TYPE_CHECKING:
    from kpirules.engine.result import Result


class ResultView(DocView):
    """A :class:`DocView` whose derived facts come from ``result`` (the rows of ``doc``)."""

    def __init__(self, result: Result, doc: Mapping[str, Any], title: str | None = None) -> None:
        self.result = result
        self._indices = result.frame[P].unique(maintain_order=True).to_list()
        super().__init__(doc, title)
        self._found: pl.DataFrame | None = None

    def _label(self, index: int) -> str:
        return periods_mod.label(index, self.result.ruleset.grain)

    def _index(self, period: str | None) -> int | None:
        return next((i for i in self._indices if self._label(i) == period), None)

    def _periods(self) -> list[str]:
        return [self._label(index) for index in self._indices]

    def _rows_at(self, period: str | None) -> pl.DataFrame:
        """The frame's rows of ``period``, the overall row first, then the frame's order."""
        index = self._index(period)
        rows = self.result.frame.filter(pl.col(P) == index) if index is not None else self.result.frame.head(0)
        return rows.sort(pl.col(SEG) != 0, maintain_order=True)

    def _segment(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {} if row[SEG] == 0 else {d: row[d] for d in self.result.dimensions}

    def segments(self) -> list[dict[str, Any]]:
        frame = self.result.frame.select(SEG, *self.result.dimensions).unique(SEG, maintain_order=True)
        found = [self._segment(row) for row in frame.iter_rows(named=True)]
        return sorted(found, key=lambda seg: 0 if not seg else 1)

    def _having_values(self) -> pl.DataFrame:
        """``SEG``, ``name``: each value that has a value for the segment in some period."""
        if self._found is None:
            names = [n for n in self.value_names() if n in self.result.frame.columns]
            self._found = (self.result.frame.select(SEG, *names).unpivot(index=SEG, variable_name="name")
                           .filter(pl.col("value").is_not_null()).select(SEG, "name").unique())
        return self._found

    def applies(self, segment: Mapping[str, Any] | None, name: str) -> bool:
        if len(self.periods) < 2:
            return True
        seg = self._segment_ids().get(Segment.of(segment))
        applicable = self._having_values()
        return seg is not None and applicable.filter((pl.col(SEG) == seg) & (pl.col("name") == name)).height > 0

    def _segment_ids(self) -> dict[Segment, int]:
        frame = self.result.frame.select(SEG, *self.result.dimensions).unique(SEG, maintain_order=True)
        return {Segment(self._segment(row).items()): row[SEG] for row in frame.iter_rows(named=True)}

    def status_counts(self, period: str | None = None) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        names = list(self.result.ruleset.thresholds)
        rows = self._rows_at(period or self.as_of)
        if not names or rows.height == 0:
            return counts
        statuses = rows.select(SEG, *(pl.col(status_col(n)).alias(n) for n in names)).unpivot(
            index=SEG, variable_name="name", value_name="status")
        if len(self.periods) >= 2:  # a no_data where the value never exists for the segment: skipped
            applicable = self._having_values().with_columns(pl.lit(True).alias("applies"))
            statuses = statuses.join(applicable, on=[SEG, "name"], how="left").with_columns(
                pl.when((pl.col("status") == "no_data") & pl.col("applies").is_null())
                .then(pl.lit("skipped")).otherwise(pl.col("status")).alias("status"))
        shown = statuses.select(pl.col("status").fill_null("no_data")).group_by("status", maintain_order=True).len()
        for status, count in shown.iter_rows():
            counts[status] = counts.get(status, 0) + count
        return counts

    def firing(self, period: str | None = None) -> list[tuple[str, list[dict[str, Any]]]]:
        rows = self._rows_at(period or self.as_of)
        found = []
        for name in self.rules:
            if rule_col(name) not in rows.columns:
                continue
            segments = [self._segment(row) for row in
                        rows.filter(pl.col(rule_col(name))).select(SEG, *self.result.dimensions).iter_rows(named=True)]
            if segments:
                found.append((name, segments))
        order = {s: i for i, s in enumerate(SEVERITIES)}
        found.sort(key=lambda item: order.get(self.rule_severity(item[0]), len(order)))
        return found

    def warnings(self) -> list[str]:
        notes = [str(warning) for warning in self.result.warnings]
        if self.result.bad_values:
            notes.append(self.tr("bad_values", count=self.result.bad_values))
        return notes
