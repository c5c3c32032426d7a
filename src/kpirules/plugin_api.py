"""What a plugin builds on: connectors, action types, firings and secrets.

These classes are the whole contract between kpirules and a plugin that reads
data or delivers notifications. They live apart from the hook specifications
(:mod:`kpirules.hookspecs`) so that a plugin can import them without pulling in
the plugin manager, and apart from the job so that the job can change without
breaking plugins.

The built-in connectors and actions (:mod:`kpirules.builtin`) are written
against exactly this API, and are the best examples to copy.

Everything a plugin needs is importable from here alone — the hook marker,
the table a connector returns, a function's and a format's description, the
errors to raise, the settings helpers the built-ins use (:func:`str_list`,
:func:`check_type`, :func:`positive_number`, :func:`single_line`,
:func:`date_format`) — and nothing else of kpirules is promised to stay where
it is. :data:`PLUGIN_API_VERSION` numbers this contract (docs/plugins.md,
"Compatibility"): the minor number grows with additions, the major number
with any change that can break a plugin. A plugin may declare the versions it
supports in its module as ``KPIRULES_PLUGIN_API = ">=1.0,<2"``; kpirules
checks it at load. The names that live in heavier modules (``RawTable``,
``FunctionSpec``, ``OutputFormat``, ``RenderOptions``) are imported on first
use, so that importing this module stays cheap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import field, frozen

from kpirules.data.limits import DEFAULT_MAX_ROWS, too_many_rows
from kpirules.display import one_line
from kpirules.engine.segment import Segment
from kpirules.errors import ActionError, ConfigError, DataError
from kpirules.lang.diagnostics import did_you_mean
from kpirules.lang.levels import SEVERITIES
from kpirules.redaction import REDACTED, redact

if TYPE_CHECKING:  # served lazily by __getattr__ at the end of this module
    from kpirules.data.table import CELL_LEVEL, CELL_PERIOD, RawTable, count_column, rows_column
    from kpirules.hookspecs import hookimpl
    from kpirules.lang.cell_plan import CellPlan, cell_plan
    from kpirules.lang.functions import FunctionSpec
    from kpirules.lang.row_translate import (
        NotTranslatable,
        RowTranslator,
        aggregate_parts,
    )
    from kpirules.report.base import OutputFormat, RenderOptions

__all__ = [
    "CELL_LEVEL",
    "CELL_PERIOD",
    "PLUGIN_API_VERSION",
    "ActionError",
    "ActionType",
    "CellPlan",
    "ConfigError",
    "Connector",
    "DataError",
    "Digest",
    "Firing",
    "FunctionSpec",
    "NotTranslatable",
    "OutputFormat",
    "RawTable",
    "RenderOptions",
    "RowTranslator",
    "Secret",
    "SettingsError",
    "SourceContext",
    "aggregate_parts",
    "api_version_satisfies",
    "cell_plan",
    "check_type",
    "count_column",
    "date_format",
    "hookimpl",
    "positive_number",
    "redact",
    "rows_column",
    "secret_source",
    "single_line",
    "str_list",
    "too_many_rows",
]

#: The version of the plugin contract (see the module docstring).
PLUGIN_API_VERSION = "1.3"


class Secret(str):
    """A setting whose value came from the environment (``${NAME}``).

    It behaves as the plain string it holds wherever the value is used (an
    SMTP login, a webhook URL), but its ``repr`` is redacted, so that a
    settings dict printed by mistake, or shown in a traceback, does not leak
    it. Messages built with f-strings still see the value: run them through
    :func:`redact` before printing them. ``names`` are the environment
    variables it was made from: a message about a bad secret names them,
    never the value.
    """

    names: tuple[str, ...]

    def __new__(cls, value: str, names: Iterable[str] = ()) -> Secret:
        secret = super().__new__(cls, value)
        secret.names = tuple(names)
        return secret

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"


def secret_source(value: Any) -> str:
    """`` (from ${NAME})`` for a :class:`Secret`, else nothing: how messages name one."""
    names = getattr(value, "names", ()) if isinstance(value, Secret) else ()
    return f" (from {', '.join('${' + n + '}' for n in names)})" if names else ""


def secrets_in(settings: Mapping[str, Any]) -> list[str]:
    """The :class:`Secret` values found in ``settings``, nested values included."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, Secret):
            found.append(str(value))
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(settings)
    return found


class SettingsError(ConfigError):
    """A setting of a source or an action is wrong.

    ``key`` names the setting; the job adds where it comes from (the
    configuration file and table), so a plugin only says what is wrong.
    """

    def __init__(self, key: str | None, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}" if key else message)


# ── settings helpers: the checks the built-in connectors and actions make, for any plugin ──
def str_list(settings: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A setting that is a list of strings, or one comma-separated string."""
    value = settings.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SettingsError(key, "must be a list of strings (or one comma-separated string)")


def check_type(settings: Mapping[str, Any], key: str, kinds: type | tuple[type, ...],
               what: str) -> None:
    """Raise :class:`SettingsError` unless ``settings[key]`` (when given) is of ``kinds``."""
    value = settings.get(key)
    if value is None:
        return
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
        raise SettingsError(key, f"must be {what}")
    if not isinstance(value, kinds):
        raise SettingsError(key, f"must be {what}")


def positive_number(settings: Mapping[str, Any], key: str, default: float) -> float:
    """A number ≥ 0 (timeouts, delays), ``default`` when not given."""
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise SettingsError(key, "must be a number >= 0")
    return float(value)


def date_format(settings: Mapping[str, Any]) -> str | None:
    """A source's ``date_format``: ``DMY``, ``MDY``, ``YMD`` or a strftime pattern, or ``None``."""
    check_type(settings, "date_format", str, 'DMY, MDY, YMD or a strftime pattern such as "%d.%m.%Y"')
    value = settings.get("date_format")
    if value is None:
        return None
    from kpirules.engine.periods import check_date_format  # here: check must not import polars

    try:
        return check_date_format(str(value))
    except ValueError as err:
        raise SettingsError("date_format", str(err)) from None


def single_line(settings: Mapping[str, Any], key: str) -> None:
    """Raise :class:`SettingsError` when a text setting holds a line break or control character.

    Such a value cannot go into a header or a protocol command; it is most
    often a secret read from a file with its trailing newline. The message
    names the setting and its environment variable, never the value.
    """
    value = settings.get(key)
    if isinstance(value, str) and one_line(value, "") != value:
        raise SettingsError(key, f"holds a line break or a control character"
                                 f"{secret_source(value)}; remove it (a trailing newline of a "
                                 f"secrets file?)")


class _Settings:
    """Validation shared by connectors and action types.

    A subclass lists the settings it accepts in ``required`` and ``optional``;
    :meth:`validate` rejects unknown keys with a did-you-mean hint (a misspelt
    ``perod_column`` must not be ignored silently) and missing required keys.
    ``path_settings`` are resolved against the configuration file's folder by
    the job before the plugin sees them. ``settings_help`` says what each
    setting takes and its default, for ``kpirules plugins --verbose``.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()
    path_settings: ClassVar[tuple[str, ...]] = ()
    #: what each setting takes, with its default (``{"timeout": "seconds, default 10"}``):
    #: ``kpirules plugins --verbose`` shows it under the settings
    settings_help: ClassVar[Mapping[str, str]] = {}

    def validate(self, settings: Mapping[str, Any]) -> None:
        """Check ``settings``; raise :class:`SettingsError` naming the key."""
        known = (*self.required, *self.optional)
        for key in settings:
            if key not in known:
                close = did_you_mean(key, known)
                hint = f" ({close})" if close else ""
                allowed = ", ".join(known) or "none"
                raise SettingsError(
                    key, f"unknown setting for {self.name!r}{hint}; allowed: {allowed}"
                )
        for key in self.required:
            if key not in settings or settings[key] in (None, ""):
                raise SettingsError(key, f"missing, {self.name!r} needs it")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


@frozen
class SourceContext:
    """What a connector knows about the ruleset it reads a source for.

    ``metrics`` maps each metric of the ruleset to its ``agg`` (``sum``,
    ``avg``, ``min``, ``max``, ``first``, ``last``): a connector that pushes the
    rollup down to a database aggregates each metric by it. ``rename`` maps a
    column of the source to the metric it supplies. ``dimensions`` are the
    dimensions the ruleset declares. ``base_dir`` is the folder relative paths
    are taken from (the configuration file's). ``grain`` is the ruleset's
    period grain. ``source`` names the source, for messages.

    ``aggregates`` maps each aggregate metric (language §4.1) to its
    :class:`kpirules.lang.model.MetricDef` (``aggregate``, ``where``,
    ``columns``) and ``params`` gives the parameter values its row
    expressions read: a connector may compute them in the database for every
    level (see :mod:`kpirules.builtin.sql_pushdown`), or return raw rows.

    ``max_rows`` is the most rows the source may hold (``max_rows`` of the
    source, ``--max-rows`` of eval): a connector that can tell early (from
    metadata, while fetching) raises :func:`too_many_rows`; the job checks
    every table it gets anyway.
    """

    source: str
    metrics: Mapping[str, str] = field(factory=dict)
    dimensions: tuple[str, ...] = ()
    base_dir: Path = field(factory=Path.cwd)
    grain: str | None = None
    rename: Mapping[str, str] = field(factory=dict)
    aggregates: Mapping[str, Any] = field(factory=dict)
    params: Mapping[str, float | str] = field(factory=dict)
    max_rows: int = DEFAULT_MAX_ROWS

    def resolve(self, path: str | Path) -> Path:
        """``path`` taken relative to :attr:`base_dir` unless absolute."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.base_dir / p


class Connector(_Settings):
    """Reads one table of rows for a source of the configuration.

    Subclass it, set ``name`` (what ``connector = "…"`` names in a source),
    ``description``, ``required``/``optional`` settings, and implement
    :meth:`read`. ``validate`` runs before any data is read, so that a wrong
    setting is a configuration error (exit 2), not a failed run. ``read``
    raises :class:`kpirules.errors.DataError` for data it cannot read.

    The job handles three settings of every source itself and never passes
    them on: ``connector``, ``rename`` (given to :meth:`read` as
    ``ctx.rename``, and applied to the returned table by the engine) and
    ``max_rows`` (given as ``ctx.max_rows``, and checked on the returned table).
    Everything else, ``period_column`` included, is the connector's to accept.

    ``main_setting`` names the setting that ``--data KIND:ARG`` of ``eval``,
    ``explain`` and the other data commands gives ``ARG`` to (``path`` for a
    file, ``url`` for a database or an API); ``--source KEY=VALUE`` gives the
    others. Left at ``None``, it is ``path`` when the connector accepts one,
    else its only required setting.
    """

    main_setting: ClassVar[str | None] = None

    def read(self, settings: Mapping[str, Any], ctx: SourceContext) -> RawTable:
        """Return the rows of the source as a :class:`~kpirules.data.table.RawTable`."""
        raise NotImplementedError


class ActionType(_Settings):
    """Delivers one firing of a rule somewhere (a chat, a mailbox, a file).

    Subclass it, set ``name`` (what ``type = "…"`` names in an
    ``[actions.NAME]`` table, and the action name a rule may call directly),
    ``description``, the settings, and implement :meth:`deliver`. ``deliver``
    returns when the firing was delivered and raises (any exception; ideally
    :class:`kpirules.errors.ActionError`) when it was not: the job then records
    the failure and retries the delivery at the next run. An action never
    keeps state of its own: the job's state store makes sure each firing is
    delivered at least once and never again after a success.

    Settings that came from the environment are :class:`Secret` values: never
    put them in an exception message or a log line unredacted.
    """

    def deliver(self, firing: Firing, settings: Mapping[str, Any]) -> None:
        """Deliver ``firing``; raise on failure."""
        raise NotImplementedError

    def deliver_digest(self, digest: Digest, settings: Mapping[str, Any]) -> None:
        """Deliver every firing of a run at once (``digest = true``); raise on failure.

        By default, one :meth:`deliver` call with a firing whose ``text`` is
        the digest's text and whose ``subject`` is its subject: every action
        type can be a digest. Override it to give the digest a richer form.
        """
        self.deliver(digest.as_firing(), settings)


@frozen
class Firing:
    """One rule firing for one segment at the as-of period, as actions see it.

    ``args`` are the action's arguments from the rule, with ``{name}``
    placeholders already filled in for this row. ``values`` holds the row's
    metric and KPI values, ``status`` its threshold statuses, ``decisions``
    its decisions. ``action`` is the name the rule called (``notify``).
    ``since`` is the first period of this firing streak, which, together with
    ruleset, rule, segment and action, identifies a delivery. ``event`` is
    ``fire`` (the rule starts firing), ``renotify`` (a reminder while it
    keeps firing) or ``resolve`` (the first period where it no longer fires).
    """

    ruleset: str
    rule: str
    title: str | None
    severity: str
    period: str
    segment: dict[str, Any]
    args: dict[str, Any]
    action: str = ""
    since: str | None = None
    values: dict[str, Any] = field(factory=dict)
    status: dict[str, Any] = field(factory=dict)
    decisions: dict[str, Any] = field(factory=dict)
    event: str = "fire"  # fire | renotify | resolve (language §10)

    @property
    def text(self) -> str:
        """The message: the ``text`` argument, else a line built from the firing."""
        text = self.args.get("text")
        if isinstance(text, str) and text:
            return text
        where = Segment.of(self.segment).assignments(", ")
        title = self.title or self.rule
        state = {"resolve": "resolved, ", "renotify": "still firing, "}.get(self.event, "")
        return f"[{self.severity}] {self.ruleset}: {title} ({state}{where}, {self.period})"

    def to_dict(self) -> dict[str, Any]:
        """The firing as JSON-ready data (what ``webhook`` and ``file`` send)."""
        return {
            "text": self.text,
            "ruleset": self.ruleset,
            "rule": self.rule,
            "title": self.title,
            "severity": self.severity,
            "period": self.period,
            "since": self.since,
            "segment": dict(self.segment),
            "action": self.action,
            "args": dict(self.args),
            "values": dict(self.values),
            "status": dict(self.status),
            "decisions": dict(self.decisions),
            "event": self.event,
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as one line of JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str, sort_keys=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Firing:
        """Inverse of :meth:`to_dict` (the state store keeps firings as JSON)."""
        return cls(
            ruleset=data["ruleset"],
            rule=data["rule"],
            title=data.get("title"),
            severity=data.get("severity", "warning"),
            period=data["period"],
            segment=dict(data.get("segment") or {}),
            args=dict(data.get("args") or {}),
            action=data.get("action", ""),
            since=data.get("since"),
            values=dict(data.get("values") or {}),
            status=dict(data.get("status") or {}),
            decisions=dict(data.get("decisions") or {}),
            event=str(data.get("event") or "fire"),
        )


SEVERITY_ORDER = SEVERITIES  # lowest first


@frozen
class Digest:
    """Every firing of one run for an action with ``digest = true`` (interfaces §4).

    ``firings`` come in the order of the document's ``actions`` (ruleset by
    ruleset); ``lines`` holds one line per firing; ``subject`` and ``text``
    are the action's templates with ``{count}`` and ``{firings}`` filled;
    ``reports`` the paths of the run's reports, for a link.
    """

    action: str
    firings: tuple[Firing, ...]
    lines: tuple[str, ...]
    subject: str
    text: str
    reports: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        """The number of firings."""
        return len(self.firings)

    @property
    def severity(self) -> str:
        """The highest severity of the firings."""
        ranks = [SEVERITY_ORDER.index(f.severity) for f in self.firings if f.severity in SEVERITY_ORDER]
        return SEVERITY_ORDER[max(ranks, default=1)]

    def as_firing(self) -> Firing:
        """The digest as one firing, for actions that only know firings."""
        first = self.firings[0] if self.firings else None
        return Firing(
            ruleset=", ".join(dict.fromkeys(f.ruleset for f in self.firings)), rule="digest",
            title=self.subject, severity=self.severity, period=first.period if first else "",
            segment={}, args={"text": self.text, "subject": self.subject, "count": self.count},
            action=self.action, event="digest")

    def to_dict(self) -> dict[str, Any]:
        """A Slack-compatible payload: ``text``, then one block per firing.

        Slack takes at most 50 blocks: beyond 48 firings the last block says
        how many more there are (every firing is still in ``firings``).
        """
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": self.subject[:150]}}]
        shown = self.lines if len(self.lines) <= 48 else self.lines[:47]
        blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": line[:3000]}}
                   for line in shown]
        if len(shown) < len(self.lines):
            blocks.append({"type": "context", "elements": [
                {"type": "mrkdwn", "text": f"… and {len(self.lines) - len(shown)} more"}]})
        return {
            "text": self.text,
            "subject": self.subject,
            "count": self.count,
            "blocks": blocks,
            "firings": [f.to_dict() for f in self.firings],
            "reports": list(self.reports),
        }


#: names served lazily: module that defines them
_LAZY = {
    "RawTable": "kpirules.data.table",
    "FunctionSpec": "kpirules.lang.functions",
    "OutputFormat": "kpirules.report.base",
    "RenderOptions": "kpirules.report.base",
    "hookimpl": "kpirules.hookspecs",
    "RowTranslator": "kpirules.lang.row_translate",
    "NotTranslatable": "kpirules.lang.row_translate",
    "aggregate_parts": "kpirules.lang.row_translate",
    "CellPlan": "kpirules.lang.cell_plan",
    "cell_plan": "kpirules.lang.cell_plan",
    "CELL_PERIOD": "kpirules.data.table",
    "CELL_LEVEL": "kpirules.data.table",
    "count_column": "kpirules.data.table",
    "rows_column": "kpirules.data.table",
}


def __getattr__(name: str) -> Any:
    """``from kpirules.plugin_api import RawTable`` without importing it up front."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kpirules.plugin_api' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def api_version_satisfies(requirement: str, version: str = PLUGIN_API_VERSION) -> bool:
    """Whether ``version`` meets ``requirement``: comparisons joined by commas.

    ``">=1.0,<2"``, ``"==1.*"`` and ``"1.0"`` (the same as ``>=1.0,<2``: the
    same major version, at least this minor one). Raises ``ValueError`` for a
    requirement it cannot read.
    """
    have = _version_tuple(version)
    text = requirement.strip()
    if text and text[0].isdigit():
        wanted = _version_tuple(text)
        return have[0] == wanted[0] and have >= wanted
    for clause in (c.strip() for c in text.split(",")):
        op = next((o for o in ("==", "!=", ">=", "<=", ">", "<") if clause.startswith(o)), None)
        if op is None:
            raise ValueError(f"cannot read {clause!r} (write e.g. \">=1.0,<2\")")
        target = clause[len(op):].strip()
        if target.endswith(".*") and op in ("==", "!="):
            same = have[0] == _version_tuple(target[:-2])[0]
            if same != (op == "=="):
                return False
            continue
        wanted = _version_tuple(target)
        checks = {"==": have == wanted, "!=": have != wanted, ">=": have >= wanted,
                  "<=": have <= wanted, ">": have > wanted, "<": have < wanted}
        if not checks[op]:
            return False
    return True


def _version_tuple(text: str) -> tuple[int, int]:
    parts = text.strip().split(".")
    if not 1 <= len(parts) <= 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"cannot read version {text!r} (write MAJOR or MAJOR.MINOR)")
    return int(parts[0]), int(parts[1]) if len(parts) == 2 else 0
