"""Options named as data: the engine and the connectors say which option to set, each layer words it.

An error or a warning of the engine names an option by its keyword
(:class:`kpirules.errors.OptionHint`: ``date_format``, ``ignore``…); ``eval``
says it as the flag to type (``--date-format DMY``), ``kpirules run`` as the
setting of the source it is about (``date_format = "DMY" in source "web"``),
a rule test in its own words, the library as a keyword (``str()``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import kpirules
from kpirules.commands.shared import FLAGS, error_text
from kpirules.data.limits import too_many_rows
from kpirules.errors import (
    KEYWORDS,
    DataError,
    KpirulesError,
    OptionError,
    OptionHint,
    UsageError,
    phrase,
)
from kpirules.job.model import SourceWording
from support.cli import RunCli

MONTHLY = "ruleset r\ngrain month\nmetric visits\n"
AMBIGUOUS = "Date,visits\n03/04/2026,1\n05/06/2026,2\n"


def _job(folder: Path, data: str, source: str = "") -> Path:
    (folder / "r.kpi").write_text(MONTHLY)
    (folder / "d.csv").write_text(data)
    config = folder / "kpirules.toml"
    config.write_text('rulesets = ["r.kpi"]\nstate = "s.sqlite"\n[sources.web]\nconnector = "csv"\n'
                      f'path = "d.csv"\n{source}')
    return config


def _raised(data: object, **options: object) -> KpirulesError:
    with pytest.raises(KpirulesError) as info:
        kpirules.loads(MONTHLY).evaluate(data, **options)  # type: ignore[arg-type]
    return info.value


# ── the engine names the option as data, never a flag ──

def test_an_ambiguous_date_column_names_the_date_format_option() -> None:
    err = _raised(pl.DataFrame({"Date": ["03/04/2026", "05/06/2026"], "visits": [1, 2]}))
    assert isinstance(err, DataError)
    assert [(h.option, h.values) for h in err.hints] == [("date_format", ("DMY",))]
    assert "--" not in str(err) and 'give the order with date_format="DMY"' in str(err)


def test_a_bad_cell_names_the_on_bad_value_option() -> None:
    err = _raised(pl.DataFrame({"month": ["2026-01"], "visits": ["many"]}))
    assert [(h.option, h.values) for h in err.hints] == [("on_bad_value", ("null",))]
    assert str(err).endswith('; use on_bad_value="null" to count such cells as missing')


def test_a_missing_period_column_names_the_period_column_option() -> None:
    err = _raised(pl.DataFrame({"when": ["2026-01"], "visits": [1]}))
    assert [h.option for h in err.hints] == ["period_column"]
    assert "--" not in str(err)


def test_a_reserved_column_name_names_the_ignore_option_with_the_column() -> None:
    err = _raised(pl.DataFrame({"month": ["2026-01"], "visits": [1], "__x": [1]}))
    assert [(h.option, h.values, h.many) for h in err.hints] == [("ignore", ("__x",), True)]


def test_the_row_limit_names_max_rows_with_a_value_to_fill_in() -> None:
    err = too_many_rows(20, 10, "big.csv")
    assert [(h.option, h.placeholder, h.place) for h in err.hints] == [("max_rows", "N", "big.csv")]
    assert "--" not in str(err)


def test_an_ignored_numeric_column_warning_names_the_ignore_option() -> None:
    result = kpirules.loads(MONTHLY).evaluate(pl.DataFrame({"month": ["2026-01"], "visits": [1], "a": [2]}))
    (warning,) = result.warnings
    assert not isinstance(warning.message, str)
    assert [(h.option, h.values) for h in warning.message.hints] == [("ignore", ("a",))]
    assert "--" not in str(warning)


def test_why_at_the_first_period_names_the_from_option() -> None:
    result = kpirules.loads("ruleset r\nmetric visits\nkpi v = visits\n").evaluate(
        [{"month": "2026-01", "visits": 1}])
    with pytest.raises(UsageError) as info:
        result.why("v")
    assert [h.option for h in info.value.hints] == ["from_period"]
    assert error_text(info.value).endswith("(give --from)")


def test_suggest_names_the_wrong_option_and_its_value() -> None:
    from kpirules.engine.suggest import suggest

    result = kpirules.loads("ruleset r\nmetric visits\nkpi v = visits\n").evaluate(
        [{"month": "2026-01", "visits": 1}])
    with pytest.raises(OptionError) as info:
        suggest(result, min_values=1)
    assert (info.value.option, info.value.value) == ("min_values", "1")
    assert error_text(info.value) == "--min-values 1: must be at least 2"


def test_a_date_format_that_is_no_order_nor_pattern_is_an_option_error_of_date_format() -> None:
    with pytest.raises(OptionError) as info:
        kpirules.loads(MONTHLY).evaluate(pl.DataFrame({"month": ["2026-01"], "visits": [1]}),
                                         date_format="DD/MM")
    assert info.value.option == "date_format"
    assert error_text(info.value).startswith("--date-format: date format 'DD/MM': write DMY")


# ── each layer's wording ──

HINT = OptionHint("ignore", ("a", "it's"), lead="to silence this: ", many=True, place="d.csv")


def test_the_three_wordings_of_one_hint() -> None:
    job = SourceWording()
    job.know("d.csv", "web")
    assert KEYWORDS.hint(HINT) == 'to silence this: ignore=["a", "it\'s"]'
    assert FLAGS.hint(HINT) == "to silence this: --ignore 'a' --ignore 'it'\\''s'"
    assert job.hint(HINT) == 'to silence this: ignore = ["a", "it\'s"] in source "web"'
    assert SourceWording().hint(HINT) == 'to silence this: ignore = ["a", "it\'s"] in the job source'


def test_a_run_leaves_out_an_option_it_cannot_set() -> None:
    said = phrase('"x" is not a number', OptionHint("on_bad_value", ("null",), lead="; use "))
    assert SourceWording().hint(said.hints[0]) == ""
    assert said.worded(SourceWording()) == '"x" is not a number'
    assert said.worded(FLAGS) == '"x" is not a number; use --on-bad-value null'


@pytest.mark.slow
def test_eval_words_each_option_as_its_flag(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "r.kpi").write_text(MONTHLY)
    (tmp_path / "d.csv").write_text(AMBIGUOUS)
    dates = run_cli("eval", tmp_path / "r.kpi", "--data", tmp_path / "d.csv")
    assert dates.code == 3
    assert "give the order with --date-format DMY (or MDY, YMD" in dates.err and "date_format" not in dates.err
    (tmp_path / "d.csv").write_text("month,visits,a\n2026-01,x,2\n")
    cell = run_cli("eval", tmp_path / "r.kpi", "--data", tmp_path / "d.csv")
    assert cell.code == 3 and "use --on-bad-value null to count such cells as missing" in cell.err
    (tmp_path / "d.csv").write_text("month,visits,a\n2026-01,1,2\n")
    warned = run_cli("eval", tmp_path / "r.kpi", "--data", tmp_path / "d.csv")
    assert warned.code == 0 and "to silence this: --ignore 'a')" in warned.err


@pytest.mark.slow
def test_run_words_each_option_as_the_setting_of_its_source(run_cli: RunCli, tmp_path: Path) -> None:
    config = _job(tmp_path, AMBIGUOUS)
    dates = run_cli("run", "--config", config)
    assert dates.code == 3, dates.err
    assert 'give the order with date_format = "DMY" in source "web" (or MDY, YMD' in dates.err
    assert "--date-format" not in dates.err
    _job(tmp_path, "month,visits,a\n2026-01,x,2\n")
    cell = run_cli("run", "--config", config)
    assert cell.code == 3 and "is not a number" in cell.err
    assert "on-bad-value" not in cell.err and "on_bad_value" not in cell.err  # a run cannot set it
    _job(tmp_path, "month,visits,a\n2026-01,1,2\n")
    warned = run_cli("run", "--config", config)
    assert warned.code == 0, warned.err
    assert 'to silence this: ignore = ["a"] in source "web")' in warned.err and "--ignore" not in warned.err
    _job(tmp_path, "month,visits\n" + "2026-01,1\n" * 20, "max_rows = 10\n")
    limit = run_cli("run", "--config", config)
    assert limit.code == 3 and '(max_rows = N in source "web")' in limit.err and "--max-rows" not in limit.err


@pytest.mark.slow
def test_run_words_its_own_options_as_its_flags(run_cli: RunCli, tmp_path: Path) -> None:
    config = _job(tmp_path, "month,visits\n2026-01,1\n")
    outside = run_cli("run", "--config", config, "--period", "2030-01")
    assert outside.code == 2 and "error: --period 2030-01:" in outside.err


def test_a_rule_test_words_a_bad_cell_in_its_own_terms(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "r.kpi").write_text(MONTHLY)
    (tmp_path / "t.toml").write_text(
        'ruleset = "r.kpi"\n[[test]]\nname = "bad"\nrows = [{ month = "2026-01", visits = "many" }]\n'
        'expect = [{ values = { visits = 1 } }]\n')
    ran = run_cli("test", tmp_path / "t.toml")
    assert ran.code == 1
    assert 'is not a number; write "null" for a missing value' in ran.out + ran.err
    assert "on-bad-value" not in ran.out + ran.err


def test_an_unknown_function_names_the_config_option_as_data() -> None:
    from kpirules.errors import Phrase, RuleFileError
    from kpirules.lang.diagnostics import render

    with pytest.raises(RuleFileError) as info:
        kpirules.loads("ruleset r\nmetric visits\nkpi k = nosuch(visits)\n")
    (diag,) = [d for d in info.value.diagnostics if d.code == "unknown-function"]
    assert isinstance(diag.hint, Phrase) and [h.option for h in diag.hint.hints] == ["config"]
    assert diag.to_dict()["hint"].endswith("lists it with config=kpirules.toml")  # JSON: text
    assert render(diag, None, FLAGS).endswith("lists it with --config kpirules.toml")


def test_a_forced_dimension_on_a_metric_names_it_in_each_layer(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "r.kpi").write_text(MONTHLY)
    (tmp_path / "d.csv").write_text("month,visits\n2026-01,1\n")
    ran = run_cli("eval", tmp_path / "r.kpi", "--data", tmp_path / "d.csv", "--dimension", "visits")
    assert ran.code == 2 and "cannot also be a dimension (given with --dimension 'visits')" in ran.err
    config = _job(tmp_path, "month,visits\n2026-01,1\n", 'dimensions = ["visits"]\n')
    ran = run_cli("run", "--config", config)
    assert ran.code == 2 and 'cannot also be a dimension (given with dimensions = ["visits"] in source "web")' in ran.err
