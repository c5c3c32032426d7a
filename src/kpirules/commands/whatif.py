"""``kpirules whatif FILE --data … --set EDIT…``: a scenario, and what it changes.

It reads data exactly as ``eval`` does (:mod:`kpirules.commands.data`); its own
options and its work are here.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from kpirules.commands.data import data_options, evaluate_file
from kpirules.commands.segments import parse_where
from kpirules.commands.shared import config_option, echo_err, plugin_functions, write_output

HELP = """Edit metrics (spend*=1.2, visits+=1000, spend*=0.8 where channel=display),
re-evaluate, and list every value, status, decision, rule and objective that
changes, before → after."""


def options(func: Any) -> Any:
    """The options of ``whatif`` besides those that read the data."""
    for option in reversed([
        click.option("--set", "edits", multiple=True, required=True,
                     help="an edit: METRIC=VALUE, METRIC+=N, METRIC-=N or METRIC*=FACTOR, "
                          "optionally followed by where DIM=VALUE; repeatable"),
        click.option("--where", "where", multiple=True, help="edit only these segments: DIM=VALUE; repeatable"),
        click.option("--all-periods", is_flag=True, help="edit every period, not only the as-of one"),
        click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table"),
        click.option("-o", "--output", type=click.Path(dir_okay=False), help="write the output to this file"),
        click.option("--fail-on", type=click.Choice(["never", "warning", "critical"]), default="critical",
                     help="which outcome of the scenario at the as-of period gives exit code 1"),
    ]):
        func = option(func)
    return func


def run(file: str, evaluate: Callable[[dict[str, Any], bool], Any], opts: dict[str, Any]) -> None:
    """Check the edits, evaluate (``evaluate(opts, history)``), apply them and print what changes."""
    from kpirules.answers.wording import locale_of, whatif_text
    from kpirules.engine.scenarios import parse_edit, run_scenario
    from kpirules.lang.loader import load_file

    edits, where, all_periods = opts.pop("edits"), opts.pop("where"), opts.pop("all_periods")
    fmt, output, fail_on = opts.pop("fmt"), opts.pop("output"), opts.pop("fail_on")
    ruleset = load_file(file, functions=plugin_functions())  # edits are checked before data is read
    parsed = [parse_edit(e, ruleset) for e in edits]
    segment = parse_where(where)
    before = evaluate(opts, all_periods)
    scenario = run_scenario(before, parsed, segment, all_periods=all_periods, functions=plugin_functions())
    doc = scenario.to_dict()
    for note in scenario.notes:
        echo_err(f"note: {note}")
    if fmt == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=2)
    else:
        rs = before.ruleset
        units = {n: rs.unit_of(n) for n in [*rs.metrics, *rs.kpis]}
        text = whatif_text(doc, units, locale_of(rs))
    if output:
        write_output(output, text + "\n")
        echo_err(f"wrote {output}")
    else:
        click.echo(text)
    sys.exit(scenario.after.exit_status(fail_on))


@click.command("whatif", help=HELP)
@click.argument("file")
@data_options
@config_option
@options
def command(file: str, **opts: Any) -> None:
    run(file, lambda o, history: evaluate_file(file, o, history), opts)
