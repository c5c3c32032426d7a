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
    from kpirules.cli import run_cli

    code = run_cli()
    skip_final_collections()
    sys.exit(code)


def skip_final_collections() -> None:
    """Spare the process the garbage collections Python runs while shutting down.

    At exit, Python collects garbage several times while it tears its modules
    down, each time walking every object the run made (the rule file's tree,
    the command line's and Polars' objects) only to free memory the operating
    system takes back anyway: 60-100 ms of the evaluation of a small file,
    measured (docs/performance.md). Moved to the collector's permanent
    generation, they are not walked. Nothing is lost: ``atexit`` handlers
    (a plugin closing its session) still run, every file kpirules writes is
    closed by the code that opened it, and Python flushes the standard
    streams itself.
    """
    import gc

    gc.freeze()
