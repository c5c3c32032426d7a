"""``kpirules run``: the automated job (see docs/jobs.md)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from kpirules.commands.shared import OPTION_FLAGS, error_text
from kpirules.display import message_lines
from kpirules.errors import KpirulesError, RuleFileError, UsageError


def _params(values: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {item!r}: expected NAME=VALUE")
        params[name.strip()] = value
    return params


@click.command("run")
@click.option("-c", "--config", "config_path", metavar="PATH", default=None,
              help="the job configuration (default: kpirules.toml, else [tool.kpirules] "
                   "in pyproject.toml, in the current folder)")
@click.option("--period", metavar="P", default=None,
              help="the as-of period (default: the last period of the data)")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="override a parameter (repeatable)")
@click.option("--fail-on", type=click.Choice(["never", "warning", "critical"]), default=None,
              help="which outcome gives exit code 1 (default: the configuration's, else "
                   "critical)")
@click.option("--format", "fmt", metavar="FORMAT", default=None,
              help="print each ruleset's results in this format instead of a summary")
@click.option("-o", "--output", metavar="PATH", default=None,
              help="write what would be printed to this file")
def command(config_path: str | None, period: str | None, params: Sequence[str],
            fail_on: str | None, fmt: str | None, output: str | None) -> None:
    """Run the job: read sources, evaluate, run actions for new firings, write reports.

    Exit codes: 0 done; 1 an as-of outcome at or above --fail-on; 2 invalid
    configuration, rule file or option (nothing was read or sent); 3 a source,
    an action or a report failed (failed actions are retried by the next run).
    """
    from kpirules.config import load_config
    from kpirules.job import Job, RunOptions, document, summary_lines

    config = None
    job = None
    try:
        options = RunOptions(period=period, params=_params(params), fail_on=fail_on)
        if output and not Path(output).parent.is_dir():  # before anything is read or sent
            raise UsageError(f"-o {output}: no such folder {Path(output).parent}")
        config = load_config(config_path)
        job = Job(config, option_names=OPTION_FLAGS)
        job.prepare(options)
        assert job.registry is not None
        if fmt is not None and fmt not in job.registry.formats:
            raise UsageError(f"--format {fmt!r}: unknown format; available: "
                             f"{', '.join(job.registry.formats)}")
        report = job.run(options)
    except RuleFileError:
        raise
    except KpirulesError as err:
        message = job.redact(job.voice.worded(err)) if job is not None else error_text(err)
        click.echo(message_lines(f"error: {message}"), err=True)
        sys.exit(err.exit_code)

    if fmt is None:
        text = "\n".join(summary_lines(report)) + "\n"
    elif fmt == "json":
        docs = document(report)["rulesets"]
        text = json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False,
                          indent=2, default=str) + "\n"
    else:
        from kpirules.report.base import RenderOptions

        assert job.registry is not None
        renderer = job.registry.formats[fmt]
        from kpirules.job import as_of_document

        text = "\n".join(
            renderer.render(p.document if renderer.needs_history else as_of_document(p),
                            RenderOptions())
            for p in report.rulesets if p.document is not None)
    text = job.redact(text)
    if output:
        from kpirules.commands.shared import write_output

        write_output(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(report.exit_code)
