"""The job's reports: one file per ruleset and format, an index, and the run's summary.

A report is written to a temporary file and renamed, so a reader never sees
half a report; its name is a plain file name inside ``[report] dir``
whatever the ruleset name holds (docs/security.md). A report that cannot be
written is an error of the run (exit 3); the other reports are still written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kpirules.config import JobConfig
from kpirules.job.model import RulesetRun, RunReport, Voice
from kpirules.plugins import Registry
from kpirules.safe_paths import inside, report_file_name
from kpirules.state import now_iso


def expected_reports(config: JobConfig, report: RunReport) -> list[str]:
    """The HTML reports this run will write, for a digest's link."""
    if config.report is None or "html" not in config.report.formats:
        return []
    return [str(report_target(config, part, "html")) for part in report.rulesets
            if part.document is not None]


def report_target(config: JobConfig, part: RulesetRun, extension: str) -> Path:
    """Where one ruleset's report in one format is written (a plain file name in
    ``[report] dir``, whatever the ruleset name holds: docs/security.md)."""
    assert config.report is not None
    return config.report.dir / report_file_name(config.report.name, part.name,
                                                 str(part.as_of), extension)


def write_reports(config: JobConfig, registry: Registry, voice: Voice, part: RulesetRun,
                  report: RunReport) -> None:
    """Write the configured report formats for one ruleset."""
    if config.report is None or not config.report.formats or part.document is None:
        return
    from kpirules.report import render_with_result, write_file_with_result
    from kpirules.report.base import RenderOptions

    options = RenderOptions(color=False, generated_at=now_iso())
    for name in config.report.formats:
        fmt = registry.formats[name]
        doc = part.document if fmt.needs_history else as_of_document(part)
        assert part.result is not None
        result = part.result if fmt.needs_history else part.result.as_of_only()
        target = report_target(config, part, fmt.extension)
        try:
            target = inside(config.report.dir, target.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            if getattr(fmt, "write_file", None) is not None:  # pdf: not text
                write_file_with_result(fmt, result, doc, options, tmp)
            else:
                tmp.write_text(render_with_result(fmt, result, doc, options), encoding="utf-8")
            os.replace(tmp, target)
        except Exception as exc:
            message = voice.redact(f"report {target}: {type(exc).__name__}: {exc}")
            report.errors.append(message)
            voice.say(f"error: {message}")
            continue
        part.reports.append(target)


def write_index(config: JobConfig, voice: Voice, report: RunReport) -> None:
    """``index.html`` in the report folder, linking every ruleset's reports (HTML only)."""
    if config.report is None or "html" not in config.report.formats or not config.report.dir.is_dir():
        return
    from kpirules.report.index import write_index as write_html_index

    try:
        write_html_index(config.report.dir)
    except OSError as exc:
        message = voice.redact(f"report index in {config.report.dir}: {exc.strerror or exc}")
        report.errors.append(message)
        voice.say(f"error: {message}")


def as_of_document(part: RulesetRun) -> dict[str, Any]:
    """The ruleset's document with only the as-of period's rows (what ``eval`` prints).

    Written from the result's as-of view; the keys the job added to the
    history document (``why``) and its actions, which carry their outcomes,
    are the history document's own.
    """
    assert part.result is not None and part.document is not None, "the ruleset was not evaluated"
    out = part.result.as_of_only().to_dict()
    out["actions"] = part.document["actions"]
    out.update((key, value) for key, value in part.document.items() if key not in out)
    return out


def summary_lines(report: RunReport) -> list[str]:
    """The short text ``kpirules run`` prints: one line per ruleset, then totals."""
    lines = []
    for part in report.rulesets:
        if part.error:
            lines.append(f"{part.name}: failed")
            continue
        counts = ", ".join(f"{n} {s}" for s, n in sorted(part.counts.items())) or "no status"
        lines.append(f"{part.name} as of {part.as_of}: {counts}; {part.firing} firing "
                     f"({part.new} new, {part.resolved} resolved)")
        lines.extend(f"  report: {path}" for path in part.reports)
    lines.append(f"actions: {report.sent} sent, {report.failed} failed")
    return lines


def document(report: RunReport) -> dict[str, Any]:
    """The run as one JSON document (``kpirules run --format json``)."""
    return {
        "kpirules": 1,
        "run": report.run_id,
        "exit_code": report.exit_code,
        "actions_sent": report.sent,
        "actions_failed": report.failed,
        "errors": report.errors,
        "rulesets": [as_of_document(p) if p.document is not None else {"ruleset": p.name, "error": p.error}
                     for p in report.rulesets],
    }
