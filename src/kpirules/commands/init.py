"""``kpirules init [DIR]``: a working example project to start from.

The files come from the package (``kpirules/templates/init``). Nothing is
ever overwritten: when any file of the project exists already, the command
stops before writing anything (exit 2), so running it in the wrong folder is
harmless.
"""

from __future__ import annotations

from pathlib import Path

import click

from kpirules.commands.templates import template_files, write_files


def create_project(target: Path) -> list[Path]:
    """Write the example project into ``target``; refuse if any file exists."""
    return write_files(template_files(), target, what="the example project")


@click.command("init")
@click.argument("directory", default=None, required=False, metavar="[DIR]")
@click.option("--plugin", "plugin", metavar="NAME", default=None,
              help="create a plugin package NAME (e.g. kpirules-restapi) instead, in DIR "
                   "(default: ./NAME), with a connector, an action, a function and tests")
def command(directory: str | None, plugin: str | None) -> None:
    """Create a working example project in DIR (default: here); never overwrites a file."""
    if plugin is not None:
        from kpirules.commands.plugin_template import create_plugin

        folder = directory or plugin
        for path in create_plugin(plugin, Path(folder)):
            click.echo(f"created {path}")
        click.echo(f"\nnext: cd {folder} && pip install -e '.[test]' && pytest")
        return
    directory = directory or "."
    target = Path(directory)
    written = create_project(target)
    for path in written:
        click.echo(f"created {path}")
    where = "" if directory == "." else f"cd {directory} && "
    click.echo(f"\nnext: {where}kpirules test tests/funnel_test.toml && kpirules run")
