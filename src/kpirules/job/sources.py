"""Reading tables: every table kpirules reads goes through a connector, here.

:func:`read_table` reads one :class:`TableSource` (a connector and its
settings) for one ruleset; both ``kpirules run`` (each ``[sources.NAME]`` of
the configuration, :class:`SourceReader`) and the data commands (``eval
--data``, :mod:`kpirules.job.data_arguments`) call it, so a table reads the
same way whichever command asks.

In a run, a metric that two sources supply, or a ``rename`` that gives two columns one
name, is a configuration mistake found once the data is read: it stops the
run (exit 2) before anything is evaluated, recorded or sent. Any other
failure of a source is kept as the ruleset's error (exit 3) while the other
rulesets still run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from attrs import field, frozen

from kpirules.data.limits import DEFAULT_MAX_ROWS, check_table
from kpirules.errors import ConfigError, DataError, KpirulesError, OptionError, UsageError
from kpirules.plugin_api import Connector, SourceContext

if TYPE_CHECKING:  # a job's plan and voice: for kpirules run, not for eval (start-up)
    from kpirules.config import JobConfig, SourceConfig
    from kpirules.data.table import RawTable
    from kpirules.job.model import Voice
    from kpirules.job.plan import Plan
    from kpirules.lang.model import Ruleset

SourceTables = list[tuple[str, "RawTable"]]  # (source name, table), in configuration order


@frozen
class TableSource:
    """One table to read: a connector and its settings, with what the reader adds.

    ``name`` is what the connector's context and messages call it (the
    ``[sources.NAME]`` name, or the ``--data`` argument); ``where`` locates a
    connector's failure; ``base_dir`` is the folder relative paths are taken
    from. ``rename`` and ``max_rows`` are applied by the reader, never passed
    to the connector (see :class:`~kpirules.plugin_api.Connector`).
    """

    name: str
    connector: Connector
    settings: Mapping[str, Any]
    where: str
    base_dir: Path = field(factory=Path)
    rename: Mapping[str, str] = field(factory=dict)
    max_rows: int = DEFAULT_MAX_ROWS


def configured_source(config: JobConfig, connector: Connector, source: SourceConfig) -> TableSource:
    """A ``[sources.NAME]`` table of the configuration, its paths made absolute."""
    from kpirules.job.plan import absolute_paths

    return TableSource(source.name, connector,
                       absolute_paths(config, connector.path_settings, source.settings),
                       f"source {source.name}", config.base_dir, dict(source.rename),
                       source.max_rows)


def source_context(source: TableSource, rs: Ruleset, params: dict[str, Any]) -> SourceContext:
    """What the connector knows of the ruleset it reads ``source`` for."""
    return SourceContext(source=source.name, metrics={m.name: (m.agg or "sum") for m in rs.metrics.values()},
                         dimensions=tuple(rs.dimensions), base_dir=source.base_dir,
                         grain=rs.grain, rename=dict(source.rename),
                         aggregates={n: m for n, m in rs.metrics.items() if m.aggregate is not None},
                         params=pushed_params(rs, params), max_rows=source.max_rows)


def read_table(source: TableSource, ctx: SourceContext) -> RawTable:
    """Read one table through its connector; check its size and apply its ``rename``.

    A connector's unexpected exception is a data failure of that source (exit
    3); its :class:`KpirulesError` (and a plugin's fault, already named by the
    registry's guard) passes through.
    """
    try:
        table = source.connector.read(source.settings, ctx)
    except KpirulesError:
        raise
    except Exception as exc:
        raise DataError(f"connector {source.connector.name!r} failed: "
                        f"{type(exc).__name__}: {exc}", source.where) from exc
    check_table(table, source.max_rows)
    if source.rename:
        table = attrs.evolve(table, rename={**table.rename, **source.rename})
    return table


class SourceReader:
    """Reads the plan's sources for each ruleset; a table read once serves every ruleset."""

    def __init__(self, plan: Plan, voice: Voice) -> None:
        self.plan = plan
        self.voice = voice
        self._cache: dict[Any, RawTable] = {}

    def tables_for(self, rs: Ruleset, params: dict[str, Any] | None = None,
                   ) -> SourceTables | KpirulesError:
        """Every source read for ``rs``, by source name, or the error that stopped it.

        Raises :class:`ConfigError` when two sources supply one metric.
        """
        try:
            tables = self._read(rs, params or {})
        except UsageError:
            raise
        except KpirulesError as exc:
            return exc
        self._check_renames(tables)
        self._check_suppliers(rs, tables)
        return tables

    def _read(self, rs: Ruleset, params: dict[str, Any]) -> SourceTables:
        config, registry = self.plan.config, self.plan.registry
        tables = []
        for configured in config.sources.values():
            source = configured_source(config, registry.connectors[configured.connector], configured)
            ctx = source_context(source, rs, params)
            key = (source.name, tuple(sorted(ctx.metrics.items())), ctx.dimensions, rs.grain,
                   tuple(sorted(ctx.aggregates)), tuple(sorted(ctx.params.items())))
            table = self._cache.get(key)
            if table is None:
                self.voice.wording.know(source.where, source.name)
                try:
                    table = self._cache[key] = read_table(source, ctx)
                except KpirulesError as err:  # the connector's place, for the options its error names
                    for hint in err.hints:
                        self.voice.wording.know(hint.place, source.name)
                    raise
            self.voice.wording.know(table.source, source.name)
            tables.append((source.name, table))
        return tables

    def _check_renames(self, tables: SourceTables) -> None:
        """A source's ``rename`` must not give a column the name of another column.

        Only the data tells which columns a source has, so this is found once
        the source is read; it is still a configuration mistake (exit 2),
        found before anything is evaluated, recorded or sent.
        """
        config = self.plan.config
        for name, table in tables:
            if not table.rename:
                continue
            columns = list(table.columns)
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
                source = config.sources.get(name)
                keys = ("sources", name, "rename")
                where = (config.where(*keys) if source is not None and
                         column in source.rename else config.where("sources", name))
                raise ConfigError(self.voice.redact(f"{where}: {problem}"))

    def _check_suppliers(self, rs: Ruleset, tables: SourceTables) -> None:
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
            what = (f"metric {quoted(metrics)}" if len(metrics) == 1
                    else f"metrics {quoted(metrics)}")
            parts.append(f'sources "{first}" and "{second}" both supply {what}')
        (_first, second), metrics = next(iter(clashes.items()))
        raise ConfigError(
            f"{self.plan.config.where('sources', second)}: {'; '.join(parts)} "
            f"(ruleset {rs.name}); a metric must come from one source: drop the column "
            f"from the others (ignore = [{quoted(metrics)}]) or rename it")


def pushed_params(rs: Ruleset, overrides: dict[str, Any]) -> dict[str, float | str]:
    """The values of a ruleset's parameters for a source pushing aggregates down
    (none: nothing to resolve)."""
    if not any(m.aggregate is not None for m in rs.metrics.values()):
        return {}
    from kpirules.engine.evaluate import resolve_params

    try:
        return resolve_params(rs, overrides)
    except OptionError as err:  # said as given: NAME=VALUE
        raise UsageError(f"{err.value}: {err.reason}") from None


def supplied_metrics(table: RawTable, metrics: Mapping[str, Any]) -> list[str]:
    """The metrics a table's columns supply, as the engine reads them (renamed, less
    the ignored columns)."""
    columns = [table.rename.get(column, column) for column in table.columns]
    return [c for c in columns if c in metrics and c not in table.ignore]


def quoted(names: list[str]) -> str:
    """Names in double quotes, separated by commas, as the job's messages show them."""
    return ", ".join(f'"{name}"' for name in names)
