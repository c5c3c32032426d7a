"""Errors and exit codes shared by every layer.

User mistakes (a rule file, a data file, a configuration, a test file) are
raised as subclasses of :class:`KpirulesError`; the command line turns them
into messages and exit codes at its edge. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kpirules.lang.diagnostics import Diagnostic


class ExitCode:
    """The exit codes of every command (interfaces §2), named in one place."""

    OK = 0
    FAILED = 1  # threshold/rule at or above --fail-on, failed rule test, fmt --check
    INVALID_INPUT = 2  # usage, rule file, configuration or test file
    RUNTIME = 3  # unreadable data, failing connector or action


class KpirulesError(Exception):
    """Base of every user-facing error; ``exit_code`` says how the CLI exits."""

    exit_code = ExitCode.RUNTIME


class RuleFileError(KpirulesError):
    """A rule file has errors; carries every diagnostic of the run."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        summary = first.short() if first is not None else "invalid rule file"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(summary + more)


class UsageError(KpirulesError):
    """A wrong option or argument value (exit 2)."""

    exit_code = ExitCode.INVALID_INPUT


class OptionError(UsageError):
    """A wrong value of an option of the evaluation (exit 2), said without the command line.

    ``option`` is the keyword of :func:`kpirules.evaluate` (``params``,
    ``period``, ``by``, ``from_period``), ``value`` what was given
    (``NAME=VALUE`` for a parameter) and ``reason`` why it is wrong. The engine
    raises it; the command line words it with its flag (``--param``,
    ``--period``…: :func:`worded`), a test file or a configuration with its own place.
    """

    def __init__(self, option: str, value: str, reason: str) -> None:
        self.option, self.value, self.reason = option, value, reason
        super().__init__(self.worded({}))

    def worded(self, flags: dict[str, str]) -> str:
        """The message with the option named as ``flags`` name it (``{"period": "--period"}``)."""
        option = flags.get(self.option, self.option)
        return f"{option} {self.value}: {self.reason}" if self.value else f"{option}: {self.reason}"


class ConfigError(KpirulesError):
    """An invalid job configuration or test file (exit 2)."""

    exit_code = ExitCode.INVALID_INPUT


class DataError(KpirulesError):
    """Data that cannot be read or understood (exit 3).

    ``where`` is ``FILE:LINE:COLUMN`` (or ``FILE``, or a source name) when known.
    """

    exit_code = ExitCode.RUNTIME

    def __init__(self, message: str, where: str | None = None) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


class ActionError(KpirulesError):
    """An action that could not be delivered (exit 3)."""

    exit_code = ExitCode.RUNTIME


class PluginError(KpirulesError):
    """A plugin that fails to load or clashes with another (exit 2)."""

    exit_code = ExitCode.INVALID_INPUT


class PluginFault(KpirulesError):
    """Plugin code that raised or answered with the wrong type (exit 3).

    Neither the user's file nor kpirules is at fault, so the message names the
    plugin, its version and the object; ``KPIRULES_DEBUG=1`` shows the plugin's
    own traceback (kept as ``__cause__``).
    """

    exit_code = ExitCode.RUNTIME
