"""Fault injection for tests of ``kpirules run``: kill or pause the process at a named point.

Run the command line as ``python -m kpirules.testing.faults ARGS…`` (instead
of ``python -m kpirules ARGS…``) with

- ``KPIRULES_TEST_CRASH_AT=NAME`` (or ``NAME:N``, the N-th pass) to SIGKILL
  the process at that point of the run, and
- ``KPIRULES_TEST_PAUSE_AT=NAME:SECONDS`` to sleep there (two runs at once).

Tests use it to prove that a run killed anywhere loses nothing and sends
nothing twice, and that two runs at once share the outbox. The points are
named by the job (:mod:`kpirules.job.faults`); the production command never
reads these variables: only this entry point installs them.
"""

from __future__ import annotations

import os
import signal
import sys
import time

CRASH_ENV = "KPIRULES_TEST_CRASH_AT"
PAUSE_ENV = "KPIRULES_TEST_PAUSE_AT"


class EnvironmentFaults:
    """The fault points the environment variables above ask for."""

    def __init__(self) -> None:
        self._hits: dict[str, int] = {}

    def crashpoint(self, name: str) -> None:
        """Kill this process (SIGKILL) when ``KPIRULES_TEST_CRASH_AT`` names this point."""
        wanted = os.environ.get(CRASH_ENV)
        if not wanted:
            return
        point, _, count = wanted.partition(":")
        if point != name:
            return
        self._hits[name] = self._hits.get(name, 0) + 1
        if self._hits[name] >= int(count or 1):
            sys.stdout.flush()
            sys.stderr.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    def pause(self, name: str) -> None:
        """Sleep when ``KPIRULES_TEST_PAUSE_AT`` is ``NAME:SECONDS``."""
        wanted = os.environ.get(PAUSE_ENV)
        if wanted and wanted.partition(":")[0] == name:
            time.sleep(float(wanted.partition(":")[2] or 1))


def main() -> None:
    """The command line with the environment's fault points installed."""
    from kpirules.cli import entry
    from kpirules.job.faults import install

    install(EnvironmentFaults())
    entry()


if __name__ == "__main__":
    main()
