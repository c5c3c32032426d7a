"""``kpirules eval FILE --data …``: evaluate a rule file and print the results."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

import click

from kpirules.commands.data import data_options, evaluate_file
from kpirules.commands.shared import (
    config_option,
    echo_err,
    file_output,
    plugin_registry,
    stream_output,
    use_color,
    write_output,
)
from kpirules.errors import UsageError


def output_formats() -> Mapping[str, Any]:
    """The formats ``--format`` may name: a built-in one is found without loading plugins."""
    return plugin_registry().formats


@click.command("eval")
@click.argument("file")
@data_options
@config_option
@click.option("--history", is_flag=True, help="report every period up to the as-of period")
@click.option("--format", "fmt", default="table",
              help="table, json, csv, csv-fr, markdown, html, or a plugin's format")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write the output to this file")
@click.option("--fail-on", type=click.Choice(["never", "warning", "critical"]), default="critical",
              help="which outcome at the as-of period gives exit code 1")
def command(file: str, history: bool, fmt: str, output: str | None, fail_on: str, **opts: Any) -> None:
    """Evaluate a rule file on data and print the results (never runs an action).

    Exit codes: 0 done; 1 at the as-of period, a KPI status or a firing rule's
    severity at or above --fail-on; 2 invalid rule file or option (no data was
    read); 3 the data could not be read or evaluated.
    """
    formats = output_formats()
    if fmt != "json" and fmt not in formats:
        raise UsageError(f"--format {fmt}: unknown format (known: {', '.join(sorted({'json', *formats}))})")
    chosen = formats.get(fmt)
    needs_history = bool(getattr(chosen, "needs_history", False))
    result = evaluate_file(file, opts, history or needs_history)
    if getattr(chosen, "write", None) is not None:  # csv, jsonl: row by row, any size
        stream_output(chosen, result, output)
        sys.exit(result.exit_status(fail_on))
    max_segments = getattr(chosen, "max_segments", None)
    shown = result
    if max_segments:  # html: the biggest segments only
        from kpirules.report.stream import capped_result

        shown, total = capped_result(result, max_segments)
        doc = shown.to_dict()
        doc["segments_total"] = total
    else:
        doc = result.to_dict()
    if fmt in ("html", "pdf"):  # the report explains each KPI whose status worsened
        from kpirules.answers.report import worsened_whys

        doc["why"] = worsened_whys(result)
    if getattr(chosen, "write_file", None) is not None:  # pdf: not text, a file
        file_output(chosen, shown, doc, output)
        sys.exit(result.exit_status(fail_on))
    if chosen is None:
        text = json.dumps(doc, ensure_ascii=False, indent=2)
    else:
        import shutil
        from datetime import datetime

        from kpirules.report import render_with_result
        from kpirules.report.base import RenderOptions

        to_terminal = output is None and use_color()
        width = shutil.get_terminal_size((120, 40)).columns if output is None else None
        text = render_with_result(chosen, shown, doc, RenderOptions(
            color=to_terminal, width=width, generated_at=datetime.now().strftime("%Y-%m-%d %H:%M")))
    if output:
        write_output(output, text if text.endswith("\n") else text + "\n")
        echo_err(f"wrote {output}")
    else:
        click.echo(text, nl=not text.endswith("\n"))
    sys.exit(result.exit_status(fail_on))
