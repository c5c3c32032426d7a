"""Evaluating one ruleset of the job on the tables its sources gave.

Data failures are kept on the ruleset's part of the run (exit 3), never
raised: the other rulesets still run. Data warnings go to standard error,
where a cron log keeps them, naming the ``[sources.NAME]`` they come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpirules.display import MAX_LINE, message_lines
from kpirules.errors import DataError, ExitCode, KpirulesError, UsageError
from kpirules.job.model import RulesetRun, RunOptions, Voice
from kpirules.job.plan import Plan, ruleset_params
from kpirules.job.sources import SourceTables

if TYPE_CHECKING:
    from kpirules.data.table import RawTable
    from kpirules.lang.model import Ruleset


class Evaluator:
    """Evaluates the plan's rulesets; a warning shared by rulesets is printed once per run."""

    def __init__(self, plan: Plan, voice: Voice) -> None:
        self.plan = plan
        self.voice = voice
        self._warned: set[str] = set()  # data warnings already printed in this run

    def evaluate(self, rs: Ruleset, tables: SourceTables | KpirulesError,
                 options: RunOptions, fail_on: str) -> RulesetRun:
        """Evaluate one ruleset; its document, as-of period, status and counts.

        Raises only :class:`UsageError` (a ``--period`` outside the data).
        """
        part = RulesetRun(rs.name, Path(rs.source_path or rs.name))
        try:
            if isinstance(tables, KpirulesError):
                raise tables
            result = rs.evaluate([self._for_ruleset(table, rs) for _name, table in tables],
                                 period=options.period,
                                 params=ruleset_params(self.plan.config, rs, options), history=True)
            unsupplied = [m for m in result.unsupplied if rs.metrics[m].missing is None]
            if unsupplied:  # a misspelt metric must not run actions on nulls (interfaces §1)
                hints = [w for w in result.warnings if w.startswith("no column supplies metric")]
                raise DataError("; ".join(name_source(h, tables) for h in hints)
                                + " — give the metric a `missing` value to run without it")
        except UsageError:
            raise
        except KpirulesError as exc:
            part.error = message_lines(self.voice.redact(f"{rs.name}: {exc}"), MAX_LINE // 2)
            part.status = ExitCode.RUNTIME
            self.voice.say(f"error: {part.error}")
            return part
        # Data warnings (an unknown numeric column, a metric no column supplies)
        # also go to standard error, where a cron log keeps them; the JSON
        # document keeps them as the engine wrote them.
        for warning in dict.fromkeys(result.warnings):
            text = name_source(warning, tables)
            part.warnings.append(text)
            line = f"warning: {text}" if text.startswith("source") else f"warning: {rs.name}: {text}"
            if line not in self._warned:  # a source shared by rulesets warns once per run
                self._warned.add(line)
                self.voice.say(line)
        doc = result.to_dict()
        report = self.plan.config.report
        if report is not None and "html" in report.formats:
            from kpirules.answers.report import worsened_whys

            doc["why"] = worsened_whys(result)  # the report explains each KPI whose status worsened
        part.document = doc
        part.as_of = str(doc["as_of"])
        part.status = result.exit_status(fail_on=fail_on)
        part.counts = status_counts(doc)
        return part

    def _for_ruleset(self, table: RawTable, rs: Ruleset) -> RawTable:
        """``table`` for ``rs``: the metrics of the job's other rulesets are left out quietly."""
        from kpirules.engine.roles import leave_out_used_elsewhere

        return leave_out_used_elsewhere(table, rs, {m for other in self.plan.rulesets
                                                    for m in other.metrics})


def status_counts(doc: Mapping[str, Any]) -> dict[str, int]:
    """KPI statuses at the as-of period, counted over every row."""
    counts: dict[str, int] = {}
    for row in doc.get("rows", []):
        if row["period"] != doc["as_of"]:
            continue
        for status in (row.get("status") or {}).values():
            counts[str(status)] = counts.get(str(status), 0) + 1
    return counts


def name_source(warning: str, tables: SourceTables) -> str:
    """``warning`` with the table it starts with named by its ``[sources.NAME]``."""
    for _name, table in tables:
        prefix = f"{table.source}: "
        if not warning.startswith(prefix):
            continue
        names = [name for name, t in tables if t.source == table.source]
        label = ", ".join(f'"{name}"' for name in names)
        label = f"source {label}" if len(names) == 1 else f"sources {label}"
        if table.source not in {f"source {name}" for name in names}:
            label += f" ({table.source})"
        return f"{label}: {warning[len(prefix):]}"
    return warning
