"""Templates shipped in the package, written out without ever overwriting a file.

``kpirules init`` (an example project) and ``kpirules init --plugin`` (a
plugin package) both copy a folder of ``kpirules/templates``.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from kpirules.errors import UsageError

TEMPLATE = ("kpirules", "templates", "init")


def template_files(template: tuple[str, ...] = TEMPLATE) -> dict[str, bytes]:
    """A template's files (default: the example project's), relative path → content."""
    root = resources.files(template[0]).joinpath(*template[1:])
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


def write_files(files: dict[str, bytes], target: Path, what: str) -> list[Path]:
    """Write ``files`` under ``target``, or nothing at all if any of them exists."""
    existing = [rel for rel in files if (target / rel).exists()]
    if existing:
        raise UsageError(
            f"{target}: not creating {what}, these files exist already: "
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
