"""kpirules run: firings, resolutions, each action once, exit codes, reports."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import pytest

from kpirules.state import SCHEMA_VERSION, StateStore
from support.project import Project

Run = Callable[..., tuple[int, str, str]]


def test_running_the_same_job_twice_sends_each_action_once(project: Project, run_cli: Run) -> None:
    project.month("2026-01", paid=0.05, display=0.005)
    code, out, err = run_cli("run", "--config", str(project.config))
    assert code == 1, err  # a critical status at the as-of period
    assert "1 sent" in out
    code, out, _ = run_cli("run", "--config", str(project.config))
    assert code == 1 and "0 sent" in out
    alerts = project.alerts
    assert len(alerts) == 1
    assert alerts[0]["segment"] == {"channel": "display"}
    assert alerts[0]["text"] == "display: conversion 0.5% in 2026-01"
    code, out, _ = run_cli("run", "--config", str(project.config), "--format", "json")
    doc = json.loads(out)
    assert [a["outcome"] for a in doc["actions"]] == ["already_sent"]


def test_a_new_firing_in_a_later_period_is_sent(project: Project, run_cli: Run) -> None:
    project.month("2026-01", paid=0.05, display=0.005)
    run_cli("run", "--config", str(project.config))
    project.month("2026-02", paid=0.005, display=0.004)  # display keeps firing, paid starts
    _code, out, _ = run_cli("run", "--config", str(project.config), "--format", "json")
    doc = json.loads(out)
    outcomes = {a["segment"]["channel"]: a["outcome"] for a in doc["actions"]}
    assert outcomes == {"display": "already_sent", "paid": "sent"}
    assert [(a["segment"]["channel"], a["period"]) for a in project.alerts] == [
        ("display", "2026-01"), ("paid", "2026-02")]


@pytest.mark.slow
def test_a_rule_that_stops_firing_is_resolved_and_fires_again_later(project: Project,
                                                                   run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    run_cli("run", "--config", str(project.config))
    project.month("2026-02", display=0.05)
    code, out, err = run_cli("run", "--config", str(project.config))
    assert code == 0, err
    assert "1 resolved" in out and "resolved at 2026-02" in err
    with StateStore(project.state) as state:
        [entry] = state.rule_state("shop")
    assert (entry["status"], entry["period"]) == ("resolved", "2026-02")
    project.month("2026-03", display=0.004)
    run_cli("run", "--config", str(project.config))
    assert [(a["period"], a["since"]) for a in project.alerts] == [
        ("2026-01", "2026-01"), ("2026-03", "2026-03")]


def test_a_streak_already_running_on_the_first_run_is_sent_once(project: Project,
                                                               run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    project.month("2026-02", display=0.005)
    run_cli("run", "--config", str(project.config))
    run_cli("run", "--config", str(project.config), "--period", "2026-02")
    assert [(a["period"], a["since"]) for a in project.alerts] == [("2026-02", "2026-01")]


def test_an_older_period_never_repeats_actions(project: Project, run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    project.month("2026-02", display=0.05)
    project.month("2026-03", display=0.005)
    run_cli("run", "--config", str(project.config))
    _code, _, err = run_cli("run", "--config", str(project.config), "--period", "2026-01")
    assert "older than the last period" in err
    assert len(project.alerts) == 1


def test_run_history_is_recorded(project: Project, run_cli: Run) -> None:
    project.month("2026-01", paid=0.05, display=0.005)
    run_cli("run", "--config", str(project.config))
    with StateStore(project.state) as state:
        [run] = state.runs()
        assert state.schema_version == SCHEMA_VERSION
    assert run["status"] == "done" and run["exit_code"] == 1
    assert run["actions_sent"] == 1 and run["actions_failed"] == 0
    [result] = run["results"]
    assert result["as_of"] == "2026-01"
    assert result["counts"]["critical"] == 1 and result["counts"]["new"] == 1
    db = sqlite3.connect(project.state)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reports_are_written(project: Project, run_cli: Run) -> None:
    project.month("2026-01", paid=0.05, display=0.005)
    project.month("2026-02", paid=0.05, display=0.005)
    run_cli("run", "--config", str(project.config))
    report = project.root / "reports" / "shop-2026-02.json"
    doc = json.loads(report.read_text())
    assert doc["as_of"] == "2026-02" and {r["period"] for r in doc["rows"]} == {"2026-02"}
    assert doc["actions"][0]["outcome"] == "sent"


def test_exit_codes(project: Project, run_cli: Run) -> None:
    project.month("2026-01", paid=0.05, display=0.005)
    assert run_cli("run", "--config", str(project.config), "--fail-on", "never")[0] == 0
    assert run_cli("run", "--config", str(project.config), "--fail-on", "critical")[0] == 1
    code, _, err = run_cli("run", "--config", str(project.config), "--period", "2030-01")
    assert code == 2, err
    (project.root / "data" / "shop.csv").write_text("month,channel,visits,orders\n"
                                                   "2026-01,paid,lots,3\n")
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 3 and "lots" in err


def test_an_action_no_one_provides_stops_the_run_before_anything(project: Project,
                                                                run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    project.config.write_text(project.config.read_text().replace("[actions.notify]",
                                                                 "[actions.other]"))
    code, _out, err = run_cli("run", "--config", str(project.config))
    assert code == 2
    assert "'low_conv'" in err and "'notify'" in err and "[actions.notify]" in err
    assert f"{project.root / 'rules' / 'shop.kpi'}:19:8: rule 'low_conv'" in err  # where check says it
    assert not project.state.exists() and not project.alerts


def test_a_rule_may_call_a_plugin_action_directly(project: Project, run_cli: Run) -> None:
    rules = project.root / "rules" / "shop.kpi"
    rules.write_text(rules.read_text().replace("then notify(", "then log("))
    project.month("2026-01", display=0.005)
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 1
    assert "CRITICAL shop/low_conv 2026-01 channel=display: display: conversion 0.5%" in err


def test_two_sources_are_joined(project: Project, run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    data = project.root / "data"
    (data / "shop.csv").write_text("month,channel,visits\n2026-01,display,10000\n")
    (data / "orders.jsonl").write_text('{"month": "2026-01", "channel": "display", "orders": 50}\n')
    text = project.config.read_text().replace(
        "[actions.notify]",
        '[sources.orders]\nconnector = "jsonl"\npath = "data/orders.jsonl"\n\n[actions.notify]')
    project.config.write_text(text)
    code, out, err = run_cli("run", "--config", str(project.config), "--format", "json")
    assert code == 1, err
    row = next(r for r in json.loads(out)["rows"] if r["segment"])
    assert row["values"]["conv"] == 0.005


def test_a_wrong_source_setting_names_file_line_and_key(project: Project, run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    project.config.write_text(project.config.read_text().replace(
        'path = "data/shop.csv"', 'path = "data/shop.csv"\nperod_column = "month"'))
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 2
    assert f"{project.config}:7: [sources.shop] perod_column: unknown setting" in err
    assert 'did you mean "period_column"' in err
    assert not project.state.exists()


def _add_source(project: Project, name: str, body: str) -> None:
    project.config.write_text(project.config.read_text().replace(
        "[actions.notify]", f"[sources.{name}]\n{body}\n\n[actions.notify]"))


def test_data_warnings_go_to_standard_error_once_per_run(project: Project, run_cli: Run) -> None:
    # `run` once put these warnings in the JSON document only; `eval` printed them. A source
    # read by two rulesets once printed its warning for each: now once per run.
    csv = project.root / "data" / "shop.csv"
    csv.write_text("month,channel,visits,sessions\n2026-01,paid,10000,9000\n")
    rules = project.root / "rules"
    text = (rules / "shop.kpi").read_text().replace("metric orders unit count",
                                                   "metric orders unit count missing 0")
    (rules / "shop.kpi").write_text(text)
    (rules / "shop2.kpi").write_text(text.replace("ruleset shop ", "ruleset shop2 "))
    project.config.write_text(project.config.read_text().replace(
        'rulesets = ["rules/shop.kpi"]', 'rulesets = ["rules/shop.kpi", "rules/shop2.kpi"]'))
    code, out, err = run_cli("run", "--config", str(project.config))
    assert code in (0, 1), err  # orders is 0 everywhere: a KPI may need attention, nothing failed
    unknown = (f'warning: source "shop" ({csv}): numeric column(s) neither metrics nor declared '
               'dimensions, ignored: "sessions"')
    assert err.count(unknown) == 1, err
    assert "ignore = [\"sessions\"]" in err  # what to paste to silence it
    for ruleset in ("shop", "shop2"):
        missing = f'warning: {ruleset}: no column supplies metric "orders"'
        assert err.count(missing) == 1, err
    assert err.count("warning:") == 3
    assert "warning:" not in out  # the summary on standard output stays as it was
    # the JSON output keeps them, as the engine wrote them
    code, out, err = run_cli("run", "--config", str(project.config), "--format", "json")
    assert code in (0, 1) and err.count("warning:") == 3
    for doc in json.loads(out):
        assert any('"sessions"' in w for w in doc["warnings"])
        assert 'no column supplies metric "orders" (its missing value applies)' in doc["warnings"]


def test_a_metric_no_column_supplies_is_an_error_in_run_unless_it_has_missing(
        project: Project, run_cli: Run) -> None:
    csv = project.root / "data" / "shop.csv"
    csv.write_text("month,channel,visits,Orders (nb)\n2026-01,paid,10000,90\n")
    code, _out, err = run_cli("run", "--config", str(project.config))
    assert code == 3, err
    assert 'no column supplies metric "orders"' in err
    assert 'did you mean the column "Orders (nb)"? (write `Orders (nb)` or rename the column)' in err
    assert "missing" in err


def test_a_warning_names_each_source_of_a_shared_file() -> None:
    import polars as pl

    from kpirules.data.table import RawTable
    from kpirules.engine.data_warnings import IGNORED_NUMBERS, UNSUPPLIED_METRIC, DataWarning
    from kpirules.job import name_source

    frame = pl.DataFrame({"month": ["2026-01"]})
    web, sql = RawTable(frame, source="/d/web.csv"), RawTable(frame, source="source crm")
    tables = [("web", web), ("crm", sql), ("web2", web)]
    ignored = "1 numeric column(s) …"
    assert name_source(DataWarning(IGNORED_NUMBERS, ignored, "/d/web.csv"), tables) == \
        'sources "web", "web2" (/d/web.csv): 1 numeric column(s) …'
    assert name_source(DataWarning(IGNORED_NUMBERS, ignored, "source crm"), tables) == \
        'source "crm": 1 numeric column(s) …'
    # about the data as a whole: no table is named, whatever the text starts with
    assert name_source(DataWarning(UNSUPPLIED_METRIC, 'source crm: no column supplies metric "x" (null)'),
                        tables) == 'source crm: no column supplies metric "x" (null)'


def test_a_metric_supplied_by_two_sources_names_them_and_exits_2(project: Project,
                                                                 run_cli: Run) -> None:
    project.month("2026-01", display=0.005)  # would fire and send
    data = project.root / "data"
    (data / "ads.csv").write_text("month,channel,sales\n2026-01,display,50\n")
    _add_source(project, "ads", 'connector = "csv"\npath = "data/ads.csv"\n'
                                'rename = { sales = "orders" }')
    code, out, err = run_cli("run", "--config", str(project.config))
    assert code == 2, err
    assert out == ""
    line = next(n for n, text in enumerate(project.config.read_text().splitlines(), 1)
                if text.strip() == "[sources.ads]")
    assert (f'error: {project.config}:{line}: [sources.ads]: sources "shop" and "ads" both '
            f'supply metric "orders"') in err
    assert "ads.csv" not in err and "shop.csv" not in err  # tables, not paths
    assert not project.alerts
    with StateStore(project.state) as state:
        [run] = state.runs()
    assert run["exit_code"] == 2 and run["actions_sent"] == 0 and not run["results"]
    # dropping the column from one source fixes it
    project.config.write_text(project.config.read_text().replace(
        'path = "data/ads.csv"', 'path = "data/ads.csv"\nignore = ["orders"]'))
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 1, err
    assert len(project.alerts) == 1


def test_a_clash_in_a_later_ruleset_stops_the_run_before_anything_is_sent(
        project: Project, run_cli: Run) -> None:
    project.month("2026-01", display=0.005)  # shop fires
    rules = project.root / "rules"
    (rules / "spend.kpi").write_text('ruleset spend "Spend"\n  grain month\n\n'
                                     "dimension channel\n\nmetric spend unit EUR\n")
    project.config.write_text(project.config.read_text().replace(
        'rulesets = ["rules/shop.kpi"]', 'rulesets = ["rules/shop.kpi", "rules/spend.kpi"]'))
    data = project.root / "data"
    for name in ("ads", "social"):
        (data / f"{name}.jsonl").write_text(
            '{"month": "2026-01", "channel": "display", "spend": 5}\n')
        _add_source(project, name, f'connector = "jsonl"\npath = "data/{name}.jsonl"')
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 2, err
    assert 'sources "ads" and "social" both supply metric "spend" (ruleset spend)' in err
    assert not project.alerts
    with StateStore(project.state) as state:
        assert state.rule_state("shop") == []


def test_eval_with_two_data_files_supplying_one_metric_is_unchanged(project: Project,
                                                                   run_cli: Run) -> None:
    project.month("2026-01", display=0.005)
    data = project.root / "data"
    (data / "more.csv").write_text("month,channel,orders\n2026-01,display,50\n")
    code, _, err = run_cli("eval", str(project.root / "rules" / "shop.kpi"),
                           "--data", str(data / "shop.csv"), "--data", str(data / "more.csv"))
    assert code == 3, err
    assert '"orders"' in err


def test_rule_file_warnings_go_to_standard_error_as_eval_shows_them(project: Project,
                                                                     run_cli: Run) -> None:
    rules = project.root / "rules" / "shop.kpi"
    rules.write_text(rules.read_text() + "\nkpi cpo = visits / orders unit EUR\nthreshold cpo\n"
                     "  critical > 10%\n")
    (project.root / "data" / "shop.csv").write_text("month,channel,visits,orders\n2026-01,paid,10000,500\n")
    code, _, err = run_cli("run", "--config", str(project.config))
    assert code == 1, err  # cpo 20 EUR is above 10%: critical
    assert f"{rules}:" in err and "warning: comparing EUR with percent" in err
    assert "critical > 10%" in err  # the source line, as check and eval print it
