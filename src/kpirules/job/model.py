"""What a run is given and what it gives back: the job's plain values."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import define, field, frozen

from kpirules.display import MAX_LINE, cut
from kpirules.errors import ExitCode
from kpirules.plugin_api import ActionType, redact

if TYPE_CHECKING:
    from kpirules.engine.result import Result


@frozen
class RunOptions:
    """What the command line adds to the configuration for one run."""

    period: str | None = None
    params: dict[str, str] = field(factory=dict)
    fail_on: str | None = None


NO_OPTIONS = RunOptions()  # a run with nothing added by the command line


@define
class RulesetRun:
    """One ruleset's part of a run."""

    name: str
    path: Path
    as_of: str | None = None
    result: Result | None = None  # the evaluation; firings, counts and the as-of view come from it
    document: dict[str, Any] | None = None  # its JSON document (history), with the job's outcomes
    status: int = ExitCode.OK
    error: str | None = None
    new: int = 0
    resolved: int = 0
    firing: int = 0
    counts: dict[str, int] = field(factory=dict)
    reports: list[Path] = field(factory=list)
    warnings: list[str] = field(factory=list)  # data warnings, naming the source


@define
class RunReport:
    """What a run did, and its exit code."""

    run_id: str
    exit_code: int
    rulesets: list[RulesetRun]
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(factory=list)


@frozen
class ResolvedAction:
    """An action name of a rule, resolved to a plugin and its settings."""

    name: str
    plugin: ActionType
    settings: dict[str, Any]
    where: str
    digest: dict[str, str] | None = None  # the digest's templates when ``digest = true``


class Voice:
    """Where the job's messages go: standard error (or ``err``), secrets removed.

    Every part of a run speaks through one voice, so no message can leave
    with a secret of the configuration in it.
    """

    def __init__(self, secrets: Iterable[str], err: Callable[[str], None] | None = None) -> None:
        self.secrets = tuple(secrets)
        self._err = err or (lambda line: print(line, file=sys.stderr, flush=True))

    def redact(self, text: str) -> str:
        """``text`` with every secret of the configuration replaced by ``***``."""
        return redact(text, self.secrets)

    def say(self, line: str) -> None:
        """One line on standard error, secrets removed.

        A value from the data (a segment, a column name) cannot break the
        line and forge another: control characters are shown escaped, and
        the line is cut to a readable length.
        """
        self._err(cut(self.redact(line), MAX_LINE))
