"""``kpirules why FILE KPI --data …``: why a KPI changed, split among its inputs and segments.

It reads data exactly as ``eval`` does (:mod:`kpirules.commands.data`); its own
options and its work are here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from kpirules.commands.data import data_options, evaluate_file
from kpirules.commands.segments import evaluate_for_segment, parse_where
from kpirules.commands.shared import config_option, echo_err, write_output

HELP = """Why KPI changed between two periods: its change split exactly among the
metrics it reads and, on the overall row, among segments (Shapley values)."""


def options(func: Any) -> Any:
    """The options of ``why`` besides those that read the data."""
    for option in reversed([
        click.option("--from", "from_period", help="the period to compare with (default: the period before --period)"),
        click.option("--where", "where", multiple=True,
                     help="a segment instead of the overall row: DIM=VALUE; repeatable"),
        click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table"),
        click.option("-o", "--output", type=click.Path(dir_okay=False), help="write the output to this file"),
    ]):
        func = option(func)
    return func


def run(kpi: str, evaluate: Callable[[dict[str, Any]], Any], opts: dict[str, Any]) -> None:
    """Evaluate (``evaluate(opts)``), split the KPI's change and print it."""
    from kpirules.answers.wording import locale_of, why_text

    from_period, fmt, output = opts.pop("from_period"), opts.pop("fmt"), opts.pop("output")
    segment = parse_where(opts.pop("where"))
    result = evaluate_for_segment(evaluate, opts, segment)
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


@click.command("why", help=HELP)
@click.argument("file")
@click.argument("kpi")
@data_options
@config_option
@options
def command(file: str, kpi: str, **opts: Any) -> None:
    run(kpi, lambda o: evaluate_file(file, o, history=False), opts)
