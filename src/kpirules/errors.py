"""Errors and exit codes shared by every layer.

User mistakes (a rule file, a data file, a configuration, a test file) are
raised as subclasses of :class:`KpirulesError`; the command line turns them
into messages and exit codes at its edge. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from kpirules.lang.diagnostics import Diagnostic


class ExitCode:
    """The exit codes of every command (interfaces §2), named in one place."""

    OK = 0
    FAILED = 1  # threshold/rule at or above --fail-on, failed rule test, fmt --check
    INVALID_INPUT = 2  # usage, rule file, configuration or test file
    RUNTIME = 3  # unreadable data, failing connector or action


class OptionHint(NamedTuple):
    """A clause telling the user which option to set, with the option as data.

    The engine and the connectors name the option by its keyword
    (``date_format``, ``ignore``, ``max_rows``…) and never write a
    command-line flag; each layer says the option its own way (a
    :class:`Wording`): the library as a keyword (``date_format="DMY"``), the
    command line as its flag (``--date-format DMY``), the job as the source's
    setting (``date_format = "DMY"`` in ``[sources.web]``).

    ``values`` are the values to give (``many``: the option takes a list,
    ``--ignore`` once per value, ``ignore = [...]``); ``placeholder`` one for
    the user to fill in (``N``); ``lead`` and ``purpose`` the words around it
    (``give the order with `` … `` (or MDY…)``); ``place`` the table whose
    setting it is (its ``RawTable.source``), when one.
    """

    option: str
    values: tuple[str, ...] = ()
    placeholder: str | None = None
    lead: str = ""
    purpose: str = ""
    many: bool = False
    place: str | None = None


class Wording:
    """How one layer names options; this base says them as keywords of the library.

    ``names`` renames options (``{"period": "--period"}``). The command line
    (``commands.shared.FLAGS``) and the job (``job.model.SourceWording``)
    subclass it; :meth:`KpirulesError.worded` and :meth:`Phrase.worded` take one.
    """

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        self.names = dict(names or {})

    def name(self, option: str) -> str:
        return self.names.get(option, option)

    def hint(self, hint: OptionHint) -> str:
        """The whole clause (an empty text drops it: the layer has no such option)."""
        return f"{hint.lead}{self.setting(hint)}{hint.purpose}"

    def setting(self, hint: OptionHint) -> str:
        """``date_format="DMY"``, ``ignore=["a", "b"]``, ``max_rows=N``."""
        name = self.name(hint.option)
        if hint.placeholder is not None:
            return f"{name}={hint.placeholder}"
        if not hint.values:
            return f"{name}=[...]" if hint.many else f"{name}=..."
        quoted = [json.dumps(v, ensure_ascii=False) for v in hint.values]
        return f"{name}=[{', '.join(quoted)}]" if hint.many else f"{name}={quoted[0]}"


#: The library's wording: what ``str()`` of an error or a warning says.
KEYWORDS = Wording()


class Phrase(NamedTuple):
    """A message with options in it: text, and hints each layer words its own way."""

    parts: tuple[str | OptionHint, ...]

    def worded(self, wording: Wording = KEYWORDS) -> str:
        return "".join(part if isinstance(part, str) else wording.hint(part) for part in self.parts)

    @property
    def hints(self) -> tuple[OptionHint, ...]:
        return tuple(part for part in self.parts if isinstance(part, OptionHint))

    def placed(self, place: str | None) -> Phrase:
        """The same phrase, its hints said to be about the table ``place`` (unless they say)."""
        return Phrase(tuple(part._replace(place=place) if isinstance(part, OptionHint) and part.place is None
                            else part for part in self.parts))

    def __str__(self) -> str:
        return self.worded(KEYWORDS)

    def __contains__(self, text: object) -> bool:
        """``"extra" in phrase``: in its text (as ``str()`` says it), as for a plain message."""
        return isinstance(text, str) and text in str(self)


def phrase(*parts: str | OptionHint) -> Phrase:
    """``phrase("no period column; ", OptionHint("period_column", lead="name it with "))``."""
    return Phrase(parts)


def worded(message: str | Phrase, wording: Wording) -> str:
    """A message said with ``wording`` (a plain text says no option)."""
    return message.worded(wording) if isinstance(message, Phrase) else message


class KpirulesError(Exception):
    """Base of every user-facing error; ``exit_code`` says how the CLI exits.

    A message may be a :class:`Phrase` naming options as data: ``str()``
    says them as keywords, :meth:`worded` as a layer does.
    """

    exit_code = ExitCode.RUNTIME

    def __init__(self, *args: object) -> None:
        self.phrase = args[0] if len(args) == 1 and isinstance(args[0], Phrase) else None
        super().__init__(*(str(a) if isinstance(a, Phrase) else a for a in args))

    def worded(self, wording: Wording) -> str:
        """The message with its options said by ``wording``."""
        return str(self) if self.phrase is None else self.phrase.worded(wording)

    @property
    def hints(self) -> tuple[OptionHint, ...]:
        return () if self.phrase is None else self.phrase.hints


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
        super().__init__(self.worded(KEYWORDS))

    def worded(self, wording: Wording) -> str:
        """The message with the option named as ``wording`` names it (``--period``)."""
        option = wording.name(self.option)
        return f"{option} {self.value}: {self.reason}" if self.value else f"{option}: {self.reason}"


class ConfigError(KpirulesError):
    """An invalid job configuration or test file (exit 2)."""

    exit_code = ExitCode.INVALID_INPUT


class DataError(KpirulesError):
    """Data that cannot be read or understood (exit 3).

    ``where`` is ``FILE:LINE:COLUMN`` (or ``FILE``, or a source name) when known.
    """

    exit_code = ExitCode.RUNTIME

    def __init__(self, message: str | Phrase, where: str | None = None) -> None:
        self.where = where
        self.message = str(message)
        super().__init__(message if where is None else Phrase((f"{where}: ", *_parts(message))))


def _parts(message: str | Phrase) -> tuple[str | OptionHint, ...]:
    return message.parts if isinstance(message, Phrase) else (message,)


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
