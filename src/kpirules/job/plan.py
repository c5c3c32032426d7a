"""Configuration → validated plan: everything that can be wrong before any data is read.

:func:`prepare` loads the plugins and the rulesets, and checks every name and
setting of the configuration: sources and their connectors, actions (a rule
calling an action that no plugin and no configuration provides stops the run
before anything is read), report formats and parameters. Every mistake found
here exits 2, and nothing has been read or sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from attrs import define, field

from kpirules.errors import ConfigError, KpirulesError, OptionError, PluginError, UsageError
from kpirules.job.model import ResolvedAction, RunOptions, Voice
from kpirules.plugin_api import Secret, SettingsError

if TYPE_CHECKING:
    from kpirules.config import JobConfig
    from kpirules.lang import ast
    from kpirules.lang.model import Ruleset
    from kpirules.plugins import Registry


@define
class Plan:
    """A checked job: its configuration, plugins, rulesets and resolved actions."""

    config: JobConfig
    registry: Registry
    rulesets: list[Ruleset] = field(factory=list)
    actions: dict[str, ResolvedAction] = field(factory=dict)


def prepare(config: JobConfig, registry: Registry | None, options: RunOptions,
            voice: Voice) -> Plan:
    """Load plugins and rulesets and check every name and setting.

    Raises :class:`ConfigError`, :class:`PluginError`,
    :class:`~kpirules.errors.RuleFileError` or :class:`UsageError`: all
    exit 2, and nothing has been read or sent.
    """
    import kpirules

    if registry is None:
        from kpirules.plugins import load_registry  # only a job loads every plugin at once

        registry = load_registry(config.plugins, base_dir=config.base_dir)
        registry.report_failures(voice.say)
    plan = Plan(config, registry, [kpirules.load(path, functions=registry.functions)
                                   for path in config.rulesets])
    from kpirules.lang.diagnostics import render

    for ruleset in plan.rulesets:  # as eval shows them: a cron log keeps them too
        for warning in ruleset.warnings:
            for line in render(warning, ruleset.source_text, voice.wording).splitlines():
                voice.say(line)
    names = [rs.name for rs in plan.rulesets]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"{config.where('rulesets')}: two rule files define "
                              f"ruleset {name!r}; the state store keys rulesets by name")
    _check_sources(plan, voice)
    for name in config.actions:
        plan.actions[name] = resolve_action(plan, name, voice)
    for rs in plan.rulesets:
        for rule in rs.rules.values():
            for call in (*rule.actions, *rule.resolve_actions):
                if call.name not in plan.actions:
                    plan.actions[call.name] = resolve_action(plan, call.name, voice, rs,
                                                             rule.name, call.span)
    if config.report is not None:
        for fmt in config.report.formats:
            if fmt not in registry.formats:
                raise ConfigError(
                    f"{config.where('report', 'formats')}: unknown format {fmt!r}; "
                    f"available: {', '.join(registry.formats)}")
    _check_params(plan, options, voice)
    return plan


def _check_sources(plan: Plan, voice: Voice) -> None:
    """At least one source, each with an installed connector whose settings it accepts."""
    config = plan.config
    if not config.sources:
        raise ConfigError(f"{config.where('sources')}: no source; add a "
                          f"[sources.NAME] table with a connector")
    for source in config.sources.values():
        connector = plan.registry.connectors.get(source.connector)
        if connector is None:
            raise ConfigError(
                f"{config.where('sources', source.name, 'connector')}: unknown "
                f"connector {source.connector!r}; installed: {', '.join(plan.registry.connectors)}")
        validate_settings(plan, connector,
                          absolute_paths(config, connector.path_settings, source.settings),
                          ("sources", source.name), voice)


def _check_params(plan: Plan, options: RunOptions, voice: Voice) -> None:
    """Every ``--param`` and ``[params]`` name belongs to a ruleset, and each value suits it."""
    config = plan.config
    known_params = {p for rs in plan.rulesets for p in rs.params}
    for name in options.params:
        if name not in known_params:
            raise UsageError(f"--param {name}: no ruleset has a parameter {name!r}"
                             + (f" (parameters: {', '.join(sorted(known_params))})"
                                if known_params else ""))
    for name in config.params:
        if name not in known_params:
            raise ConfigError(f"{config.where('params', name)}: no ruleset has a "
                              f"parameter {name!r}")
    _check_config_params(plan, voice)


def _check_config_params(plan: Plan, voice: Voice) -> None:
    """Each ``[params]`` value suits the parameter of every ruleset declaring it.

    Checked here, before anything is read, so that a wrong type is blamed
    on the configuration line, not on a ``--param`` nobody gave.
    """
    from kpirules.engine.evaluate import resolve_params

    config = plan.config
    for name, value in config.params.items():
        for rs in plan.rulesets:
            if name not in rs.params:
                continue
            try:
                resolve_params(rs, {name: value})
            except OptionError as exc:  # said of the configuration line
                why = exc.reason
                if why == f'"{name}" is a number':
                    why = f"must be a number (the parameter is numeric in ruleset {rs.name})"
                raise ConfigError(voice.redact(f"{config.where('params', name)}: {why}")
                                  ) from None


def absolute_paths(config: JobConfig, keys: tuple[str, ...],
                   settings: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` with the plugin's path settings made absolute (relative to the file)."""
    out = dict(settings)
    for key in keys:
        value = out.get(key)
        if isinstance(value, str) and value:
            resolved = str(config.resolve(value))
            out[key] = Secret(resolved, value.names) if isinstance(value, Secret) else resolved
    return out


def validate_settings(plan: Plan, plugin: Any, settings: Mapping[str, Any],
                      keys: tuple[str, ...], voice: Voice) -> None:
    """Run a plugin's settings check, naming file, table and key on failure."""
    config = plan.config
    try:
        plugin.validate(settings)
    except SettingsError as exc:
        where = config.where(*keys, exc.key) if exc.key else config.where(*keys)
        raise ConfigError(voice.redact(f"{where}: {exc.message}")) from None
    except KpirulesError:
        raise
    except Exception as exc:
        owner = plan.registry.owner(keys[0], plugin.name)
        raise PluginError(voice.redact(
            f"plugin {owner.label if owner else plugin.name!r} failed to check the "
            f"settings of {config.where(*keys)}: {type(exc).__name__}: {exc}")) from None


def resolve_action(plan: Plan, name: str, voice: Voice, rs: Ruleset | None = None,
                   rule: str | None = None, span: ast.Span | None = None) -> ResolvedAction:
    """A rule's action name → ``[actions.NAME]`` of the configuration, else a plugin."""
    config, registry = plan.config, plan.registry
    configured = config.actions.get(name)
    if configured is not None:
        plugin = registry.actions.get(configured.type)
        if plugin is None:
            raise ConfigError(
                f"{config.where('actions', name, 'type')}: unknown action type "
                f"{configured.type!r}; installed: {', '.join(registry.actions)}")
        from kpirules.alerting.digest import split_settings as digest_settings

        own, digest = digest_settings(configured.settings, config.where("actions", name))
        settings = absolute_paths(config, plugin.path_settings, own)
        validate_settings(plan, plugin, settings, ("actions", name), voice)
        return ResolvedAction(name, plugin, settings, configured.where, digest)
    plugin = registry.actions.get(name)
    if plugin is None:
        where = f"{rs.source_path or rs.name}" if rs is not None else "a rule"
        if rs is not None and span is not None and span.line:
            where += f":{span.line}:{span.column}"  # as check reports it
        raise ConfigError(
            f"{where}: rule {rule!r} calls action {name!r}, which no plugin and no "
            f"configuration provides; add an [actions.{name}] table with a type "
            f"({', '.join(registry.actions)}) to {config.path}")
    validate_settings(plan, plugin, {}, ("actions", name), voice)
    return ResolvedAction(name, plugin, {}, f"plugin {name}")


def ruleset_params(config: JobConfig, rs: Ruleset, options: RunOptions) -> dict[str, Any]:
    """The parameter values of one ruleset: ``[params]``, then ``--param`` over them."""
    merged: dict[str, Any] = {k: v for k, v in config.params.items() if k in rs.params}
    merged.update({k: parse_param(v) for k, v in options.params.items() if k in rs.params})
    return merged


def parse_param(text: str) -> float | str:
    """A ``--param`` value: a number (``12``, ``-3.5``, ``30%``), else the text."""
    raw = text.strip()
    try:
        if raw.endswith("%"):
            return float(raw[:-1]) / 100
        return float(raw)
    except ValueError:
        return text
