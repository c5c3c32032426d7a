"""Running ``kpirules`` in a child process: the one way the tests do it.

In-process runs go through the ``run_cli`` fixture of ``tests/conftest.py``;
a child process is for what only a real process shows: a SIGKILL, two runs at
once, the console script's start-up, standard input, the installed plugins'
entry points.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple


class CliRun(NamedTuple):
    """What a command printed and how it exited (unpacks as ``code, out, err``)."""

    code: int
    out: str
    err: str


#: the ``run_cli`` fixture of tests/conftest.py: ``run_cli(*args, stdin=None)`` in this process
RunCli = Callable[..., CliRun]

#: ``python -m MODULE``: the command line, or the test kit's entry point that honours
#: the fault variables KPIRULES_TEST_CRASH_AT / KPIRULES_TEST_PAUSE_AT
CLI, FAULTS = "kpirules", "kpirules.testing.faults"


def _command(args: tuple[str | Path, ...], module: str) -> list[str]:
    return [sys.executable, "-m", module, *(str(a) for a in args)]


#: a bare environment, as cron gives one: no colour, no inherited settings
PLAIN_ENV = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}


def _environment(env: Mapping[str, str | None] | None, autoload: bool,
                 inherit: bool) -> dict[str, str]:
    """This process's environment (or none), with ``env`` added; a ``None`` value removes."""
    full = {**(os.environ if inherit else {}), **(env or {})}
    full = {k: v for k, v in full.items() if v is not None}
    if not autoload:
        full["KPIRULES_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return full


def run_process(*args: str | Path, cwd: str | Path | None = None, env: Mapping[str, str | None] | None = None,
                stdin: str | None = None, timeout: float = 300, autoload: bool = True,
                inherit_env: bool = True, module: str = CLI) -> subprocess.CompletedProcess[str]:
    """Run ``kpirules ARGS…`` in a child process and wait for it.

    ``env`` is added to this process's environment (to nothing with
    ``inherit_env=False``, e.g. ``env=PLAIN_ENV``); ``autoload=False`` hides
    the installed plugins (only a configuration's are seen); ``module=FAULTS``
    runs it with the test fault points installed.
    """
    return subprocess.run(_command(args, module), cwd=cwd,
                          env=_environment(env, autoload, inherit_env),
                          input=stdin, capture_output=True, text=True, timeout=timeout)


def start_process(*args: str | Path, cwd: str | Path | None = None,
                  env: Mapping[str, str | None] | None = None, autoload: bool = True,
                  module: str = CLI) -> subprocess.Popen[str]:
    """Start ``kpirules ARGS…`` in a child process (two runs at once) without waiting."""
    return subprocess.Popen(_command(args, module), cwd=cwd, env=_environment(env, autoload, True),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
