"""The spark connector on a local Spark (``local[2]``): every aggregate of language §4.1
computed in Spark, held to kpirules' shared agreement matrix.

One Spark session serves the whole module (starting one costs seconds): the
connector finds it active and uses it, as it would a notebook's session.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kpirules
import polars as pl
import pytest
from kpirules.plugin_api import DataError, RawTable, SettingsError
from kpirules.testing import aggregate_matrix as matrix
from kpirules.testing import assert_cheap_import, source_context

from kpirules_spark.connector import SparkConnector

MASTER = "local[2]"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master(MASTER).appName("kpirules-spark-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").config("spark.default.parallelism", "2")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The matrix's order lines as Parquet (real dates) and CSV (ISO text)."""
    folder = tmp_path_factory.mktemp("lake")
    frame = pl.DataFrame(matrix.rows())
    frame.with_columns(pl.col("date").str.to_date()).write_parquet(folder / "orders.parquet")
    frame.write_csv(folder / "orders.csv")
    return folder


def read(rules: str, settings: dict[str, Any], base: Path, **ctx: Any) -> tuple[kpirules.Ruleset, RawTable]:
    ruleset = kpirules.loads(rules, "matrix.kpi")
    connector = SparkConnector()
    full = {"master": MASTER, **settings}
    connector.validate(full)
    return ruleset, connector.read(full, source_context(ruleset, source="orders", base_dir=base, **ctx))


def check_all_levels(ruleset: kpirules.Ruleset, table: RawTable, grain: str) -> None:
    for by in ([], ["channel"], ["country"], ["channel", "country"]):
        doc = ruleset.evaluate([table], by=by, history=True).to_dict()
        assert matrix.compare(doc, grain, by) > 0


def test_every_aggregate_at_every_level_from_parquet(spark: Any, lake: Path) -> None:
    ruleset, table = read(matrix.RULES.format(grain="month"), {"path": "orders.parquet"}, lake)
    assert table.extra["plan"] == "cells" and table.extra["pushed_down"]
    assert set(table.extra["aggregate_cells"]) == set(matrix.METRICS)  # median, first, last too
    # only cells cross the wire: 4 levels per period, fewer rows than the lines themselves
    assert table.extra["rows_transferred"] == table.frame.height < 4 * len(matrix.LINES)
    check_all_levels(ruleset, table, "month")


def test_a_csv_path_by_quarter(spark: Any, lake: Path) -> None:
    ruleset, table = read(matrix.RULES.format(grain="quarter"), {"path": str(lake / "orders.csv")}, lake)
    assert table.extra["plan"] == "cells"
    check_all_levels(ruleset, table, "quarter")


def test_a_table_of_the_catalog_by_iso_week(spark: Any, lake: Path) -> None:
    spark.read.parquet(str(lake / "orders.parquet")).createOrReplaceTempView("order_lines")
    rules = matrix.RULES.format(grain="week")
    ruleset, table = read(rules, {"table": "order_lines"}, lake)
    assert table.extra["plan"] == "cells"
    local = kpirules.loads(rules, "matrix.kpi").evaluate(pl.DataFrame(matrix.rows()), by=["channel"],
                                                         history=True).to_dict()
    pushed = ruleset.evaluate([table], by=["channel"], history=True).to_dict()
    assert pushed["periods"] == local["periods"] and "2026-W02" in pushed["periods"]
    assert pushed["rows"] == local["rows"]


COLUMN_RULES = """ruleset web
dimension channel
metric visits
metric score  agg avg
metric stock  agg last
metric low    agg min
"""


def test_column_metrics_are_rolled_up_in_spark(spark: Any, tmp_path: Path) -> None:
    rows = [
        {"day": dt.date(2026, 1, 3), "channel": "ads", "visits": 10, "score": 1.0, "stock": 5.0, "low": 3.0},
        {"day": dt.date(2026, 1, 9), "channel": "ads", "visits": 20, "score": 3.0, "stock": 7.0, "low": 1.0},
        {"day": dt.date(2026, 1, 4), "channel": "seo", "visits": 5, "score": 8.0, "stock": None, "low": 2.0},
        {"day": dt.date(2026, 2, 1), "channel": "seo", "visits": 7, "score": None, "stock": 4.0, "low": 9.0},
        {"day": dt.date(2026, 2, 2), "channel": "ads", "visits": 1, "score": 2.0, "stock": 6.0, "low": 0.5},
    ]
    pl.DataFrame(rows).write_parquet(tmp_path / "web.parquet")
    ruleset, table = read(COLUMN_RULES, {"path": "web.parquet"}, tmp_path)
    assert table.extra["plan"] == "rollup" and table.pre_aggregated
    assert table.frame.height == 4  # one row per period and channel
    for by in ([], ["channel"]):
        pushed = ruleset.evaluate([table], by=by, history=True).to_dict()["rows"]
        local = ruleset.evaluate(pl.DataFrame(rows), by=by, history=True).to_dict()["rows"]
        assert pushed == local
    overall = {r["period"]: r["values"] for r in ruleset.evaluate([table], history=True).to_dict()["rows"]
               if r["segment"] == {}}
    assert overall["2026-01"] == {"visits": 35, "score": 4.0, "stock": 7.0, "low": 1.0}


def test_what_spark_cannot_compute_exactly_comes_back_as_raw_rows(spark: Any, lake: Path) -> None:
    rules = 'ruleset r\ndimension channel\nmetric big = count() where round(unit_price) >= 10\n'
    ruleset, table = read(rules, {"path": "orders.parquet"}, lake)
    assert table.extra["plan"] == "raw" and table.frame.height == len(matrix.LINES)
    assert "unit_price" in table.frame.columns and "quantity" not in table.frame.columns  # only what is read
    doc = ruleset.evaluate([table], history=True).to_dict()
    assert {r["period"]: r["values"]["big"] for r in doc["rows"] if r["segment"] == {}}["2026-01"] == 2
    with pytest.raises(DataError, match="more than the limit of 5"):
        read(rules, {"path": "orders.parquet"}, lake, max_rows=5)


def test_a_delta_path_without_delta_lake_is_a_clear_error(spark: Any, tmp_path: Path) -> None:
    (tmp_path / "orders_delta").mkdir()
    with pytest.raises(DataError, match="Delta Lake's jars") as caught:
        read(matrix.RULES.format(grain="month"), {"path": "orders_delta", "format": "delta"}, tmp_path)
    assert "source orders" in str(caught.value)


def test_spark_errors_name_the_source_without_a_java_trace(spark: Any, tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        read(matrix.RULES.format(grain="month"), {"path": "nowhere.parquet"}, tmp_path)
    text = str(caught.value)
    assert "source orders" in text and "nowhere.parquet" in text and "\n" not in text.strip()
    with pytest.raises(DataError, match="no period column"):
        spark.createDataFrame([("a", 1)], "channel string, visits int").createOrReplaceTempView("no_dates")
        read(COLUMN_RULES, {"table": "no_dates"}, tmp_path)


def test_a_job_runs_on_spark(spark: Any, lake: Path, kpirules_job: Any) -> None:
    kpirules_job.write("shop.kpi", matrix.PUSHABLE_RULES.format(grain="month"))
    kpirules_job.write("kpirules.toml", f"""rulesets = ["shop.kpi"]
plugins = ["kpirules_spark"]

[sources.orders]
connector = "spark"
path = "{lake / 'orders.parquet'}"
master = "{MASTER}"

[report]
formats = ["json"]
dir = "reports"
""")
    result = kpirules_job.run("--period", "2026-03")
    assert result.code == 0, result.err
    report = next((kpirules_job.root / "reports").glob("matrix-*.json"))
    doc = json.loads(report.read_text(encoding="utf-8"))
    overall = next(r["values"] for r in doc["rows"] if r["segment"] == {} and r["period"] == "2026-03")
    assert overall["orders"] == 2 and overall["returning"] == 1 and overall["new_buyers"] == 1


def test_eval_reads_a_spark_path_from_the_command_line(spark: Any, lake: Path, kpirules_cli: Any,
                                                        tmp_path: Path) -> None:
    rules = tmp_path / "matrix.kpi"
    rules.write_text(matrix.RULES.format(grain="month"), encoding="utf-8")
    config = tmp_path / "kpirules.toml"
    config.write_text('plugins = ["kpirules_spark"]\n', encoding="utf-8")
    result = kpirules_cli("eval", str(rules), "--config", str(config), "--data",
                          f"spark:{lake / 'orders.parquet'}", "--by", "channel", "--history", "--format", "json")
    assert result.code == 0, result.err
    assert matrix.compare(json.loads(result.out), "month", ["channel"]) > 0


def test_settings_are_checked() -> None:
    connector = SparkConnector()
    with pytest.raises(SettingsError, match="exactly one"):
        connector.validate({"path": "a.parquet", "table": "t"})
    with pytest.raises(SettingsError, match="exactly one"):
        connector.validate({"master": MASTER})
    with pytest.raises(SettingsError, match="format"):
        connector.validate({"path": "a.orc", "format": "orc"})
    with pytest.raises(SettingsError, match=r'did you mean "master"'):
        connector.validate({"path": "a.parquet", "mastr": MASTER})
    with pytest.raises(SettingsError, match="config"):
        connector.validate({"path": "a.parquet", "config": ["spark.executor.memory"]})


def test_the_plugin_registers_through_its_entry_point_module(kpirules_registry: Any) -> None:
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    target = pyproject["project"]["entry-points"]["kpirules"]["spark"]
    registry = kpirules_registry(target)
    assert isinstance(registry.connectors["spark"], SparkConnector)
    owner = registry.owner("connectors", "spark")
    assert owner is not None and owner.version == "0.1.0"


def test_importing_the_plugin_stays_cheap() -> None:
    assert_cheap_import("kpirules_spark", heavy=("pyspark", "polars", "pyarrow", "py4j"))


def test_a_local_session_splits_shuffles_for_its_threads_and_the_config_wins() -> None:
    from kpirules_spark.connector import session_config

    assert session_config("local[4]", {})["spark.sql.shuffle.partitions"] == "8"  # not Spark's 200
    assert session_config("local", {})["spark.sql.shuffle.partitions"] == "2"
    assert session_config("local[4]", {"spark.sql.shuffle.partitions": 64})["spark.sql.shuffle.partitions"] == "64"
    # a cluster's settings are the cluster's: no default of kpirules' own
    assert "spark.sql.shuffle.partitions" not in session_config("spark://master:7077", {})
    assert session_config("yarn", {"spark.executor.memory": "8g"})["spark.executor.memory"] == "8g"
