"""``kpirules whatif FILE --data … --set EDIT…``: a scenario, and what it changes."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from kpirules.cli import (
    _evaluate,
    _plugin_functions,
    config_option,
    data_options,
    echo_err,
    write_output,
)
from kpirules.commands.segments import parse_where


@click.command(name="whatif")
@click.argument("file")
@data_options
@config_option
@click.option("--set", "edits", multiple=True, required=True,
              help="an edit: METRIC=VALUE, METRIC+=N, METRIC-=N or METRIC*=FACTOR; repeatable")
@click.option("--where", "where", multiple=True, help="edit only these segments: DIM=VALUE; repeatable")
@click.option("--all-periods", is_flag=True, help="edit every period, not only the as-of one")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write the output to this file")
@click.option("--fail-on", type=click.Choice(["never", "warning", "critical"]), default="critical",
              help="which outcome of the scenario at the as-of period gives exit code 1")
def command(file: str, edits: Sequence[str], where: Sequence[str], all_periods: bool, fmt: str,
            output: str | None, fail_on: str, **opts: Any) -> None:
    """Edit metrics (spend*=1.2, visits+=1000), re-evaluate, and list every value,
    status, decision, rule and objective that changes, before → after."""
    from kpirules.answers.wording import locale_of, whatif_text
    from kpirules.engine.scenarios import parse_edit, run_scenario
    from kpirules.lang.loader import load_file

    ruleset = load_file(file, functions=_plugin_functions())  # edits are checked before data is read
    parsed = [parse_edit(e, ruleset) for e in edits]
    segment = parse_where(where)
    before = _evaluate(file, opts, history=all_periods)
    scenario = run_scenario(before, parsed, segment, all_periods=all_periods, functions=_plugin_functions())
    doc = scenario.to_dict()
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
