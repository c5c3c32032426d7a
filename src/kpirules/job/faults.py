"""Where a run can be interrupted on purpose: the seam for fault-injection tests.

A run passes named points (``after_begin``, ``after_claim``, ``before_mark``…)
and calls :meth:`Faults.crashpoint` or :meth:`Faults.pause` there. In
production the active :class:`Faults` does nothing, and nothing here reads
the environment: the implementation that kills or pauses the process lives
in the test kit (:mod:`kpirules.testing.faults`), which installs itself
before running the command line. So the production command never reacts to
a test's environment variables.
"""

from __future__ import annotations

from typing import Protocol


class Faults(Protocol):
    """The points of a run at which a test may interrupt it."""

    def crashpoint(self, name: str) -> None:
        """Called at a point where a killed process must lose nothing."""

    def pause(self, name: str) -> None:
        """Called where two runs at once must not deliver one firing twice."""


class NoFaults:
    """Production: every point passes straight through."""

    def crashpoint(self, name: str) -> None:
        return None

    def pause(self, name: str) -> None:
        return None


_active: Faults = NoFaults()


def install(faults: Faults) -> None:
    """Make ``faults`` the points of every job created from now on (tests only)."""
    global _active
    _active = faults


def active() -> Faults:
    """The points a new job uses: :class:`NoFaults` unless a test installed others."""
    return _active
