"""The automated job behind ``kpirules run``.

One run: load the configuration, the plugins and the rulesets, and check that
everything a rule names exists (a rule calling an action that no plugin and
no configuration provides stops the run before anything is read: exit 2);
then read every source through its connector for every ruleset (a metric
that two sources supply is a configuration mistake: exit 2 before anything
is evaluated, recorded or sent); for each ruleset, evaluate (data warnings go
to standard error, prefixed with the ruleset and the source) and record in
the state store which rules start firing (their action calls go to the
outbox) and which are resolved; then deliver the outbox (new firings, and
failed deliveries of earlier runs); write the reports; record the run. The
exit code follows interfaces §2: 0, 1 for an as-of outcome at or above
``fail_on``, 2 for invalid input, 3 when a source, an action or a report
failed (the rest of the run still happens: other rulesets are evaluated,
other actions delivered, and failed deliveries wait for the next run).

Nothing here prints a secret: every message leaving the job goes through
:func:`kpirules.plugin_api.redact` with the configuration's secrets.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from attrs import define, field, frozen

from kpirules.alerting import silences
from kpirules.alerting.digest import deliver_run_digests
from kpirules.alerting.digest import split_settings as digest_settings
from kpirules.alerting.events import firing_of, lifecycle_events, streak_start
from kpirules.config import JobConfig, load_config
from kpirules.data.limits import check_table
from kpirules.display import MAX_LINE, cut, message_lines
from kpirules.engine.data_warnings import UNSUPPLIED_METRIC, DataWarning
from kpirules.errors import (
    ConfigError,
    DataError,
    ExitCode,
    KpirulesError,
    PluginError,
    UsageError,
)
from kpirules.plugin_api import ActionType, Secret, SettingsError, SourceContext, redact
from kpirules.plugins import Registry, load_registry
from kpirules.safe_paths import inside, report_file_name
from kpirules.state import CurrentFiring, Delivery, StateStore, now_iso, segment_key
from kpirules.testpoints import crashpoint, pause

if TYPE_CHECKING:
    from kpirules.data.table import RawTable
    from kpirules.lang import ast
    from kpirules.lang.model import Ruleset

FAIL_ORDER = {"never": 99, "info": 0, "warning": 1, "critical": 2}


@frozen
class RunOptions:
    """What the command line adds to the configuration for one run."""

    period: str | None = None
    params: dict[str, str] = field(factory=dict)
    fail_on: str | None = None


@define
class RulesetRun:
    """One ruleset's part of a run."""

    name: str
    path: Path
    as_of: str | None = None
    document: dict[str, Any] | None = None
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


class Job:
    """One configured job; :meth:`prepare` checks it, :meth:`run` runs it.

    ``err`` receives every line meant for standard error (already redacted).
    """

    def __init__(self, config: JobConfig, registry: Registry | None = None,
                 err: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.registry = registry
        self._err = err or (lambda line: print(line, file=sys.stderr, flush=True))
        self.rulesets: list[Ruleset] = []
        self.actions: dict[str, ResolvedAction] = {}
        self._cache: dict[Any, RawTable] = {}
        self._warned: set[str] = set()  # data warnings already printed in this run

    # -- messages -------------------------------------------------------------

    def redact(self, text: str) -> str:
        """``text`` with every secret of the configuration replaced by ``***``."""
        return redact(text, self.config.secrets)

    def say(self, line: str) -> None:
        """One line on standard error, secrets removed.

        A value from the data (a segment, a column name) cannot break the
        line and forge another: control characters are shown escaped, and
        the line is cut to a readable length.
        """
        self._err(cut(self.redact(line), MAX_LINE))

    # -- preparing: everything that can be wrong before reading any data ---------

    def prepare(self, options: RunOptions = RunOptions()) -> None:
        """Load plugins and rulesets and check every name and setting.

        Raises :class:`ConfigError`, :class:`PluginError`,
        :class:`~kpirules.errors.RuleFileError` or :class:`UsageError`: all
        exit 2, and nothing has been read or sent.
        """
        import kpirules

        if self.registry is None:
            self.registry = load_registry(self.config.plugins, base_dir=self.config.base_dir)
            self.registry.report_failures(self.say)
        registry = self.registry
        self.rulesets = [kpirules.load(path, functions=registry.functions)
                         for path in self.config.rulesets]
        from kpirules.lang.diagnostics import render

        for ruleset in self.rulesets:  # as eval shows them: a cron log keeps them too
            for warning in ruleset.warnings:
                for line in render(warning, ruleset.source_text).splitlines():
                    self.say(line)
        names = [rs.name for rs in self.rulesets]
        for name in names:
            if names.count(name) > 1:
                raise ConfigError(f"{self.config.where('rulesets')}: two rule files define "
                                  f"ruleset {name!r}; the state store keys rulesets by name")
        if not self.config.sources:
            raise ConfigError(f"{self.config.where('sources')}: no source; add a "
                              f"[sources.NAME] table with a connector")
        for source in self.config.sources.values():
            connector = registry.connectors.get(source.connector)
            if connector is None:
                raise ConfigError(
                    f"{self.config.where('sources', source.name, 'connector')}: unknown "
                    f"connector {source.connector!r}; installed: {', '.join(registry.connectors)}")
            self._validate(connector, self._paths(connector.path_settings, source.settings),
                           ("sources", source.name))
        for name in self.config.actions:
            self.actions[name] = self._resolve_action(name)
        for rs in self.rulesets:
            for rule in rs.rules.values():
                for call in (*rule.actions, *rule.resolve_actions):
                    if call.name not in self.actions:
                        resolved = self._resolve_action(call.name, rs, rule.name, call.span)
                        self.actions[call.name] = resolved
        if self.config.report is not None:
            for fmt in self.config.report.formats:
                if fmt not in registry.formats:
                    raise ConfigError(
                        f"{self.config.where('report', 'formats')}: unknown format {fmt!r}; "
                        f"available: {', '.join(registry.formats)}")
        known_params = {p for rs in self.rulesets for p in rs.params}
        for name in options.params:
            if name not in known_params:
                raise UsageError(f"--param {name}: no ruleset has a parameter {name!r}"
                                 + (f" (parameters: {', '.join(sorted(known_params))})"
                                    if known_params else ""))
        for name in self.config.params:
            if name not in known_params:
                raise ConfigError(f"{self.config.where('params', name)}: no ruleset has a "
                                  f"parameter {name!r}")
        self._check_config_params()

    def _check_config_params(self) -> None:
        """Each ``[params]`` value suits the parameter of every ruleset declaring it.

        Checked here, before anything is read, so that a wrong type is blamed
        on the configuration line, not on a ``--param`` nobody gave.
        """
        from kpirules.engine.evaluate import resolve_params

        for name, value in self.config.params.items():
            for rs in self.rulesets:
                if name not in rs.params:
                    continue
                try:
                    resolve_params(rs, {name: value})
                except UsageError as exc:
                    # "--param NAME=VALUE: why" → "why", said of the configuration line
                    text = str(exc)
                    why = text.split(": ", 1)[1] if text.startswith("--param ") else text
                    if why == f'"{name}" is a number':
                        why = f"must be a number (the parameter is numeric in ruleset {rs.name})"
                    raise ConfigError(self.redact(f"{self.config.where('params', name)}: {why}")
                                      ) from None

    def _paths(self, keys: tuple[str, ...], settings: Mapping[str, Any]) -> dict[str, Any]:
        """``settings`` with the plugin's path settings made absolute."""
        out = dict(settings)
        for key in keys:
            value = out.get(key)
            if isinstance(value, str) and value:
                resolved = str(self.config.resolve(value))
                out[key] = Secret(resolved, value.names) if isinstance(value, Secret) else resolved
        return out

    def _validate(self, plugin: Any, settings: Mapping[str, Any], keys: tuple[str, ...]) -> None:
        """Run a plugin's settings check, naming file, table and key on failure."""
        try:
            plugin.validate(settings)
        except SettingsError as exc:
            where = self.config.where(*keys, exc.key) if exc.key else self.config.where(*keys)
            raise ConfigError(self.redact(f"{where}: {exc.message}")) from None
        except KpirulesError:
            raise
        except Exception as exc:
            owner = self.registry.owner(keys[0], plugin.name) if self.registry else None
            raise PluginError(self.redact(
                f"plugin {owner.label if owner else plugin.name!r} failed to check the "
                f"settings of {self.config.where(*keys)}: {type(exc).__name__}: {exc}")) from None

    def _resolve_action(self, name: str, rs: Ruleset | None = None,
                        rule: str | None = None, span: ast.Span | None = None) -> ResolvedAction:
        """A rule's action name → ``[actions.NAME]`` of the configuration, else a plugin."""
        assert self.registry is not None
        configured = self.config.actions.get(name)
        if configured is not None:
            plugin = self.registry.actions.get(configured.type)
            if plugin is None:
                raise ConfigError(
                    f"{self.config.where('actions', name, 'type')}: unknown action type "
                    f"{configured.type!r}; installed: {', '.join(self.registry.actions)}")
            own, digest = digest_settings(configured.settings, self.config.where("actions", name))
            settings = self._paths(plugin.path_settings, own)
            self._validate(plugin, settings, ("actions", name))
            return ResolvedAction(name, plugin, settings, configured.where, digest)
        plugin = self.registry.actions.get(name)
        if plugin is None:
            where = f"{rs.source_path or rs.name}" if rs is not None else "a rule"
            if rs is not None and span is not None and span.line:
                where += f":{span.line}:{span.column}"  # as check reports it
            raise ConfigError(
                f"{where}: rule {rule!r} calls action {name!r}, which no plugin and no "
                f"configuration provides; add an [actions.{name}] table with a type "
                f"({', '.join(self.registry.actions)}) to {self.config.path}")
        self._validate(plugin, {}, ("actions", name))
        return ResolvedAction(name, plugin, {}, f"plugin {name}")

    # -- running --------------------------------------------------------------

    def run(self, options: RunOptions = RunOptions()) -> RunReport:
        """Run the job once (call :meth:`prepare` first); never raises for data.

        Raises only for invalid input found on the way (a ``--period`` outside
        the data, a metric supplied by two sources: exit 2); failures of
        sources, actions and reports are reported, recorded and turned into
        exit code 3.
        """
        if self.registry is None or not self.rulesets:
            self.prepare(options)
        fail_on = options.fail_on or self.config.fail_on or "critical"
        with StateStore(self.config.state) as state:
            run_id = state.begin_run(str(self.config.path))
            crashpoint("after_begin")
            report = RunReport(run_id, ExitCode.OK, [])
            try:
                # Every source is read (once) before any ruleset is evaluated, so
                # that a source mistake found in the data stops the run before
                # anything is recorded or sent.
                read = {rs.name: self._sources_of(rs, self._params(rs, options)) for rs in self.rulesets}
                for rs in self.rulesets:
                    report.rulesets.append(self._evaluate(rs, read[rs.name], options, fail_on,
                                                          state, run_id))
                    crashpoint("after_enqueue")
                self._deliver(state, run_id, report)
                for part in report.rulesets:
                    self._outcomes(state, run_id, part)
                    self._write_reports(part, report)
                    state.record_result(run_id, part.name, part.as_of,
                                        {**part.counts, "new": part.new,
                                         "resolved": part.resolved, "firing": part.firing},
                                        as_of_only(part.document) if part.document else None,
                                        part.error)
                self._write_index(report)
                report.errors.extend(p.error for p in report.rulesets if p.error)
                report.exit_code = self._exit_code(report)
                crashpoint("before_finish")
            except (UsageError, ConfigError) as exc:
                state.finish_run(run_id, exc.exit_code, {"error": self.redact(str(exc))},
                                 report.sent, report.failed)
                raise
            state.finish_run(run_id, report.exit_code, {
                "rulesets": {p.name: {"as_of": p.as_of, "error": p.error}
                             for p in report.rulesets},
                "errors": report.errors,
            }, report.sent, report.failed)
        return report

    def _exit_code(self, report: RunReport) -> int:
        if report.failed or any(p.error for p in report.rulesets) or report.errors:
            return ExitCode.RUNTIME
        return max((p.status for p in report.rulesets), default=ExitCode.OK)

    def _sources_of(self, rs: Ruleset, params: dict[str, Any] | None = None,
                    ) -> list[tuple[str, RawTable]] | KpirulesError:
        """Every source read for ``rs``, by source name, or the error that stopped it.

        Raises :class:`ConfigError` when two sources supply one metric.
        """
        try:
            tables = self._read_sources(rs, params or {})
        except UsageError:
            raise
        except KpirulesError as exc:
            return exc
        self._check_renames(tables)
        self._check_suppliers(rs, tables)
        return tables

    def _check_renames(self, tables: list[tuple[str, RawTable]]) -> None:
        """A source's ``rename`` must not give a column the name of another column.

        Only the data tells which columns a source has, so this is found once
        the source is read; it is still a configuration mistake (exit 2),
        found before anything is evaluated, recorded or sent.
        """
        for name, table in tables:
            if not table.rename:
                continue
            columns = list(table.frame.columns)
            targets: dict[str, str] = {}
            for column, target in table.rename.items():
                if column not in columns or column == target:
                    continue
                first = targets.setdefault(target, column)
                if first != column:
                    problem = (f'{first} → {target} and {column} → {target}: two columns '
                               f'cannot both become "{target}"')
                elif target in columns and table.rename.get(target, target) == target:
                    problem = (f'{column} → {target}, but {table.source} already has a column '
                               f'"{target}" (rename that one too, or leave it out of the '
                               f"source)")
                else:
                    continue
                source = self.config.sources.get(name)
                keys = ("sources", name, "rename")
                where = (self.config.where(*keys) if source is not None and
                         column in source.rename else self.config.where("sources", name))
                raise ConfigError(self.redact(f"{where}: {problem}"))

    def _check_suppliers(self, rs: Ruleset, tables: list[tuple[str, RawTable]]) -> None:
        """A metric must come from one source; name both ``[sources.NAME]`` tables if not.

        Decided on the columns as the engine will see them: the table's
        ``rename`` applied, its ``ignore`` columns dropped.
        """
        supplier: dict[str, str] = {}
        clashes: dict[tuple[str, str], list[str]] = {}
        for name, table in tables:
            for metric in supplied_metrics(table, rs.metrics):
                first = supplier.setdefault(metric, name)
                if first != name:
                    clashes.setdefault((first, name), []).append(metric)
        if not clashes:
            return
        parts = []
        for (first, second), metrics in clashes.items():
            what = (f"metric {_quoted(metrics)}" if len(metrics) == 1
                    else f"metrics {_quoted(metrics)}")
            parts.append(f'sources "{first}" and "{second}" both supply {what}')
        (_first, second), metrics = next(iter(clashes.items()))
        raise ConfigError(
            f"{self.config.where('sources', second)}: {'; '.join(parts)} "
            f"(ruleset {rs.name}); a metric must come from one source: drop the column "
            f"from the others (ignore = [{_quoted(metrics)}]) or rename it")

    def _read_sources(self, rs: Ruleset, params: dict[str, Any]) -> list[tuple[str, RawTable]]:
        """Every source read for ``rs``, by source name (a file read once serves every
        ruleset)."""
        assert self.registry is not None
        metrics = {m.name: (m.agg or "sum") for m in rs.metrics.values()}
        tables = []
        for source in self.config.sources.values():
            connector = self.registry.connectors[source.connector]
            ctx = SourceContext(source=source.name, metrics=metrics,
                                dimensions=tuple(rs.dimensions), base_dir=self.config.base_dir,
                                grain=rs.grain, rename=dict(source.rename),
                                aggregates={n: m for n, m in rs.metrics.items() if m.aggregate is not None},
                                params=_param_values(rs, params), max_rows=source.max_rows)
            key = (source.name, tuple(sorted(metrics.items())), ctx.dimensions, rs.grain,
                   tuple(sorted(ctx.aggregates)), tuple(sorted(ctx.params.items())))
            table = self._cache.get(key)
            if table is None:
                settings = self._paths(connector.path_settings, source.settings)
                try:
                    table = connector.read(settings, ctx)
                except KpirulesError:
                    raise
                except Exception as exc:
                    raise DataError(f"connector {connector.name!r} failed: "
                                    f"{type(exc).__name__}: {exc}", f"source {source.name}"
                                    ) from exc
                check_table(table, source.max_rows)
                if source.rename:
                    table = attrs.evolve(table, rename={**table.rename, **source.rename})
                self._cache[key] = table
            tables.append((source.name, table))
        return tables

    def _params(self, rs: Ruleset, options: RunOptions) -> dict[str, Any]:
        merged: dict[str, Any] = {k: v for k, v in self.config.params.items() if k in rs.params}
        merged.update({k: parse_param(v) for k, v in options.params.items() if k in rs.params})
        return merged

    def _evaluate(self, rs: Ruleset, tables: list[tuple[str, RawTable]] | KpirulesError,
                  options: RunOptions, fail_on: str, state: StateStore,
                  run_id: str) -> RulesetRun:
        """Evaluate and record one ruleset; data failures are kept, not raised."""
        part = RulesetRun(rs.name, Path(rs.source_path or rs.name))
        try:
            if isinstance(tables, KpirulesError):
                raise tables
            import kpirules

            result = kpirules.evaluate(rs, [self._for_ruleset(table, rs) for _name, table in tables],
                                       period=options.period, params=self._params(rs, options), history=True)
            unsupplied = [m for m in result.unsupplied if rs.metrics[m].missing is None]
            if unsupplied:  # a misspelt metric must not run actions on nulls (interfaces §1)
                hints = [w for w in result.warnings if w.code == UNSUPPLIED_METRIC]
                raise DataError("; ".join(_name_source(h, tables) for h in hints)
                                + " — give the metric a `missing` value to run without it")
        except UsageError:
            raise
        except KpirulesError as exc:
            part.error = message_lines(self.redact(f"{rs.name}: {exc}"), MAX_LINE // 2)
            part.status = ExitCode.RUNTIME
            self.say(f"error: {part.error}")
            return part
        # Data warnings (an unknown numeric column, a metric no column supplies)
        # also go to standard error, where a cron log keeps them; the JSON
        # document keeps them as the engine wrote them.
        for warning in dict.fromkeys(result.warnings):
            text = _name_source(warning, tables)
            part.warnings.append(text)
            line = f"warning: {text}" if text.startswith("source") else f"warning: {rs.name}: {text}"
            if line not in self._warned:  # a source shared by rulesets warns once per run
                self._warned.add(line)
                self.say(line)
        doc = result.to_dict()
        if self.config.report is not None and "html" in self.config.report.formats:
            from kpirules.answers.report import worsened_whys

            doc["why"] = worsened_whys(result)  # the report explains each KPI whose status worsened
        part.document = doc
        part.as_of = str(doc["as_of"])
        part.status = result.exit_status(fail_on=fail_on)
        current = current_firings(doc)
        part.firing = len(current)
        part.counts = status_counts(doc)
        changes = state.record_firings(run_id, rs.name, part.as_of, current,
                                       lifecycle_events(doc))
        part.new, part.resolved = len(changes.new), len(changes.resolved)
        if changes.past_period:
            self.say(f"{rs.name}: {part.as_of} is older than the last period run; "
                     f"no action is run again for it")
        for rule, segment in changes.resolved:
            self.say(f"{rs.name}/{rule} {_segment_text(segment)}: resolved at {part.as_of}")
        return part

    def _for_ruleset(self, table: RawTable, rs: Ruleset) -> RawTable:
        """``table`` for ``rs``: the metrics of the job's other rulesets are left out quietly."""
        from kpirules.engine.roles import leave_out_used_elsewhere

        return leave_out_used_elsewhere(table, rs, {m for other in self.rulesets for m in other.metrics})

    def _deliver(self, state: StateStore, run_id: str, report: RunReport) -> None:
        """Deliver every outbox row this run can claim; record each outcome."""
        claimed = state.claim(run_id)
        crashpoint("after_claim")
        digests: dict[str, list[Delivery]] = {}
        for delivery in claimed:
            resolved = self.actions.get(delivery.action)
            if resolved is not None and resolved.digest is not None:
                digests.setdefault(delivery.action, []).append(delivery)
        deliver_run_digests(self, state, run_id, report, digests)
        for delivery in claimed:
            if delivery.action in digests:
                continue
            firing = delivery.firing
            label = (f"{firing.ruleset}/{firing.rule} {_segment_text(firing.segment)} "
                     f"→ {delivery.action}")
            resolved = self.actions.get(delivery.action)
            if resolved is None:
                resolved = self._late_action(delivery.action)
            error: str | None = None
            if resolved is None:
                error = f"action {delivery.action!r} is no longer configured"
            else:
                pause("deliver")
                try:
                    resolved.plugin.deliver(firing, resolved.settings)
                except Exception as exc:
                    detail = str(exc) or type(exc).__name__
                    error = message_lines(self.redact(detail), MAX_LINE // 2)  # stored, then printed
            if error is None:
                crashpoint("before_mark")
                state.mark_sent(run_id, delivery.id)
                report.sent += 1
                crashpoint("after_mark")
            else:
                state.mark_failed(run_id, delivery.id, error)
                report.failed += 1
                self.say(f"error: {label} failed (attempt {delivery.attempts + 1}, "
                         f"retried next run): {error}")

    def expected_reports(self, report: RunReport) -> list[str]:
        """The HTML reports this run will write, for a digest's link."""
        config = self.config.report
        if config is None or "html" not in config.formats:
            return []
        return [str(self._report_target(part, "html")) for part in report.rulesets
                if part.document is not None]

    def _report_target(self, part: RulesetRun, extension: str) -> Path:
        """Where one ruleset's report in one format is written (a plain file name in
        ``[report] dir``, whatever the ruleset name holds: docs/security.md)."""
        assert self.config.report is not None
        config = self.config.report
        return config.dir / report_file_name(config.name, part.name, str(part.as_of), extension)

    def _late_action(self, name: str) -> ResolvedAction | None:
        """An action of an older firing whose rule no longer calls it."""
        try:
            return self._resolve_action(name)
        except KpirulesError:
            return None

    def _outcomes(self, state: StateStore, run_id: str, part: RulesetRun) -> None:
        """Mark each action of the as-of period ``sent``, ``already_sent``, ``failed``…"""
        if part.document is None:
            return
        outcomes = state.outcomes(part.name, run_id, part.as_of)
        index: dict[tuple[str, str, str], int] = {}
        for entry in part.document.get("actions", []):
            event = str(entry.get("event") or "fire")
            key = (entry["rule"], segment_key(entry.get("segment") or {}), event)
            i = index.get(key, 0)
            index[key] = i + 1
            entry["outcome"] = outcomes.get((*key, i), outcomes.get(
                (*key[:2], "fire", i), "skipped") if event == "renotify" else "skipped")
            if entry["outcome"] == "silenced":
                entry["silenced_until"] = silences.silenced_until(
                    silences.active(state.db, part.name, str(part.as_of)), part.name,
                    entry["rule"], entry.get("segment") or {})

    def _write_index(self, report: RunReport) -> None:
        """``index.html`` in the report folder, linking every ruleset's reports (HTML only)."""
        config = self.config.report
        if config is None or "html" not in config.formats or not config.dir.is_dir():
            return
        from kpirules.report.index import write_index

        try:
            write_index(config.dir)
        except OSError as exc:
            message = self.redact(f"report index in {config.dir}: {exc.strerror or exc}")
            report.errors.append(message)
            self.say(f"error: {message}")

    def _write_reports(self, part: RulesetRun, report: RunReport) -> None:
        """Write the configured report formats for one ruleset."""
        config = self.config.report
        if config is None or not config.formats or part.document is None:
            return
        assert self.registry is not None
        from kpirules.report.base import RenderOptions

        options = RenderOptions(color=False, generated_at=now_iso())
        for name in config.formats:
            fmt = self.registry.formats[name]
            doc = part.document if fmt.needs_history else as_of_only(part.document)
            target = self._report_target(part, fmt.extension)
            try:
                target = inside(config.dir, target.name)
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
                write_file = getattr(fmt, "write_file", None)
                if write_file is not None:  # pdf: not text
                    write_file(doc, options, tmp)
                else:
                    tmp.write_text(fmt.render(doc, options), encoding="utf-8")
                os.replace(tmp, target)
            except Exception as exc:
                message = self.redact(f"report {target}: {type(exc).__name__}: {exc}")
                report.errors.append(message)
                self.say(f"error: {message}")
                continue
            part.reports.append(target)


def _param_values(rs: Ruleset, overrides: dict[str, Any]) -> dict[str, float | str]:
    """The values of a ruleset's parameters for a source pushing aggregates down (none: nothing to resolve)."""
    if not any(m.aggregate is not None for m in rs.metrics.values()):
        return {}
    from kpirules.engine.evaluate import resolve_params

    return resolve_params(rs, overrides, "")


def run_job(config_path: str | Path | None, options: RunOptions = RunOptions(),
            err: Callable[[str], None] | None = None) -> RunReport:
    """Load the configuration at ``config_path`` (default: found) and run it."""
    job = Job(load_config(config_path), err=err)
    job.prepare(options)
    return job.run(options)


def parse_param(text: str) -> float | str:
    """A ``--param`` value: a number (``12``, ``-3.5``, ``30%``), else the text."""
    raw = text.strip()
    try:
        if raw.endswith("%"):
            return float(raw[:-1]) / 100
        return float(raw)
    except ValueError:
        return text


def current_firings(doc: Mapping[str, Any]) -> list[CurrentFiring]:
    """The rules firing at the as-of period, per segment, with their action calls.

    ``since`` is the first period of the streak that reaches the as-of period,
    found in the history rows of the document.
    """
    as_of = doc["as_of"]
    rows = doc.get("rows", [])
    periods: list[str] = list(doc.get("periods") or dict.fromkeys(r["period"] for r in rows))
    by_segment: dict[str, dict[str, Mapping[str, Any]]] = {}
    for row in rows:
        by_segment.setdefault(segment_key(row.get("segment") or {}), {})[row["period"]] = row
    calls: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in doc.get("actions", []):
        calls.setdefault((entry["rule"], segment_key(entry.get("segment") or {})), []
                         ).append(entry)
    position = periods.index(as_of) if as_of in periods else len(periods) - 1
    out = []
    for row in rows:
        if row["period"] != as_of:
            continue
        seg = row.get("segment") or {}
        seg_key = segment_key(seg)
        for rule, fires in (row.get("rules") or {}).items():
            if fires is not True:
                continue
            since = streak_start(by_segment.get(seg_key, {}), periods, position, rule)
            firings = tuple(firing_of(doc, row, entry, since, "fire")
                            for entry in calls.get((rule, seg_key), [])
                            if entry.get("event") != "resolve")
            out.append(CurrentFiring(rule, dict(seg), str(since), firings))
    return out


def status_counts(doc: Mapping[str, Any]) -> dict[str, int]:
    """KPI statuses at the as-of period, counted over every row."""
    counts: dict[str, int] = {}
    for row in doc.get("rows", []):
        if row["period"] != doc["as_of"]:
            continue
        for status in (row.get("status") or {}).values():
            counts[str(status)] = counts.get(str(status), 0) + 1
    return counts


def as_of_only(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The document with only the as-of period's rows (what ``eval`` prints)."""
    as_of = doc["as_of"]
    out = dict(doc)
    out["rows"] = [r for r in doc.get("rows", []) if r["period"] == as_of]
    if "periods" in out:
        out["periods"] = [as_of]
    if "history" in out:
        out["history"] = False
    return out


def supplied_metrics(table: RawTable, metrics: Mapping[str, Any]) -> list[str]:
    """The metrics a table's columns supply, as the engine reads them (renamed, less
    the ignored columns)."""
    columns = [table.rename.get(column, column) for column in table.frame.columns]
    return [c for c in columns if c in metrics and c not in table.ignore]


def _name_source(warning: DataWarning, tables: list[tuple[str, RawTable]]) -> str:
    """``warning`` with the table it is about named by its ``[sources.NAME]``."""
    names = [name for name, t in tables if warning.place is not None and t.source == warning.place]
    if not names:
        return str(warning)
    label = ", ".join(f'"{name}"' for name in names)
    label = f"source {label}" if len(names) == 1 else f"sources {label}"
    if warning.place not in {f"source {name}" for name in names}:
        label += f" ({warning.place})"
    return f"{label}: {warning.message}"


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _segment_text(segment: Mapping[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in segment.items()) or "overall"


def summary_lines(report: RunReport) -> list[str]:
    """The short text ``kpirules run`` prints: one line per ruleset, then totals."""
    lines = []
    for part in report.rulesets:
        if part.error:
            lines.append(f"{part.name}: failed")
            continue
        counts = ", ".join(f"{n} {s}" for s, n in sorted(part.counts.items())) or "no status"
        lines.append(f"{part.name} as of {part.as_of}: {counts}; {part.firing} firing "
                     f"({part.new} new, {part.resolved} resolved)")
        lines.extend(f"  report: {path}" for path in part.reports)
    lines.append(f"actions: {report.sent} sent, {report.failed} failed")
    return lines


def document(report: RunReport) -> dict[str, Any]:
    """The run as one JSON document (``kpirules run --format json``)."""
    return {
        "kpirules": 1,
        "run": report.run_id,
        "exit_code": report.exit_code,
        "actions_sent": report.sent,
        "actions_failed": report.failed,
        "errors": report.errors,
        "rulesets": [as_of_only(p.document) if p.document else
                     {"ruleset": p.name, "error": p.error} for p in report.rulesets],
    }


__all__ = ["Job", "RunOptions", "RunReport", "crashpoint", "current_firings", "run_job"]
