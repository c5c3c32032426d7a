"""One run of the job, from the checked plan to the recorded run.

The steps live in their own modules: :mod:`.plan` (configuration → validated
plan), :mod:`.sources` (reading), :mod:`.evaluation`, :mod:`.firings`
(recording and delivery) and :mod:`.reports`; :class:`Job` runs them in
order inside one state-store run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kpirules.config import JobConfig, load_config
from kpirules.errors import ConfigError, ExitCode, UsageError
from kpirules.job import faults as fault_points
from kpirules.job.evaluation import Evaluator
from kpirules.job.firings import deliver, mark_outcomes, record_firings
from kpirules.job.model import NO_OPTIONS, ResolvedAction, RunOptions, RunReport, Voice
from kpirules.job.plan import Plan, prepare, ruleset_params
from kpirules.job.reports import as_of_document, expected_reports, write_index, write_reports
from kpirules.job.sources import SourceReader
from kpirules.plugins import Registry
from kpirules.state import StateStore

if TYPE_CHECKING:
    from kpirules.lang.model import Ruleset


class Job:
    """One configured job; :meth:`prepare` checks it, :meth:`run` runs it.

    ``err`` receives every line meant for standard error (already redacted);
    ``option_names`` name the options of the command running the job
    (``{"period": "--period"}``) in its messages.
    ``faults`` are the points where a test may interrupt the run (by default
    the ones installed by :func:`kpirules.job.faults.install`: none in
    production).
    """

    def __init__(self, config: JobConfig, registry: Registry | None = None,
                 err: Callable[[str], None] | None = None,
                 faults: fault_points.Faults | None = None, option_names: Mapping[str, str] | None = None,
                 ) -> None:
        self.config = config
        self.registry = registry
        self.voice = Voice(config.secrets, err, option_names)
        self.faults = faults or fault_points.active()
        self.plan: Plan | None = None

    @property
    def rulesets(self) -> list[Ruleset]:
        """The rulesets of the prepared plan (none before :meth:`prepare`)."""
        return self.plan.rulesets if self.plan is not None else []

    @property
    def actions(self) -> dict[str, ResolvedAction]:
        """Every action name a rule or the configuration uses, resolved."""
        return self.plan.actions if self.plan is not None else {}

    def redact(self, text: str) -> str:
        """``text`` with every secret of the configuration replaced by ``***``."""
        return self.voice.redact(text)

    def say(self, line: str) -> None:
        """One line on standard error, secrets removed (see :meth:`Voice.say`)."""
        self.voice.say(line)

    def prepare(self, options: RunOptions = NO_OPTIONS) -> None:
        """Load plugins and rulesets and check every name and setting (see :func:`.plan.prepare`)."""
        self.plan = prepare(self.config, self.registry, options, self.voice)
        self.registry = self.plan.registry

    def expected_reports(self, report: RunReport) -> list[str]:
        """The HTML reports this run will write, for a digest's link."""
        return expected_reports(self.config, report)

    def run(self, options: RunOptions = NO_OPTIONS) -> RunReport:
        """Run the job once (call :meth:`prepare` first); never raises for data.

        Raises only for invalid input found on the way (a ``--period`` outside
        the data, a metric supplied by two sources: exit 2); failures of
        sources, actions and reports are reported, recorded and turned into
        exit code 3.
        """
        if self.plan is None or not self.plan.rulesets:
            self.prepare(options)
        plan = self.plan
        assert plan is not None
        fail_on = options.fail_on or self.config.fail_on or "critical"
        reader, evaluator = SourceReader(plan, self.voice), Evaluator(plan, self.voice)
        with StateStore(self.config.state) as state:
            run_id = state.begin_run(str(self.config.path))
            self.faults.crashpoint("after_begin")
            report = RunReport(run_id, ExitCode.OK, [])
            try:
                # Every source is read (once) before any ruleset is evaluated, so
                # that a source mistake found in the data stops the run before
                # anything is recorded or sent.
                read = {rs.name: reader.tables_for(rs, ruleset_params(self.config, rs, options))
                        for rs in plan.rulesets}
                for rs in plan.rulesets:
                    part = evaluator.evaluate(rs, read[rs.name], options, fail_on)
                    if part.document is not None:
                        record_firings(self, state, run_id, part)
                    report.rulesets.append(part)
                    self.faults.crashpoint("after_enqueue")
                deliver(self, state, run_id, report)
                for part in report.rulesets:
                    mark_outcomes(state, run_id, part)
                    write_reports(self.config, plan.registry, self.voice, part, report)
                    state.record_result(run_id, part.name, part.as_of,
                                        {**part.counts, "new": part.new,
                                         "resolved": part.resolved, "firing": part.firing},
                                        as_of_document(part) if part.document is not None else None,
                                        part.error)
                write_index(self.config, self.voice, report)
                report.errors.extend(p.error for p in report.rulesets if p.error)
                report.exit_code = _exit_code(report)
                self.faults.crashpoint("before_finish")
            except (UsageError, ConfigError) as exc:
                state.finish_run(run_id, exc.exit_code, {"error": self.redact(self.voice.worded(exc))},
                                 report.sent, report.failed)
                raise
            state.finish_run(run_id, report.exit_code, {
                "rulesets": {p.name: {"as_of": p.as_of, "error": p.error}
                             for p in report.rulesets},
                "errors": report.errors,
            }, report.sent, report.failed)
        return report


def _exit_code(report: RunReport) -> int:
    """3 when anything failed, else the worst outcome of the rulesets (0 or 1)."""
    if report.failed or any(p.error for p in report.rulesets) or report.errors:
        return ExitCode.RUNTIME
    return max((p.status for p in report.rulesets), default=ExitCode.OK)


def run_job(config_path: str | Path | None, options: RunOptions = NO_OPTIONS,
            err: Callable[[str], None] | None = None) -> RunReport:
    """Load the configuration at ``config_path`` (default: found) and run it."""
    job = Job(load_config(config_path), err=err)
    job.prepare(options)
    return job.run(options)
