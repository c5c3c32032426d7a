"""``kpirules plugins``: what is installed, and what each plugin adds."""

from __future__ import annotations

import json
import os
import sys

import click

from kpirules.errors import ExitCode


@click.command("plugins")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="json: one object per plugin")
@click.option("-c", "--config", "config_path", metavar="PATH", default=None,
              help="also load the plugins listed in this job configuration")
@click.option("-v", "--verbose", is_flag=True,
              help="describe every item: settings, function signatures and docs, formats, "
                   "import time, and warnings for plugin authors")
def command(fmt: str, config_path: str | None, verbose: bool) -> None:
    """List installed plugins and the connectors, actions, functions and formats each adds.

    A plugin that failed to load is listed with the reason, and the command
    exits 2 so that a health check notices.
    """
    from kpirules.plugins import load_registry

    modules: tuple[str, ...] = ()
    base_dir = None
    if config_path is not None:
        from kpirules.config import load_config

        config = load_config(config_path)
        modules, base_dir = config.plugins, config.base_dir
    registry = load_registry(modules, base_dir=base_dir)
    if verbose:
        from kpirules.plugin_describe import describe_verbose, describe_verbose_text

        click.echo(json.dumps(describe_verbose(registry), indent=2, ensure_ascii=False)
                   if fmt == "json" else describe_verbose_text(registry))
    elif fmt == "json":
        click.echo(json.dumps(registry.describe(), indent=2))
    else:
        click.echo(registry.describe_text())
        if os.environ.get("KPIRULES_DEBUG"):
            for failure in registry.failures:
                click.echo(failure.traceback.rstrip(), err=True)
    if registry.failures:  # listed above; a health check (CI, cron) must notice
        sys.exit(ExitCode.INVALID_INPUT)
