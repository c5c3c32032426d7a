"""``kpirules init [DIR]``: a working example project to start from.

The files come from the package (``kpirules/templates/init``). Nothing is
ever overwritten: when any file of the project exists already, the command
stops before writing anything (exit 2), so running it in the wrong folder is
harmless.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from kpirules.errors import UsageError

TEMPLATE = ("kpirules", "templates", "init")


def template_files() -> dict[str, bytes]:
    """The project's files, relative path → content."""
    root = resources.files(TEMPLATE[0]).joinpath(*TEMPLATE[1:])
    files: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name.startswith(("__pycache__", ".")):
                continue
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, rel + "/")
            else:
                files[rel] = child.read_bytes()

    walk(root, "")
    return files


def create_project(target: Path) -> list[Path]:
    """Write the example project into ``target``; refuse if any file exists."""
    files = template_files()
    existing = [rel for rel in files if (target / rel).exists()]
    if existing:
        raise UsageError(
            f"{target}: not creating the example project, these files exist already: "
            f"{', '.join(existing)} (nothing was changed)")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a folder (nothing was changed)")
    written = []
    for rel, content in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as handle:  # "x": never overwrite, even in a race
            handle.write(content)
        written.append(path)
    return written


@click.command("init")
@click.argument("directory", default=".", metavar="[DIR]")
def command(directory: str) -> None:
    """Create a working example project in DIR (default: here); never overwrites a file."""
    target = Path(directory)
    written = create_project(target)
    for path in written:
        click.echo(f"created {path}")
    where = "" if directory == "." else f"cd {directory} && "
    click.echo(f"\nnext: {where}kpirules test tests/funnel_test.toml && kpirules run")
