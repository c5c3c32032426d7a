"""Test hooks of ``kpirules run``: kill or pause the process at a named point.

Only tests set these variables: they prove that a run killed anywhere loses
nothing and sends nothing twice, and that two runs at once share the outbox.
Kept apart from the job so that every part of a run (the job, digests) can
mark its points without importing the job.
"""

from __future__ import annotations

import os
import signal
import sys
import time

CRASH_ENV = "KPIRULES_TEST_CRASH_AT"
PAUSE_ENV = "KPIRULES_TEST_PAUSE_AT"

_hits: dict[str, int] = {}


def crashpoint(name: str) -> None:
    """Kill this process (SIGKILL) when ``KPIRULES_TEST_CRASH_AT`` names this point.

    ``NAME`` kills at the first pass, ``NAME:N`` at the N-th. Only tests set
    it: they prove a run killed anywhere loses nothing and sends nothing twice.
    """
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    point, _, count = wanted.partition(":")
    if point != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= int(count or 1):
        sys.stdout.flush()
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)


def pause(name: str) -> None:
    """Sleep when ``KPIRULES_TEST_PAUSE_AT`` is ``NAME:SECONDS`` (concurrency tests)."""
    wanted = os.environ.get(PAUSE_ENV)
    if wanted and wanted.partition(":")[0] == name:
        time.sleep(float(wanted.partition(":")[2] or 1))
