"""The objectives of a document as every report shows them: one typed row per objective and level.

The table, Markdown and HTML formats (and the review) read these rows; none
of them picks fields out of the document's ``objectives`` itself, so a field
is named, defaulted and formatted in one place.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from kpirules.report.view import DocView

#: Objective statuses that count as behind.
BEHIND = ("at_risk", "missed")


@frozen
class ObjectiveRow:
    """One objective at one level; values formatted by the KPI's unit in the document's language."""

    name: str  # the objective's name (its title when it has no name)
    label: str  # its title, or its name
    kpi: str
    kpi_label: str
    segment: dict[str, Any]
    segment_name: str
    baseline: str
    current: str
    goal: str
    progress: Any  # the fraction of the way done, as the document has it (a number or null)
    progress_text: str
    expected_progress: Any
    expected_text: str
    deadline: str | None
    status: str  # achieved, on_track, at_risk, missed, no_data
    status_label: str

    @property
    def overall(self) -> bool:
        return not self.segment

    @property
    def behind(self) -> bool:
        return self.status in BEHIND


def objective_rows(view: DocView) -> list[ObjectiveRow]:
    """Every objective of the document, in its order."""
    rows = []
    for objective in view.objectives:
        kpi = str(objective.get("kpi") or "")
        status = str(objective.get("status") or "no_data")
        label = view.objective_label(objective)
        segment = dict(objective.get("segment") or {})
        rows.append(ObjectiveRow(
            name=str(objective.get("name") or label),
            label=label,
            kpi=kpi,
            kpi_label=view.column(kpi).label if kpi else "",
            segment=segment,
            segment_name=view.segment_name(segment),
            baseline=view.fmt(kpi, objective.get("baseline")),
            current=view.fmt(kpi, objective.get("current")),
            goal=view.fmt(kpi, objective.get("goal")),
            progress=objective.get("progress"),
            progress_text=view.fmt_unit(objective.get("progress"), "percent"),
            expected_progress=objective.get("expected_progress"),
            expected_text=view.fmt_unit(objective.get("expected_progress"), "percent"),
            deadline=objective.get("deadline") or None,
            status=status,
            status_label=view.tr(f"objective.{status}"),
        ))
    return rows
