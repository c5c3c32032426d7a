"""``kpirules graph FILE``: the dependency graph of a rule file."""

from __future__ import annotations

import click

from kpirules.commands.shared import config_option, plugin_functions


@click.command("graph")
@click.argument("file")
@config_option
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid", "json"]), default="dot")
def command(file: str, fmt: str) -> None:
    """Print the dependency graph: metrics → KPIs → thresholds/decisions/rules/objectives."""
    import kpirules
    from kpirules.lang.graph_export import export_graph

    ruleset = kpirules.load(file, functions=plugin_functions())
    click.echo(export_graph(ruleset, fmt))
