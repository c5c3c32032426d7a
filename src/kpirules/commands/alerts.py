"""``kpirules alerts``: what fires now, since when, its last delivery, its silences."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from kpirules.errors import KpirulesError


@click.command("alerts")
@click.option("-c", "--config", "config_path", metavar="PATH", default=None,
              help="the job configuration (default: found as kpirules run finds it)")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help="output format")
def command(config_path: str | None, fmt: str) -> None:
    """List the alerts firing now and the silences, from the job's state store."""
    from kpirules.alerting.listing import listing, table_lines
    from kpirules.commands.state_config import config_paths
    from kpirules.state import StateStore

    try:
        _config, state_path, _paths = config_paths(config_path)
        if not state_path.exists():  # no run yet: nothing to list, and no file to create
            doc: dict[str, Any] = {"firing": [], "silences": []}
        else:
            with StateStore(state_path) as state:
                doc = listing(state.db)
    except KpirulesError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(err.exit_code)
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(table_lines(doc)))
