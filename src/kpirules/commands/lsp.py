"""``kpirules lsp``: start the language server for editors (see docs/editors.md)."""

from __future__ import annotations

import click

from kpirules.errors import KpirulesError


@click.command("lsp")
@click.option("--stdio", is_flag=True, help="talk over standard input and output (the default and only transport)")
def command(stdio: bool) -> None:
    """Run the language server (LSP) over standard input and output, for editors.

    Editors start it themselves (the VS Code extension does); it stops when
    the editor says exit. It needs the `lsp` extra: pip install 'kpirules[lsp]'.
    """
    del stdio  # accepted because editors' clients commonly pass it
    try:
        from kpirules.lsp.server import serve
    except ImportError as err:
        if (err.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        raise KpirulesError(
            f"the language server needs pygls ({err.name} is not installed): "
            "pip install 'kpirules[lsp]'") from None
    serve()
