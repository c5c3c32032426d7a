"""The shipped KPI library: every ruleset checks, is tested, fully covered, and consistent."""

from __future__ import annotations

from pathlib import Path

import pytest

import kpirules
from kpirules.ruletest import Runner, collect, compute_coverage, load_test_file
from support.cli import RunCli, run_process

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted((ROOT / "rulesets").glob("*.kpi"))
TEST_FILES = sorted((ROOT / "rulesets" / "tests").glob("*.toml"))
AREAS = {"funnel", "acquisition", "revenue", "web", "email_social", "seo", "seo_keywords",
         "customers", "team", "orders"}


def test_the_library_has_one_ruleset_per_area() -> None:
    assert {path.stem for path in RULESETS} == AREAS


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.name)
def test_every_ruleset_checks_cleanly(path: Path) -> None:
    ruleset = kpirules.load(path)  # raises RuleFileError on any error
    assert ruleset.name == path.stem
    assert ruleset.grain == "month"
    assert ruleset.title
    for kpi in ruleset.kpis.values():
        assert kpi.label, f"{path.name}: kpi {kpi.name} has no French label"
        assert kpi.unit, f"{path.name}: kpi {kpi.name} has no unit"


def test_a_metric_means_the_same_in_every_ruleset() -> None:
    seen: dict[str, tuple[str, tuple[object, ...]]] = {}
    for path in RULESETS:
        for metric in kpirules.load(path).metrics.values():
            definition = (metric.unit, metric.agg, metric.missing, metric.label)
            if metric.name in seen:
                first, expected = seen[metric.name]
                assert definition == expected, f"{metric.name}: {path.name} differs from {first}"
            else:
                seen[metric.name] = (path.name, definition)


def test_every_ruleset_has_rule_tests() -> None:
    tested = {load_test_file(path).ruleset_path.resolve() for path in TEST_FILES}
    assert tested == {path.resolve() for path in RULESETS}


@pytest.fixture(scope="module")
def library_run() -> tuple[Runner, list]:  # type: ignore[type-arg]
    files = [load_test_file(path, label) for path, label in collect([str(ROOT / "rulesets" / "tests")])]
    runner = Runner()
    runner.prepare(files)
    results = [result for tf in files for result in runner.run_file(tf)]
    return runner, results


@pytest.mark.slow
def test_every_shipped_rule_test_passes(library_run: tuple[Runner, list]) -> None:  # type: ignore[type-arg]
    _, results = library_run
    assert results
    failed = {r.nodeid: (r.error, [(m.check, m.expected, m.actual) for m in r.mismatches])
              for r in results if r.outcome != "passed"}
    assert failed == {}


def test_the_rule_tests_touch_everything(library_run: tuple[Runner, list]) -> None:  # type: ignore[type-arg]
    runner, results = library_run
    missing = {report.path.name: [item.label for item in report.missing]
               for report in compute_coverage(results, runner.rulesets)}
    assert set(missing) == {path.name for path in RULESETS}
    assert all(not items for items in missing.values()), missing


def test_the_textbook_cac_is_tested() -> None:
    text = (ROOT / "rulesets" / "tests" / "acquisition.toml").read_text(encoding="utf-8")
    assert "marketing_spend = 150000, sales_spend = 50000, new_customers = 20" in text
    assert "cac = 10000" in text


@pytest.mark.slow
def test_the_tutorial_example_passes(run_cli: RunCli) -> None:
    code, out, _err = run_cli("test", str(ROOT / "examples" / "tutorial"), "--coverage")
    assert code == 0, out
    assert "campagnes.kpi: all 5 items touched" in out


@pytest.mark.slow
def test_the_library_checks_without_any_warning_and_its_job_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`kpirules check rulesets/*.kpi` is clean: rulesets/kpirules.toml provides `notify`."""
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = sorted(str(p) for p in (root / "rulesets").glob("*.kpi"))
    proc = run_process("check", *files, cwd=root)
    assert proc.returncode == 0 and "warning" not in proc.stderr, proc.stderr
    # the shipped job runs on the shipped data (copied, so that nothing is written in the checkout)
    shutil.copytree(root / "rulesets", tmp_path / "rulesets")
    shutil.copytree(root / "examples" / "data", tmp_path / "examples" / "data")
    proc = run_process("run", "--config", "rulesets/kpirules.toml", "--fail-on", "never", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr, proc.stderr  # once 30-40 lines per ruleset (issue 12)
    assert (tmp_path / "reports" / "funnel-2026-12.html").is_file()
    assert (tmp_path / "reports" / "alerts.jsonl").read_text().count("\n") >= 1


def test_shipped_rule_files_are_in_canonical_style() -> None:
    """Every .kpi file we ship is what `kpirules fmt` would write (the style users copy)."""
    from pathlib import Path

    from kpirules.lang.formatter import format_text

    root = Path(__file__).resolve().parents[2]
    files = [*root.glob("rulesets/*.kpi"), *root.glob("examples/**/*.kpi"),
             *root.glob("src/kpirules/templates/init/**/*.kpi")]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert format_text(text, str(path)) == text, f"run: kpirules fmt {path.relative_to(root)}"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["funnel", "acquisition", "revenue", "web", "email_social"])
def test_eval_of_a_job_ruleset_with_its_config_warns_about_nothing(
        name: str, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The job's rulesets share one export: with --config, the other rulesets' columns are not news."""
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    args = ["eval", f"rulesets/{name}.kpi", "--data", "examples/data/marketing.csv",
            "--fail-on", "never", "--format", "json"]
    proc = run_cli(*args, "--config", "rulesets/kpirules.toml")
    assert proc.code == 0 and proc.err == "", proc.err
    proc = run_cli(*args)  # without it: one grouped line
    assert proc.err.count("warning:") == 1 and "--ignore" in proc.err, proc.err
