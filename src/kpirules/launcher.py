"""The ``kpirules`` console script: ``--version`` answered before anything is imported.

Scripts and CI jobs ask ``kpirules --version`` to know what they run; loading
the command line machinery (click, about 40 ms) to print one line would make
it three times slower than Python's own start-up. Everything else goes to
:func:`kpirules.cli.entry`.
"""

from __future__ import annotations

import sys


def version_line() -> str:
    """What ``kpirules --version`` prints (the same line as click's version option)."""
    from kpirules import __version__

    return f"kpirules, version {__version__}"


def entry() -> None:
    """Run the command line (the console script's target)."""
    if sys.argv[1:] == ["--version"]:
        print(version_line())
        sys.exit(0)
    from kpirules.cli import entry as cli_entry

    cli_entry()
