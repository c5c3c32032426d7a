"""The job configuration: ``kpirules.toml``, or ``[tool.kpirules]`` in pyproject.

The file says which rulesets to run, where their data comes from (sources,
each read by a connector plugin), how each action a rule names is delivered,
which reports to write and where the state store lives (interfaces §4).

Two rules keep configurations portable and safe: relative paths are taken
from the configuration file's folder, not from wherever cron happens to start
the job; and ``${NAME}`` is replaced by the environment variable ``NAME``, so
that secrets stay out of the file. Every value that came from the environment
is a :class:`~kpirules.plugin_api.Secret` and is listed in
:attr:`JobConfig.secrets`, so that the job can redact it from everything it
prints or stores.

Every error is a :class:`~kpirules.errors.ConfigError` that names the file,
the line when it can be found, and the key.
"""

from __future__ import annotations

import glob
import os
import re
import string
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from attrs import field, frozen

from kpirules.data.limits import DEFAULT_MAX_ROWS
from kpirules.errors import ConfigError, KpirulesError
from kpirules.lang.diagnostics import did_you_mean
from kpirules.plugin_api import Secret

CONFIG_NAME = "kpirules.toml"
PYPROJECT = "pyproject.toml"
DEFAULT_STATE = "kpirules-state.sqlite"
DEFAULT_REPORT_NAME = "{ruleset}-{as_of}"
FAIL_ON = ("never", "warning", "critical")

TOP_KEYS = ("rulesets", "plugins", "state", "params", "sources", "actions", "report", "fail_on")
REPORT_KEYS = ("formats", "dir", "name")
_ENV = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@frozen
class SourceConfig:
    """One ``[sources.NAME]`` table.

    ``settings`` is the table less ``connector``, ``rename`` and ``max_rows``
    (the most rows the source may hold, :mod:`kpirules.data.limits`), which the job
    handles itself; ``where`` locates the table for messages
    (``kpirules.toml:12 [sources.web]``).
    """

    name: str
    connector: str
    settings: dict[str, Any]
    rename: dict[str, str]
    where: str
    max_rows: int = DEFAULT_MAX_ROWS


@frozen
class ActionConfig:
    """One ``[actions.NAME]`` table: the plugin ``type`` behind a name rules call.

    ``type`` defaults to the table's own name, so ``[actions.webhook]`` just
    configures the ``webhook`` plugin.
    """

    name: str
    type: str
    settings: dict[str, Any]
    where: str


@frozen
class ReportConfig:
    """The ``[report]`` table: which formats, in which folder, under which name.

    ``name`` is a file name without extension, where ``{ruleset}`` and
    ``{as_of}`` are replaced.
    """

    formats: tuple[str, ...] = ()
    dir: Path = Path("reports")
    name: str = DEFAULT_REPORT_NAME
    where: str = ""


@frozen
class JobConfig:
    """A loaded, checked and resolved job configuration."""

    path: Path
    base_dir: Path
    rulesets: tuple[Path, ...]
    plugins: tuple[str, ...] = ()
    state: Path = Path(DEFAULT_STATE)
    params: dict[str, Any] = field(factory=dict)
    sources: dict[str, SourceConfig] = field(factory=dict)
    actions: dict[str, ActionConfig] = field(factory=dict)
    report: ReportConfig | None = None
    fail_on: str | None = None
    secrets: tuple[str, ...] = ()
    locator: _Locator | None = field(default=None, eq=False, repr=False)

    def where(self, *keys: str) -> str:
        """``FILE:LINE: [table] key`` for messages about a key of this file."""
        if self.locator is None:
            return f"{self.path}: {'.'.join(keys)}"
        return self.locator.where(keys)

    def resolve(self, path: str | Path) -> Path:
        """``path`` relative to the configuration file's folder unless absolute."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()


def find_config(start: Path | None = None) -> Path:
    """The configuration of the current folder: ``kpirules.toml``, else a pyproject.

    A ``pyproject.toml`` counts only when it has a ``[tool.kpirules]`` table.
    """
    folder = (start or Path.cwd()).resolve()
    candidate = folder / CONFIG_NAME
    if candidate.is_file():
        return candidate
    pyproject = folder / PYPROJECT
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            data = {}
        if isinstance(data.get("tool"), dict) and "kpirules" in data["tool"]:
            return pyproject
    raise ConfigError(
        f"no {CONFIG_NAME} (nor [tool.kpirules] in {PYPROJECT}) in {folder}; "
        f"give one with --config, or create an example project with `kpirules init`"
    )


def load_config(path: str | Path | None = None,
                environ: Mapping[str, str] | None = None) -> JobConfig:
    """Read, check and resolve the configuration at ``path`` (default: found).

    ``environ`` replaces ``os.environ`` for ``${NAME}`` values (tests).
    """
    file = Path(path) if path is not None else find_config()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read the configuration: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None

    prefix: tuple[str, ...] = ()
    if file.name == PYPROJECT:
        tool = data.get("tool")
        if not isinstance(tool, dict) or not isinstance(tool.get("kpirules"), dict):
            raise ConfigError(f"{file}: no [tool.kpirules] table")
        data = tool["kpirules"]
        prefix = ("tool", "kpirules")
    locator = _Locator(file, text, prefix)
    return _Parser(file, locator, os.environ if environ is None else environ).parse(data)


def expand_env(value: str, environ: Mapping[str, str],
               missing: Callable[[str], KpirulesError]) -> tuple[str, list[str]]:
    """``value`` with ``${NAME}`` replaced by the environment variable ``NAME``,
    and the environment values it used (the secrets to redact from every message).

    ``$${NAME}`` stays a literal ``${NAME}``. A value that used the
    environment comes back as a :class:`Secret` (its ``repr`` hides it);
    ``missing(NAME)`` is the error raised for an unset variable. The
    configuration's values and ``--source KEY=VALUE`` both go through it.
    """
    if "${" not in value:
        return value, []
    names: list[str] = []

    def sub(match: re.Match[str]) -> str:
        escaped, name = match.group(1), match.group(2)
        if escaped:
            return "${" + name + "}"
        if name not in environ:
            raise missing(name)
        names.append(name)
        return environ[name]

    result = _ENV.sub(sub, value)
    if not names:
        return result, []
    return Secret(result, dict.fromkeys(names)), [environ[name] for name in names]


class _Parser:
    """Turns the TOML data into a :class:`JobConfig`, checking as it goes."""

    def __init__(self, file: Path, locator: _Locator, environ: Mapping[str, str]) -> None:
        self.file = file
        self.base_dir = file.resolve().parent
        self.locator = locator
        self.environ = environ
        self.secrets: list[str] = []

    def error(self, keys: tuple[str, ...], message: str) -> ConfigError:
        return ConfigError(f"{self.locator.where(keys)}: {message}")

    def parse(self, data: dict[str, Any]) -> JobConfig:
        data = self.env(data, ())
        self.unknown(data, TOP_KEYS, ())
        rulesets = self.rulesets(data.get("rulesets"))
        plugins = tuple(self.str_list(data.get("plugins", []), ("plugins",)))
        state = data.get("state", DEFAULT_STATE)
        if not isinstance(state, str) or not state:
            raise self.error(("state",), "must be a file path")
        params = self.table(data.get("params", {}), ("params",))
        for key, value in params.items():
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise self.error(("params", key), "must be a number or a string")
        fail_on = data.get("fail_on")
        if fail_on is not None and fail_on not in FAIL_ON:
            raise self.error(("fail_on",), f"must be one of {', '.join(FAIL_ON)}")
        return JobConfig(
            path=self.file,
            base_dir=self.base_dir,
            rulesets=rulesets,
            plugins=plugins,
            state=self.resolve(state),
            params=dict(params),
            sources=self.sources(data.get("sources", {})),
            actions=self.actions(data.get("actions", {})),
            report=self.report(data.get("report")),
            fail_on=fail_on,
            secrets=tuple(dict.fromkeys(self.secrets)),
            locator=self.locator,
        )

    def resolve(self, path: str) -> Path:
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def env(self, value: Any, keys: tuple[str, ...]) -> Any:
        """Replace ``${NAME}`` everywhere; ``$${NAME}`` stays a literal ``${NAME}``."""
        if isinstance(value, dict):
            return {k: self.env(v, (*keys, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.env(v, keys) for v in value]
        if not isinstance(value, str):
            return value

        def missing(name: str) -> ConfigError:
            return self.error(keys, f"environment variable {name} is not set")

        result, used = expand_env(value, self.environ, missing)
        self.secrets.extend(used)
        return result

    def unknown(self, data: Mapping[str, Any], known: tuple[str, ...],
                keys: tuple[str, ...]) -> None:
        for key in data:
            if key not in known:
                close = did_you_mean(key, known)
                hint = f" ({close})" if close else ""
                raise self.error((*keys, key), f"unknown key{hint}; allowed: {', '.join(known)}")

    def table(self, value: Any, keys: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(keys, "must be a table")
        return value

    def str_list(self, value: Any, keys: tuple[str, ...]) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(keys, "must be a list of strings")
        return list(value)

    def rulesets(self, value: Any) -> tuple[Path, ...]:
        if value is None:
            raise self.error(("rulesets",), "missing: list the rule files to run")
        paths: list[Path] = []
        for item in self.str_list(value, ("rulesets",)):
            if any(c in item for c in "*?["):
                found = sorted(glob.glob(str(self.resolve(item)), recursive=True))
                if not found:
                    raise self.error(("rulesets",), f"no rule file matches {item!r}")
                paths.extend(Path(f) for f in found)
                continue
            path = self.resolve(item)
            if not path.is_file():
                raise self.error(("rulesets",), f"no such rule file: {item}")
            paths.append(path)
        if not paths:
            raise self.error(("rulesets",), "is empty: list the rule files to run")
        return tuple(dict.fromkeys(paths))

    def sources(self, value: Any) -> dict[str, SourceConfig]:
        sources: dict[str, SourceConfig] = {}
        for name, raw in self.table(value, ("sources",)).items():
            keys = ("sources", name)
            settings = dict(self.table(raw, keys))
            connector = settings.pop("connector", None)
            if not isinstance(connector, str) or not connector:
                raise self.error((*keys, "connector"),
                                 "missing: name the connector that reads this source "
                                 "(csv, jsonl, json, parquet, sql, …)")
            rename = self.table(settings.pop("rename", {}), (*keys, "rename"))
            renamed_to: dict[str, str] = {}
            for column, metric in rename.items():
                if not isinstance(metric, str) or not metric:
                    raise self.error((*keys, "rename"), f"{column}: must be a metric name")
                first = renamed_to.setdefault(metric, column)
                if first != column:
                    raise self.error((*keys, "rename"),
                                     f'{first} → {metric} and {column} → {metric}: two columns '
                                     f'cannot both become "{metric}"')
            max_rows = settings.pop("max_rows", DEFAULT_MAX_ROWS)
            if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
                raise self.error((*keys, "max_rows"), "must be a whole number of rows, 1 or more "
                                                      f"(default {DEFAULT_MAX_ROWS})")
            sources[name] = SourceConfig(name, connector, settings, dict(rename),
                                         self.locator.where(keys), max_rows)
        return sources

    def actions(self, value: Any) -> dict[str, ActionConfig]:
        actions: dict[str, ActionConfig] = {}
        for name, raw in self.table(value, ("actions",)).items():
            keys = ("actions", name)
            if not _IDENT.match(name):
                raise self.error(keys, "an action name is a name a rule can call "
                                       "(letters, digits and _)")
            settings = dict(self.table(raw, keys))
            kind = settings.pop("type", name)
            if not isinstance(kind, str) or not kind:
                raise self.error((*keys, "type"), "must name an action plugin")
            actions[name] = ActionConfig(name, kind, settings, self.locator.where(keys))
        return actions

    def report(self, value: Any) -> ReportConfig | None:
        if value is None:
            return None
        data = self.table(value, ("report",))
        self.unknown(data, REPORT_KEYS, ("report",))
        formats = tuple(self.str_list(data.get("formats", []), ("report", "formats")))
        folder = data.get("dir", "reports")
        if not isinstance(folder, str) or not folder:
            raise self.error(("report", "dir"), "must be a folder path")
        name = data.get("name", DEFAULT_REPORT_NAME)
        problem = report_name_problem(name)
        if problem:
            raise self.error(("report", "name"), problem)
        return ReportConfig(formats, self.resolve(folder), name, self.locator.where(("report",)))


REPORT_NAME_FIELDS = ("ruleset", "as_of")
MAX_REPORT_NAME = 200  # bytes, leaving room for the extension within the usual 255


def report_name_problem(name: Any) -> str | None:
    """Why ``name`` is not a valid ``[report] name`` template, or ``None`` if it is.

    A valid template is plain text with the placeholders ``{ruleset}`` and
    ``{as_of}`` (``{{`` and ``}}`` are literal braces), and gives a file name:
    no folder separator, no ``..``, no control character, not too long.
    Placeholders take no attribute or index access (``{as_of.year}``), no
    conversion (``{ruleset!r}``) and no format spec (``{ruleset:>9}``).
    """
    allowed = "use only plain text and the placeholders {ruleset} and {as_of}"
    if not isinstance(name, str) or not name:
        return "must be a file name without extension, e.g. \"{ruleset}-{as_of}\""
    try:
        parts = list(string.Formatter().parse(name))
    except ValueError as exc:  # a lone { or }
        return f"{exc} ({allowed}; write {{{{ or }}}} for a literal brace)"
    for _text, field_name, spec, conversion in parts:
        if field_name is None:
            continue
        shown = "{" + field_name + (f"!{conversion}" if conversion else "") + \
            (f":{spec}" if spec else "") + "}"
        base = re.split(r"[.\[]", field_name, maxsplit=1)[0]
        if field_name not in REPORT_NAME_FIELDS and base in REPORT_NAME_FIELDS:
            return f"{shown}: no attribute or index access; {allowed}"
        if field_name not in REPORT_NAME_FIELDS:
            close = did_you_mean(field_name, REPORT_NAME_FIELDS) if field_name else None
            return (f"unknown placeholder {shown}{f' ({close})' if close else ''}; {allowed}")
        if conversion or spec:
            return f"{shown}: no conversion or format spec; {allowed}"
    literal = name.format(ruleset="r", as_of="p")  # the text around the placeholders
    if "/" in literal or "\\" in literal:
        return "must be a file name, not a path (no / or \\); the folder is [report] dir"
    if ".." in literal:
        return 'must be a file name: ".." is not allowed'
    if any(ord(c) < 32 or ord(c) == 127 for c in literal):
        return "must be a file name: no control characters"
    if len(literal.encode("utf-8")) > MAX_REPORT_NAME:
        return f"is too long for a file name (at most {MAX_REPORT_NAME} bytes of text)"
    return None


class _Locator:
    """Finds the line of a table or key in the TOML text, for messages.

    ``tomllib`` keeps no positions, so this scans the text for the table
    header (``[sources.web]``) and the key inside it; when that fails (inline
    tables, dotted keys) the message names the key without a line.
    """

    def __init__(self, file: Path, text: str, prefix: tuple[str, ...] = ()) -> None:
        self.file = file
        self.prefix = prefix
        self.lines = text.splitlines()

    def line(self, keys: tuple[str, ...]) -> int | None:
        """The 1-based line of ``keys`` (table path then key), best effort."""
        full = (*self.prefix, *keys)
        for split in range(len(full), -1, -1):
            table, rest = full[:split], full[split:]
            start = self._table_line(table)
            if start is None:
                continue
            if not rest:
                return start
            found = self._key_line(start, rest[0])
            return found if found is not None else (start or None)
        return None

    def where(self, keys: tuple[str, ...]) -> str:
        line = self.line(keys)
        location = f"{self.file}:{line}" if line else str(self.file)
        if not keys:
            return location
        table, key = keys[:-1], keys[-1]
        if table and len(keys) >= 2 and keys[0] in ("sources", "actions") and len(keys) == 2:
            return f"{location}: [{'.'.join(keys)}]"
        if table:
            return f"{location}: [{'.'.join(table)}] {key}"
        return f"{location}: {key}"

    def _table_line(self, table: tuple[str, ...]) -> int | None:
        if not table:
            return 0
        wanted = ".".join(table)
        for number, raw in enumerate(self.lines, 1):
            text = raw.strip()
            if text.startswith("[") and "]" in text:
                header = text.strip("[").split("]")[0]
                parts = [p.strip().strip('"').strip("'") for p in header.split(".")]
                if ".".join(parts) == wanted:
                    return number
        return None

    def _key_line(self, start: int, key: str) -> int | None:
        for number in range(start + 1, len(self.lines) + 1):
            text = self.lines[number - 1].strip()
            if text.startswith("["):
                return None
            name = text.split("=", 1)[0].strip().strip('"').strip("'")
            if "=" in text and name == key:
                return number
        return None


def configured_action_names(start: Path | None = None, path: Path | None = None) -> set[str] | None:
    """The ``[actions.NAME]`` names of the configuration at ``path`` or found in ``start``, best effort.

    For ``kpirules check`` and ``eval``, which do not run the job but can warn
    less when a rule calls an action the local configuration provides.
    ``None`` when there is no readable configuration.
    """
    data = _light_read(path, start)
    if data is None:
        return None
    actions = data.get("actions")
    return set(actions) if isinstance(actions, dict) else set()


def configured_metric_names(path: Path) -> set[str]:
    """The metrics of every ruleset a configuration lists, best effort (a rule file that
    does not load adds none): ``eval --config`` does not warn about their columns."""
    data = _light_read(path, None)
    rulesets = data.get("rulesets", []) if data else []
    names: set[str] = set()
    if not isinstance(rulesets, list):
        return names
    from kpirules.lang.loader import load_file

    for item in rulesets:
        if not isinstance(item, str):
            continue
        try:
            names |= set(load_file(path.parent / item).metrics)
        except (KpirulesError, OSError):
            continue
    return names


def configured_plugins(path: Path) -> list[str]:
    """The ``plugins`` of the configuration at ``path``, for the commands that take ``--config``.

    ``check``, ``eval``, ``explain``, ``graph`` and ``test`` do not run the job,
    so they neither need nor check its sources, actions or secrets: only the
    plugins, so that a rule file using a configured plugin's function checks
    as it runs. Raises :class:`ConfigError` when the file cannot be read.
    """
    data = kpirules_table(path)
    plugins = data.get("plugins", [])
    if isinstance(plugins, str):
        plugins = [plugins]
    if not isinstance(plugins, list) or not all(isinstance(p, str) for p in plugins):
        raise ConfigError(f"{path}: plugins must be a list of texts, e.g. plugins = [\"plugins/mine.py\"]")
    return list(plugins)


def kpirules_table(path: Path) -> dict[str, Any]:
    """The kpirules table of the configuration at ``path``, unchecked; ConfigError if unreadable."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    if path.name == PYPROJECT:
        tool = data.get("tool")
        table = tool.get("kpirules") if isinstance(tool, dict) else None
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: no [tool.kpirules] table")
        return table
    return data


def _light_read(path: Path | None, start: Path | None) -> dict[str, Any] | None:
    """The kpirules table of a configuration, best effort: None when there is none or it is unreadable."""
    try:
        return kpirules_table(path or find_config(start))
    except ConfigError:
        return None
