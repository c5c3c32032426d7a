"""``--data`` and ``--source`` of the data commands, turned into table sources.

``eval``, ``explain``, ``why``, ``whatif`` and ``suggest`` read their tables
through connectors, as ``kpirules run`` does (:func:`.sources.read_table`).
Each ``--data`` argument names one table:

- ``@NAME``: the ``[sources.NAME]`` table of the ``--config`` configuration,
  read as ``run`` reads it;
- ``KIND:ARG``: the connector ``KIND``, with ``ARG`` given to its main
  setting (``path`` for a file, ``url`` for ``sql``, whatever a plugin's
  connector declares as ``main_setting``);
- ``PATH`` (or ``-``, standard input, read as CSV): a file, its connector
  chosen by the extension (``.csv``, ``.jsonl``…, or a plugin connector named
  like the extension, such as ``xlsx``).

``--source KEY=VALUE`` adds a setting (repeatable). VALUE is read as in the
configuration file (a number, ``true``/``false``, a quoted string, a
``[list]``; anything else is text), and ``${NAME}`` takes it from the
environment: such a value is a secret, never printed. The reading options
(``--sep``, ``--decimal``, ``--encoding``, ``--null-values``,
``--period-column``) are settings too, given to each connector that accepts
them.

A mistake in an argument is a usage error (exit 2) saying which argument:
an unknown setting (with did-you-mean and the allowed ones), an unknown
source name (listing the configuration's sources), a setting given twice. A
data file that does not exist is unreadable data (exit 3), as for any file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from kpirules.data import limits
from kpirules.errors import DataError, KpirulesError, UsageError
from kpirules.job.sources import TableSource, configured_source
from kpirules.lang.diagnostics import did_you_mean
from kpirules.plugin_api import SettingsError

if TYPE_CHECKING:  # the configuration is read only for --config and ${NAME} (start-up)
    from kpirules.config import JobConfig

STDIN = "-"
#: the reading options of the data commands, by the connector setting each gives
OPTION_SETTINGS = {
    "period_column": "--period-column",
    "sep": "--sep",
    "decimal": "--decimal",
    "encoding": "--encoding",
    "null_values": "--null-values",
}
#: file extensions read by a built-in connector of another name
EXTENSION_KINDS = {".txt": "csv", ".tsv": "csv", ".ndjson": "jsonl", ".pq": "parquet"}


@frozen
class DataRequest:
    """What the data options of a command ask to read.

    ``options`` holds the reading options that were given, by connector
    setting (``{"sep": ";"}``); ``sources`` the ``--source KEY=VALUE``
    items as typed; ``config`` the ``--config`` path, if any.
    """

    data: tuple[str, ...]
    options: Mapping[str, Any] = field(factory=dict)
    sources: tuple[str, ...] = ()
    max_rows: int | None = None
    config: Path | None = None


def data_sources(request: DataRequest, connectors: Mapping[str, Any],
                 secrets: list[str], environ: Mapping[str, str] | None = None,
                 ) -> list[TableSource]:
    """Every ``--data`` argument of ``request`` as a checked :class:`TableSource`.

    ``connectors`` are the registry's, by name. The values that came from the
    environment are added to ``secrets`` as soon as they are known, so that
    the caller can redact them from any message, an error raised here
    included. Raises :class:`UsageError` for a mistake in the arguments and
    :class:`DataError` for a data file that cannot be read.
    """
    extra, used = parse_source_settings(request.sources, os.environ if environ is None else environ)
    secrets.extend(used)
    targets = [_target(arg, connectors, request, secrets) for arg in request.data]
    given_to = _distribute(extra, targets)
    return [target.source(settings, request) for target, settings in zip(targets, given_to, strict=True)]


def parse_source_settings(items: Sequence[str], environ: Mapping[str, str],
                          ) -> tuple[dict[str, Any], list[str]]:
    """``--source KEY=VALUE`` items → settings, and the environment values they used."""
    settings: dict[str, Any] = {}
    secrets: list[str] = []
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--source {_shown_item(item)}: write KEY=VALUE "
                             f"(a setting of the connector, such as token=${{API_TOKEN}})")
        if key in settings:
            raise UsageError(f"--source {key}: given twice")
        if "${" in text:

            def missing(name: str, key: str = key) -> UsageError:
                return UsageError(f"--source {key}: environment variable {name} is not set")

            from kpirules.config import expand_env

            value, used = expand_env(text, environ, missing)
            secrets.extend(used)
            settings[key] = value
        else:
            settings[key] = _typed(text)
    return settings, secrets


def _shown_item(item: str) -> str:
    """An item without ``=``: it holds no value, but keep the message one short line."""
    from kpirules.display import shown

    return shown(item)


def _typed(text: str) -> Any:
    """A value as the configuration file would read it, else the text itself."""
    import tomllib

    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def main_setting(connector: Any) -> str | None:
    """The setting ``KIND:ARG`` gives ``ARG`` to (see :class:`~kpirules.plugin_api.Connector`)."""
    declared = getattr(connector, "main_setting", None)
    if declared:
        return str(declared)
    required = tuple(getattr(connector, "required", ()))
    if "path" in (*required, *getattr(connector, "optional", ())):
        return "path"
    return required[0] if len(required) == 1 else None


def accepted_settings(connector: Any) -> tuple[str, ...]:
    """The settings a connector declares (``required`` then ``optional``)."""
    return (*getattr(connector, "required", ()), *getattr(connector, "optional", ()))


class _Target:
    """One ``--data`` argument, parsed: a connector and where its settings come from."""

    def __init__(self, arg: str, connector: Any, main: tuple[str, str] | None = None,
                 config: JobConfig | None = None, configured: Any = None) -> None:
        self.arg = arg
        self.connector = connector
        self.main = main  # (setting, value) from KIND:ARG or a path
        self.config = config
        self.configured = configured  # the SourceConfig of @NAME

    def accepts(self, key: str) -> bool:
        """Whether this argument's connector declares the setting ``key``."""
        return key in accepted_settings(self.connector)

    def source(self, extra: Mapping[str, Any], request: DataRequest) -> TableSource:
        """The checked table source: base settings, the reading options it accepts, ``extra``."""
        origin: dict[str, str] = {}
        if self.configured is not None:
            assert self.config is not None
            base = configured_source(self.config, self.connector, self.configured)
            settings = dict(base.settings)
            origin.update(dict.fromkeys(settings, f"--data {self.arg}"))
        else:
            base = TableSource(self.arg, self.connector, {}, self.arg)
            settings = {}
        if self.main is not None:
            settings[self.main[0]] = self.main[1]
            origin[self.main[0]] = f"--data {self.arg}"
        for key, value in request.options.items():
            if self.accepts(key):
                settings[key] = value
                origin[key] = OPTION_SETTINGS.get(key, key)
        for key, value in extra.items():
            if self.main is not None and key == self.main[0]:
                raise UsageError(f"--source {key}: already given by --data {self.arg}")
            settings[key] = value
            origin[key] = f"--source {key}"
        max_rows = request.max_rows or (base.max_rows if self.configured is not None
                                         else limits.DEFAULT_MAX_ROWS)  # read now: tests lower it
        source = TableSource(base.name, self.connector, settings, base.where, base.base_dir,
                             base.rename, max_rows)
        self._validate(source, origin)
        return source

    def _validate(self, source: TableSource, origin: Mapping[str, str]) -> None:
        """The connector's check, its complaint said of the argument the setting came from."""
        try:
            self.connector.validate(source.settings)
        except SettingsError as err:
            key = err.key
            came_from = origin.get(key or "")
            path_keys = getattr(self.connector, "path_settings", ())
            if self.main is not None and key == self.main[0] and key in path_keys:
                # a --data file the connector cannot use is unreadable data (exit 3), as for a CSV
                raise DataError(f"cannot read the data file: {err.message}", where=self.main[1]) from None
            if self.configured is not None and came_from == f"--data {self.arg}":
                assert self.config is not None
                where = self.config.where("sources", self.configured.name, *((key,) if key else ()))
                raise UsageError(f"--data {self.arg}: {where}: {err.message}") from None
            if came_from is None:  # a required setting nobody gave
                hint = f"; give it with --source {key}=VALUE" if key else ""
                raise UsageError(f"--data {self.arg}: {err}{hint}") from None
            if came_from.startswith("--source "):
                raise UsageError(f"--data {self.arg}: {came_from}: {err.message}") from None
            raise UsageError(f"{came_from}: {err.message} (connector {self.connector.name!r}, "
                             f"--data {self.arg})") from None


def _target(arg: str, connectors: Mapping[str, Any], request: DataRequest,
            secrets: list[str]) -> _Target:
    if arg.startswith("@"):
        return _configured(arg, connectors, request, secrets)
    kind, sep, rest = arg.partition(":")
    if sep and rest and kind in connectors:
        connector = connectors[kind]
        setting = main_setting(connector)
        if setting is None:
            raise UsageError(f"--data {arg}: connector {kind!r} has no main setting to give "
                             f"{rest!r} to; write --data {kind}: and its settings with "
                             f"--source KEY=VALUE ({', '.join(accepted_settings(connector))})")
        return _Target(arg, connector, (setting, rest))
    if sep and not rest and kind in connectors:  # KIND: every setting from --source
        return _Target(arg, connectors[kind])
    if arg == STDIN:
        return _Target(arg, connectors["csv"], ("path", STDIN))
    suffix = Path(arg).suffix.lower()
    kind = EXTENSION_KINDS.get(suffix, suffix.lstrip("."))
    if kind and kind in connectors and main_setting(connectors[kind]) == "path":
        return _Target(arg, connectors[kind], ("path", arg))
    files = [name for name, c in connectors.items() if main_setting(c) == "path"]
    raise DataError(f'cannot tell the kind of data from the extension "{suffix or "(none)"}"; '
                    f"write KIND:PATH with KIND one of {', '.join(files)}", where=arg)


def _configured(arg: str, connectors: Mapping[str, Any], request: DataRequest,
                secrets: list[str]) -> _Target:
    """``@NAME``: a source of the configuration."""
    name = arg[1:]
    if request.config is None:  # its plugins must be loaded before the rule file is checked
        raise UsageError(f"--data {arg}: a source of a configuration; name the configuration "
                         f"with --config kpirules.toml")
    from kpirules.config import load_config

    try:
        config = load_config(request.config)
    except KpirulesError as err:
        raise UsageError(f"--data {arg}: {err}") from None
    secrets.extend(config.secrets)
    configured = config.sources.get(name)
    if configured is None:
        close = did_you_mean(name, tuple(config.sources))
        known = ", ".join(f"@{n}" for n in config.sources) or "none"
        raise UsageError(f"--data {arg}: no source {name!r} in {config.path}"
                         + (f" ({close})" if close else "") + f"; its sources: {known}")
    connector = connectors.get(configured.connector)
    if connector is None:
        raise UsageError(f"--data {arg}: {config.where('sources', name, 'connector')}: unknown "
                         f"connector {configured.connector!r}; installed: {', '.join(connectors)}")
    return _Target(arg, connector, None, config, configured)


def _distribute(extra: Mapping[str, Any], targets: Sequence[_Target]) -> list[dict[str, Any]]:
    """Which ``--source`` settings go to which ``--data``.

    With one ``--data``, all of them (its connector checks them). With
    several, each setting goes to every argument whose connector accepts it;
    one that none accepts is a mistake, said with the settings they do accept.
    """
    if len(targets) <= 1:
        return [dict(extra) for _ in targets]
    out: list[dict[str, Any]] = [{} for _ in targets]
    for key, value in extra.items():
        takers = [i for i, target in enumerate(targets) if target.accepts(key)]
        if not takers:
            known = tuple(dict.fromkeys(k for t in targets for k in accepted_settings(t.connector)))
            close = did_you_mean(key, known)
            raise UsageError(f"--source {key}: no --data connector has this setting"
                             + (f" ({close})" if close else "") + f"; allowed: {', '.join(known)}")
        for i in takers:
            out[i][key] = value
    return out
