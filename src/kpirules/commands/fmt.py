"""``kpirules fmt FILE… [--check] [--diff]``: rewrite rule files in canonical style."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from kpirules.commands.shared import echo_err
from kpirules.errors import ExitCode


@click.command("fmt")
@click.argument("files", nargs=-1, required=True)
@click.option("--check", "check_only", is_flag=True, help="exit 1 when a file would change; write nothing")
@click.option("--diff", is_flag=True, help="print the changes as a unified diff; write nothing")
def command(files: Sequence[str], check_only: bool, diff: bool) -> None:
    """Rewrite rule files in canonical style, keeping comments."""
    import difflib

    from kpirules.lang.formatter import format_text
    from kpirules.lang.loader import read_source

    would_change = []
    for path in files:
        name, text = read_source(path)
        formatted = format_text(text, name)
        if path == "-" and not (check_only or diff):
            click.echo(formatted, nl=False)  # a filter: always give the text back
            if formatted != text:
                would_change.append(name)
            continue
        if formatted == text:
            continue
        would_change.append(name)
        if diff:
            click.echo("".join(difflib.unified_diff(
                text.splitlines(keepends=True), formatted.splitlines(keepends=True),
                f"a/{name}", f"b/{name}")), nl=False)
        if check_only or diff:
            continue
        Path(path).write_text(formatted, encoding="utf-8")
        echo_err(f"formatted {name}")
    if check_only and would_change:
        for name in would_change:
            echo_err(f"would reformat {name}")
        sys.exit(ExitCode.FAILED)
