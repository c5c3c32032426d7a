"""What a run is given and what it gives back: the job's plain values."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import define, field, frozen

from kpirules.display import MAX_LINE, cut
from kpirules.errors import ExitCode, KpirulesError, OptionHint, Wording
from kpirules.plugin_api import ActionType, redact

if TYPE_CHECKING:
    from kpirules.engine.data_warnings import DataWarning
    from kpirules.engine.result import Result

#: The options a ``[sources.NAME]`` table sets: what the engine's hints name, the job says as them.
SOURCE_SETTINGS = frozenset({"date_format", "period_column", "dimensions", "ignore", "max_rows", "encoding"})


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


class SourceWording(Wording):
    """How the job says an option an error or a warning names: as the setting of its source.

    ``date_format = "DMY" in source "web"``, ``ignore = ["a", "b"] in source
    "shop"``; the table's place (``RawTable.source``) is named by its
    ``[sources.NAME]`` (:meth:`know`). An option a run cannot set
    (``on_bad_value``) leaves its clause out; the options of the command that
    runs the job (``period``, ``params``) are named by ``names`` (its flags).
    """

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        super().__init__(names)
        self.sources: dict[str, str] = {}  # a table's place → its [sources.NAME]

    def know(self, place: str | None, source: str) -> None:
        """Say the table ``place`` is the source ``source`` (the first source named wins)."""
        if place is not None:
            self.sources.setdefault(place, source)

    def name(self, option: str) -> str:
        return option if option in SOURCE_SETTINGS else super().name(option)

    def hint(self, hint: OptionHint) -> str:
        return super().hint(hint) if hint.option in SOURCE_SETTINGS else ""

    def setting(self, hint: OptionHint) -> str:
        if hint.placeholder is not None:
            value = hint.placeholder
        elif hint.values:
            quoted = [json.dumps(v, ensure_ascii=False) for v in hint.values]
            value = f"[{', '.join(quoted)}]" if hint.many else quoted[0]
        else:
            value = "[...]" if hint.many else '"..."'
        source = self.sources.get(hint.place) if hint.place is not None else None
        return f"{hint.option} = {value} in " + (f'source "{source}"' if source else "the job source")


class Voice:
    """Where the job's messages go: standard error (or ``err``), secrets removed.

    Every part of a run speaks through one voice, so no message can leave
    with a secret of the configuration in it, and every option an error or
    a warning names is said as the job's setting (:class:`SourceWording`).
    """

    def __init__(self, secrets: Iterable[str], err: Callable[[str], None] | None = None,
                 names: Mapping[str, str] | None = None) -> None:
        self.secrets = tuple(secrets)
        self._err = err or (lambda line: print(line, file=sys.stderr, flush=True))
        self.wording = SourceWording(names)

    def worded(self, said: KpirulesError | DataWarning, place: bool = True) -> str:
        """An error's or a warning's text as the job says it (the options as source settings)."""
        if isinstance(said, KpirulesError):
            return said.worded(self.wording)
        return said.worded(self.wording, place)

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
