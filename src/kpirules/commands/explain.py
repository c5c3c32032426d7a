"""``kpirules explain FILE NAME --data …``: how one value was computed, step by step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from kpirules.commands.data import data_options, evaluate_file
from kpirules.commands.segments import evaluate_for_segment, parse_where
from kpirules.commands.shared import config_option
from kpirules.errors import UsageError


@click.command("explain")
@click.argument("file")
@click.argument("name")
@data_options
@config_option
@click.option("--where", "where", multiple=True, help="the segment: DIM=VALUE; repeatable")
def command(file: str, name: str, where: Sequence[str], **opts: Any) -> None:
    """Show how one value was computed, step by step, with every input's value."""
    segment = parse_where(where)
    result = evaluate_for_segment(lambda o: evaluate_file(file, o, history=False), opts, segment)
    try:
        text = result.explain(name, period=opts.get("period"), segment=segment)
    except KeyError as err:
        raise UsageError(str(err.args[0])) from None
    click.echo(text)
