"""``kpirules check FILE…``: parse and check rule files; print every problem."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from kpirules.commands.shared import FLAGS, config_option, echo_err, known_actions, plugin_functions
from kpirules.errors import ExitCode, RuleFileError


@click.command("check")
@click.argument("files", nargs=-1, required=True)
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="json: one list of diagnostics, for editors and CI annotations")
@click.option("--no-warnings", is_flag=True, help="report errors only")
def command(files: Sequence[str], fmt: str, no_warnings: bool) -> None:
    """Parse and check rule files; print every problem.

    Exit codes: 0 no error (warnings may be printed); 2 a rule file has an
    error or cannot be read.
    """
    from kpirules.lang.diagnostics import has_errors, render
    from kpirules.lang.loader import diagnose_text, read_source

    functions = plugin_functions()
    all_diags: list[tuple[Any, str | None]] = []
    failed = False
    for path in files:
        try:
            name, text = read_source(path)
        except RuleFileError as err:
            all_diags.extend((d, None) for d in err.diagnostics)
            failed = True
            continue
        diags = diagnose_text(text, name, functions=functions, known_actions=known_actions(path))
        failed = failed or has_errors(diags)
        all_diags.extend((d, text) for d in diags if not (no_warnings and d.severity == "warning"))
    if fmt == "json":
        click.echo(json.dumps([d.to_dict() for d, _ in all_diags], ensure_ascii=False, indent=2))
    else:
        for diag, source in all_diags:
            echo_err(render(diag, source, FLAGS))
        errors = sum(1 for d, _ in all_diags if d.severity == "error")
        warnings = len(all_diags) - errors
        if not all_diags:
            echo_err(f"{len(files)} file{'s' if len(files) > 1 else ''} checked: no problems")
        else:
            echo_err(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    sys.exit(ExitCode.INVALID_INPUT if failed else ExitCode.OK)
