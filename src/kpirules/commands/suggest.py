"""``kpirules suggest FILE --data …``: thresholds and objectives proposed from history.

It reads data exactly as ``eval`` does (:mod:`kpirules.commands.data`); its own
options and its work are here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from kpirules.commands.data import data_options, evaluate_file
from kpirules.commands.shared import config_option, echo_err, write_output

HELP = """Propose warning/critical bands and objectives from each KPI's own history,
as rule text ready to paste, with the figures behind each proposal."""


def options(func: Any) -> Any:
    """The options of ``suggest`` besides those that read the data."""
    for option in reversed([
        click.option("--kpi", "kpis", multiple=True,
                     help="only this KPI (default: every KPI without a threshold); repeatable"),
        click.option("--periods", type=int, default=12, show_default=True,
                     help="how many periods of history to learn from"),
        click.option("--min-values", type=int, default=6, show_default=True,
                     help="the fewest values a segment needs for a threshold of its own"),
        click.option("--pace-window", type=int, default=6, show_default=True,
                     help="how many consecutive periods a pace must last to count"),
        click.option("--horizon", type=int, default=12, show_default=True, help="the objective's length, in periods"),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text"),
        click.option("-o", "--output", type=click.Path(dir_okay=False), help="write the output to this file"),
    ]):
        func = option(func)
    return func


def run(evaluate: Callable[[dict[str, Any]], Any], opts: dict[str, Any]) -> None:
    """Evaluate every period (``evaluate(opts)``), propose and print."""
    from kpirules.answers.suggest_text import suggestions_doc, suggestions_text
    from kpirules.engine.suggest import suggest

    kpis, periods, min_values = opts.pop("kpis"), opts.pop("periods"), opts.pop("min_values")
    pace_window, horizon = opts.pop("pace_window"), opts.pop("horizon")
    fmt, output = opts.pop("fmt"), opts.pop("output")
    result = evaluate(opts)
    found = suggest(result, kpis, periods=periods, min_values=min_values, pace_window=pace_window,
                    horizon=horizon)
    text = suggestions_text(found, result.ruleset)
    if fmt == "json":
        text = json.dumps(suggestions_doc(found, text), ensure_ascii=False, indent=2) + "\n"
    if output:
        write_output(output, text)
        echo_err(f"wrote {output}")
    else:
        click.echo(text, nl=False)


@click.command("suggest", help=HELP)
@click.argument("file")
@data_options
@config_option
@options
def command(file: str, **opts: Any) -> None:
    run(lambda o: evaluate_file(file, o, history=True), opts)
