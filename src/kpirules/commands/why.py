"""``kpirules why FILE KPI --data …``: why a KPI changed, split among its inputs and segments."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from kpirules.cli import _evaluate, config_option, data_options, echo_err, write_output
from kpirules.commands.segments import evaluate_for_segment, parse_where


@click.command(name="why")
@click.argument("file")
@click.argument("kpi")
@data_options
@config_option
@click.option("--from", "from_period", help="the period to compare with (default: the period before --period)")
@click.option("--where", "where", multiple=True, help="a segment instead of the overall row: DIM=VALUE; repeatable")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write the output to this file")
def command(file: str, kpi: str, from_period: str | None, where: Sequence[str], fmt: str,
            output: str | None, **opts: Any) -> None:
    """Why KPI changed between two periods: its change split exactly among the
    metrics it reads and, on the overall row, among segments (Shapley values)."""
    from kpirules.answers.wording import locale_of, why_text

    segment = parse_where(where)
    result = evaluate_for_segment(lambda o: _evaluate(file, o, history=False), opts, segment)
    why = result.why(kpi, period=opts.get("period"), from_period=from_period, segment=segment)
    doc = why.to_dict()
    if fmt == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=2)
    else:
        doc["dimensions"] = list(why.dimensions)
        doc["input_units"] = dict(why.units)
        text = why_text(doc, locale_of(result.ruleset))
    if output:
        write_output(output, text + "\n")
        echo_err(f"wrote {output}")
    else:
        click.echo(text)
