"""Running tests: pass/fail output, exit codes, explanations, JUnit XML and coverage."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from kpirules.errors import ExitCode
from kpirules.ruletest import Runner, compute_coverage, load_test_file
from kpirules.ruletest.compare import same

from .conftest import Run

Write = Callable[..., Path]

PASSING = """\
ruleset = "shop.kpi"

[[test]]
name = "conversion of one month"
rows = [ { period = "2026-01", visits = 1000, orders = 30, spend = 200000, customers = 20 } ]
expect = [ { values = { conversion = 0.03, cac = 10000 }, status = { conversion = "ok" }, decisions = { verdict = "keep" } } ]

[[test]]
name = "a weak channel is reported after two months"
rows = [
  { period = "2026-01", channel = "display", visits = 1000, orders = 5 },
  { period = "2026-02", channel = "display", visits = 1000, orders = 4 },
  { period = "2026-02", channel = "seo", visits = 1000, orders = 40 },
]
[[test.expect]]
segment = { channel = "display" }
status = { conversion = "critical" }
decisions = { verdict = "stop" }
rules = { low_conversion = true }
actions = [{ name = "notify", rule = "low_conversion", args = { text = "display: 0.4%" } }]
[[test.expect]]
period = "2026-01"
segment = { channel = "display" }
rules = { low_conversion = false }
actions = []
"""

FAILING = """\
ruleset = "shop.kpi"

[[test]]
name = "right"
rows = [ { period = "2026-01", visits = 1000, orders = 30 } ]
expect = [ { values = { conversion = 0.03 } } ]

[[test]]
name = "wrong"
rows = [ { period = "2026-01", visits = 1000, orders = 30 } ]
expect = [ { values = { conversion = 0.05 }, objectives = { more_orders = "achieved" } } ]
"""


def test_passing_tests_print_pytest_like_lines(shop: Path, write: Write, kpirules_test: Run) -> None:
    path = write(PASSING)
    code, out, _ = kpirules_test(str(path))
    assert code == ExitCode.OK
    label = path.as_posix()
    assert f"{label}::conversion of one month PASSED" in out
    assert f"{label}::a weak channel is reported after two months PASSED" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("2 passed, 0 failed in ") and last.endswith("s")


def test_a_failure_shows_expected_actual_and_explanation(shop: Path, write: Write,
                                                         kpirules_test: Run) -> None:
    path = write(FAILING)
    code, out, _ = kpirules_test(str(path))
    assert code == ExitCode.FAILED
    assert "::right PASSED" in out
    assert "::wrong FAILED" in out
    failures = out.split("FAILURES", 1)[1]
    assert "values.conversion" in failures
    assert "expected: 0.05" in failures
    assert "actual:   0.03" in failures
    assert "orders / visits" in failures  # the explanation of the actual value
    assert "objectives.more_orders.status" in failures
    assert "1 passed, 1 failed in " in out.strip().splitlines()[-1]


def test_numbers_compare_with_a_relative_tolerance(shop: Path, write: Write,
                                                   kpirules_test: Run) -> None:
    near = PASSING.replace("cac = 10000", "cac = 10000.000001")
    assert kpirules_test(str(write(near)))[0] == ExitCode.OK
    far = PASSING.replace("cac = 10000", "cac = 10000.1")
    assert kpirules_test(str(write(far)))[0] == ExitCode.FAILED
    loose = far.replace('name = "conversion of one month"',
                        'name = "conversion of one month"\ntolerance = 1e-3')
    assert kpirules_test(str(write(loose)))[0] == ExitCode.OK
    assert same(0, 5.551115123125783e-17, 1e-9)
    assert not same(None, 0, 1e-9)
    assert same(None, None, 1e-9)
    assert not same(1, True, 1e-9)


def test_a_missing_segment_is_a_failure_listing_the_rows(shop: Path, write: Write,
                                                        kpirules_test: Run) -> None:
    text = PASSING.replace('segment = { channel = "display" }\nstatus',
                           'segment = { channel = "print" }\nstatus')
    code, out, _ = kpirules_test(str(write(text)))
    assert code == ExitCode.FAILED
    assert "a row for last period, channel=print" in out
    assert "channel=display" in out


def test_an_evaluation_error_is_reported_as_an_error(shop: Path, write: Write,
                                                     kpirules_test: Run) -> None:
    text = PASSING.replace('visits = 1000, orders = 30, spend', 'visits = "many", orders = 30, spend')
    code, out, _ = kpirules_test(str(write(text)))
    assert code == ExitCode.FAILED
    assert "::conversion of one month ERROR" in out
    assert "error while evaluating the test rows" in out
    assert "(1 error)" in out.strip().splitlines()[-1]


def test_junit_xml_is_written(shop: Path, write: Write, tmp_path: Path, kpirules_test: Run) -> None:
    report = tmp_path / "reports" / "junit.xml"
    code, _, _ = kpirules_test(str(write(FAILING)), "--junit", str(report))
    assert code == ExitCode.FAILED
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"right", "wrong"}
    assert cases["right"].find("failure") is None
    failure = cases["wrong"].find("failure")
    assert failure is not None
    assert failure.get("message") == "values.conversion: expected 0.05, got 0.03"
    assert "orders / visits" in (failure.text or "")


def test_coverage_lists_what_no_test_touches(shop: Path, write: Write, kpirules_test: Run) -> None:
    code, out, _ = kpirules_test(str(write(PASSING)), "--coverage")
    assert code == ExitCode.OK
    coverage = out.split("COVERAGE", 1)[1]
    assert "shop.kpi: 5 of 7 items touched; not touched:" in coverage
    assert "  kpi unused" in coverage
    assert "  objective more_orders" in coverage
    assert "kpi cac" not in coverage  # its value is checked
    assert "threshold conversion" not in coverage


def test_coverage_follows_dependencies(shop: Path, write: Write) -> None:
    """A rule touches what its condition reads: the threshold, the KPI and its inputs."""
    text = PASSING.split("[[test]]")[0] + "[[test]]" + PASSING.split("[[test]]")[2]
    text = text.replace('status = { conversion = "critical" }\ndecisions = { verdict = "stop" }\n', "")
    tf = load_test_file(write(text))
    runner = Runner()
    runner.prepare([tf])
    results = runner.run_file(tf)
    assert [r.outcome for r in results] == ["passed"]
    (report,) = compute_coverage(results, runner.rulesets)
    touched = {item.label for item in report.items} - {item.label for item in report.missing}
    assert touched == {"kpi conversion", "threshold conversion", "rule low_conversion"}
