"""The ``spark`` connector: a Spark table or a Parquet/CSV/Delta path, aggregated in Spark.

Raw events stay where they are: Spark reads them, computes the rollup and
the aggregate metrics of every level (see :mod:`kpirules_spark.pushdown`),
and only period-by-segment cells come back to kpirules, as Arrow, into a
Polars frame. ``master`` says where Spark runs (``local[2]`` on a laptop,
``spark://host:7077`` or ``yarn`` on a cluster); without it an active
session (a notebook's, a ``spark-submit`` job's) is used, else ``local[*]``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kpirules.plugin_api import (
    CELL_PERIOD,
    Connector,
    DataError,
    RawTable,
    SettingsError,
    SourceContext,
    redact,
    too_many_rows,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from kpirules_spark.pushdown import Plan

FORMATS = ("parquet", "csv", "delta")
PERIOD_NAMES = ("period", "date", "month", "week", "day", "quarter", "year",
                "période", "mois", "semaine", "jour", "trimestre", "année")
DELTA_MISSING = (
    "reading a Delta table needs Delta Lake's jars on Spark's classpath, which are not installed "
    "here (a cluster with Delta, or the delta-spark package and config "
    '{ "spark.jars.packages" = "io.delta:delta-spark_2.13:VERSION", ... }, which downloads them); '
    "or export the table to Parquet")


class SparkConnector(Connector):
    """A Spark table, or files Spark reads, with the aggregation run by Spark."""

    name = "spark"
    description = "a Spark table or a Parquet/CSV/Delta path (the rollup and raw-row aggregates run in Spark)"
    optional = ("table", "path", "format", "options", "master", "config", "app_name",
                "period_column", "dimensions", "ignore")

    def validate(self, settings: Mapping[str, Any]) -> None:
        """Exactly one of ``table`` and ``path``; a known format; tables of strings."""
        super().validate(settings)
        if bool(settings.get("table")) == bool(settings.get("path")):
            raise SettingsError("table", "give either table or path (exactly one)")
        for key in ("table", "path", "master", "app_name", "period_column"):
            if key in settings and not isinstance(settings[key], str):
                raise SettingsError(key, "a string")
        fmt = settings.get("format")
        if fmt is not None and fmt not in FORMATS:
            raise SettingsError("format", f"one of {', '.join(FORMATS)} (got {fmt!r})")
        if fmt is not None and settings.get("table"):
            raise SettingsError("format", "only applies to a path")
        for key in ("options", "config"):
            value = settings.get(key, {})
            if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
                raise SettingsError(key, "a table of settings (name = value)")
        for key in ("dimensions", "ignore"):
            value = settings.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SettingsError(key, "a list of column names")

    def read(self, settings: Mapping[str, Any], ctx: SourceContext) -> RawTable:
        """Load the table in Spark, plan, run, and bring the result back as Arrow."""
        import polars as pl

        where = f"source {ctx.source}"
        secrets = [str(v) for v in (settings.get("config") or {}).values() if isinstance(v, str)]
        spark = session(settings, where)
        try:
            frame = load(spark, settings, ctx, where)
            plan = self.plan(frame, settings, ctx, where)
            if plan.kind == "raw":
                count = plan.frame.count()
                if count > ctx.max_rows:
                    raise too_many_rows(count, ctx.max_rows, where)
            with warnings.catch_warnings():  # pyspark's advice about pandas versions: not ours to give
                warnings.simplefilter("ignore", FutureWarning)
                result = pl.from_arrow(plan.frame.toArrow())
        except DataError:
            raise
        except Exception as exc:  # Spark's errors: the first line says what (never a Java trace)
            raise DataError(_first_line(redact(str(exc), secrets)), where) from None
        assert isinstance(result, pl.DataFrame)
        if plan.names:
            result = result.rename({k: v for k, v in plan.names.items() if k in result.columns})
        extra: dict[str, Any] = {"pushed_down": plan.kind != "raw", "plan": plan.kind,
                                 "rows_transferred": result.height}
        if plan.kind == "cells":
            extra["aggregate_cells"] = plan.aggregates
        return RawTable(frame=result, source=where, period_column=plan.period_column if plan.kind != "cells"
                        else PERIOD_LABEL, dimensions=plan.dimensions, ignore=tuple(settings.get("ignore", [])),
                        pre_aggregated=plan.kind == "rollup", extra=extra)

    @staticmethod
    def plan(frame: DataFrame, settings: Mapping[str, Any], ctx: SourceContext, where: str) -> Plan:
        """Which of the three plans of :mod:`kpirules_spark.pushdown` this table gets."""
        from kpirules_spark import pushdown

        columns = frame.columns
        period = settings.get("period_column") or _period_column(columns)
        if period is None or period not in columns:
            wanted = f"no column {period!r} (period_column)" if period else \
                f"no period column (give period_column, or name one of {', '.join(PERIOD_NAMES)})"
            raise DataError(f"{wanted}; columns: {', '.join(columns)}", where)
        ignore = set(settings.get("ignore", []))
        for dim in settings.get("dimensions", []):
            if dim not in columns:
                raise DataError(f"no column {dim!r} (dimensions); columns: {', '.join(columns)}", where)
        held = {n: m for n, m in ctx.aggregates.items() if m.columns and set(m.columns) <= set(columns)}
        if held:
            held.update({n: m for n, m in ctx.aggregates.items() if not m.columns})  # count(): these rows
        read = {c for m in held.values() for c in m.columns}
        column_metrics = {c: ctx.rename.get(c, c) for c in columns if c != period and c not in ignore
                          and ctx.rename.get(c, c) in ctx.metrics and ctx.rename.get(c, c) not in ctx.aggregates}
        types = {f.name: f.dataType for f in frame.schema.fields}
        dims = tuple(settings.get("dimensions", [])) or tuple(
            c for c in columns if c != period and c not in read and c not in ignore and c not in column_metrics
            and c not in ctx.aggregates and not pushdown.is_numeric(types[c]))
        date = pushdown.date_column(frame, period)
        grain = ctx.grain or "month"
        if date is not None and held and not column_metrics and pushdown.pushable(held, dims, ctx.params):
            return pushdown.cells_plan(frame, period, date, dims, held, ctx.params, grain)
        if date is not None and not held and column_metrics:
            return pushdown.rollup_plan(frame, period, date, dims, column_metrics, ctx.metrics, grain)
        given = tuple(settings.get("dimensions", []))  # the others: kpirules decides, as for a file
        if held:
            return pushdown.raw_plan(frame, period, given, [*dims, *sorted(read), *column_metrics])
        # what the ruleset reads is unknown (eval --data spark:PATH): every column but those ignored
        return pushdown.raw_plan(frame, period, given, [c for c in columns if c not in ignore])


PERIOD_LABEL = CELL_PERIOD


def session(settings: Mapping[str, Any], where: str) -> SparkSession:
    """The Spark session: the active one, or one built for ``master`` and ``config``."""
    from pyspark.sql import SparkSession

    master = settings.get("master")
    active = SparkSession.getActiveSession()
    if active is not None and (master is None or active.sparkContext.master == master):
        return active
    builder = SparkSession.builder.appName(str(settings.get("app_name") or "kpirules"))
    builder = builder.master(str(master or "local[*]"))
    config = session_config(str(master or "local[*]"), settings.get("config") or {})
    for key, value in config.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:
        raise DataError(f"Spark did not start ({_first_line(str(exc))}); Spark needs Java 17 or later "
                        "(java on the PATH, or JAVA_HOME)", where) from None


def session_config(master: str, given: Mapping[str, Any]) -> dict[str, str]:
    """The settings of a session the connector starts: kpirules' defaults, then the source's ``config``.

    On a local master (``local[N]``: one machine, N threads) shuffles are
    split into 2 * N partitions instead of Spark's 200, which suit a cluster:
    the aggregation's few thousand cells otherwise pay for hundreds of tiny
    tasks per stage. Adaptive execution (on by default since Spark 3.2)
    still coalesces them. A cluster master gets no such default: its
    settings belong to the cluster (``config``, ``spark-defaults.conf``).
    """
    import os
    import re

    config = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
              "spark.sql.session.timeZone": "UTC"}
    local = re.fullmatch(r"local(?:\[(\d+|\*)(?:,\d+)?\])?", master)
    if local:
        threads = local.group(1) or "1"
        cores = (os.cpu_count() or 2) if threads == "*" else int(threads)
        config["spark.sql.shuffle.partitions"] = str(2 * cores)
    config.update({k: str(v) for k, v in given.items()})
    return config


def load(spark: SparkSession, settings: Mapping[str, Any], ctx: SourceContext, where: str) -> DataFrame:
    """The source as a Spark DataFrame (nothing is read yet: Spark is lazy)."""
    if settings.get("table"):
        return spark.table(str(settings["table"]))
    path = str(settings["path"])
    if "://" not in path:  # a local path: relative to the configuration's folder
        path = str(ctx.resolve(path))
    fmt = settings.get("format") or _format_of(path)
    options = {"header": "true", "inferSchema": "true"} if fmt == "csv" else {}
    options.update({k: str(v) for k, v in (settings.get("options") or {}).items()})
    try:
        return spark.read.format(fmt).options(**options).load(path)
    except Exception as exc:
        text = str(exc)
        if fmt == "delta" and ("DATA_SOURCE_NOT_FOUND" in text or ("delta" in text.lower()
                               and "find" in text.lower())):
            raise DataError(DELTA_MISSING, where) from None
        raise


def _format_of(path: str) -> str:
    lowered = path.lower().rstrip("/")
    if lowered.endswith((".csv", ".csv.gz", ".txt")):
        return "csv"
    return "parquet"  # a .parquet file, a folder or a glob of them


def _period_column(columns: list[str]) -> str | None:
    import unicodedata

    def fold(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", text.strip().casefold())
                       if not unicodedata.combining(c))

    folded = {fold(c): c for c in reversed(columns)}
    return next((folded[fold(n)] for n in PERIOD_NAMES if fold(n) in folded), None)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0][:500] if lines else "Spark failed"
