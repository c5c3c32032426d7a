"""Evaluating one ruleset of the job on the tables its sources gave.

Data failures are kept on the ruleset's part of the run (exit 3), never
raised: the other rulesets still run. Data warnings go to standard error,
where a cron log keeps them, naming the ``[sources.NAME]`` they come from.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kpirules.display import MAX_LINE, message_lines
from kpirules.engine.data_warnings import UNSUPPLIED_METRIC, DataWarning
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
            import kpirules

            result = kpirules.evaluate(rs, [self._for_ruleset(table, rs) for _name, table in tables],
                                       period=options.period,
                                       params=ruleset_params(self.plan.config, rs, options), history=True)
            unsupplied = [m for m in result.unsupplied if rs.metrics[m].missing is None]
            if unsupplied:  # a misspelt metric must not run actions on nulls (interfaces §1)
                hints = [w for w in result.warnings if w.code == UNSUPPLIED_METRIC]
                raise DataError("; ".join(name_source(h, tables, self.voice) for h in hints)
                                + " — give the metric a `missing` value to run without it")
        except UsageError:
            raise
        except KpirulesError as exc:
            part.error = message_lines(self.voice.redact(f"{rs.name}: {self.voice.worded(exc)}"), MAX_LINE // 2)
            part.status = ExitCode.RUNTIME
            self.voice.say(f"error: {part.error}")
            return part
        # Data warnings (an unknown numeric column, a metric no column supplies)
        # also go to standard error, where a cron log keeps them; the JSON
        # document keeps them as the engine wrote them.
        for warning in dict.fromkeys(result.warnings):
            text = name_source(warning, tables, self.voice)
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
        part.result = result
        part.document = doc
        part.as_of = result.as_of_label
        part.status = result.exit_status(fail_on=fail_on)
        part.counts = result.status_counts()
        return part

    def _for_ruleset(self, table: RawTable, rs: Ruleset) -> RawTable:
        """``table`` for ``rs``: the metrics of the job's other rulesets are left out quietly."""
        from kpirules.engine.roles import leave_out_used_elsewhere

        return leave_out_used_elsewhere(table, rs, {m for other in self.plan.rulesets
                                                    for m in other.metrics})


def name_source(warning: DataWarning, tables: SourceTables, voice: Voice | None = None) -> str:
    """``warning`` with the table it is about (its ``place``) named by its ``[sources.NAME]``,
    and the options it names said as the source's settings (by ``voice``)."""
    voice = voice or Voice(())
    names = [name for name, table in tables if warning.place is not None and table.source == warning.place]
    if not names:
        return voice.worded(warning)
    label = ", ".join(f'"{name}"' for name in names)
    label = f"source {label}" if len(names) == 1 else f"sources {label}"
    if warning.place not in {f"source {name}" for name in names}:
        label += f" ({warning.place})"
    return f"{label}: {voice.worded(warning, place=False)}"
