"""``kpirules init --plugin NAME [DIR]``: a working plugin package to start from.

The files come from ``kpirules/templates/plugin``; ``__NAME__`` (the
distribution, ``kpirules-restapi``), ``__MODULE__`` (``kpirules_restapi``)
``__SHORT__`` (``restapi``, the prefix of the items' names) and ``__IDENT__``
(``restapi`` as an identifier, for the action's name) are filled
in, and a ``.tmpl`` suffix (which keeps the template's Python out of
kpirules' own linting) is dropped. The generated package's tests pass as
generated; the test suite checks it.
"""

from __future__ import annotations

import re
from pathlib import Path

from kpirules.commands.templates import template_files, write_files
from kpirules.errors import UsageError

TEMPLATE = ("kpirules", "templates", "plugin")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def plugin_names(name: str) -> dict[str, str]:
    """The placeholders' values for the distribution name ``name``."""
    if not _NAME.match(name):
        raise UsageError(f"--plugin {name}: a plugin name is lower-case words joined by "
                         "hyphens, such as kpirules-restapi")
    short = name.removeprefix("kpirules-") or name
    return {"__NAME__": name, "__MODULE__": name.replace("-", "_"), "__SHORT__": short,
            "__IDENT__": short.replace("-", "_")}


def plugin_files(name: str) -> dict[str, bytes]:
    """The package's files for ``name``: relative path → content."""
    values = plugin_names(name)
    files: dict[str, bytes] = {}
    for rel, content in template_files(TEMPLATE).items():
        text = content.decode("utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
            rel = rel.replace(placeholder, value)
        files[rel.removesuffix(".tmpl")] = text.encode("utf-8")
    return files


def create_plugin(name: str, target: Path) -> list[Path]:
    """Write the plugin package into ``target``; refuse if any of its files exists."""
    return write_files(plugin_files(name), target, what="the plugin package")
