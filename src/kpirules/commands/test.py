"""``kpirules test``: run rule tests with pytest-like output (interfaces §6).

Every test file and every ruleset is read and checked before the first test
runs, so an invalid input exits 2 without a half-printed run; then each test
prints ``path::name PASSED|FAILED``, failures are explained, and the summary
line comes last, as pytest users expect.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from kpirules.commands.shared import config_option, plugin_functions
from kpirules.errors import ExitCode
from kpirules.ruletest import Runner, collect, compute_coverage, load_test_file
from kpirules.ruletest.junit import write_junit
from kpirules.ruletest.report import (
    coverage_section,
    failures_section,
    outcome_line,
    summary_line,
)

_COLOURS = {"passed": "green", "failed": "red", "error": "red"}


@click.command(name="test")
@click.argument("testfiles", nargs=-1, required=True, metavar="TESTFILE...")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a JUnit XML report to PATH (for CI servers).")
@click.option("--coverage", "show_coverage", is_flag=True, default=False,
              help="List the KPIs, thresholds, decisions, rules and objectives no test touches.")
@config_option
def command(testfiles: tuple[str, ...], junit_path: str | None,
            show_coverage: bool) -> None:
    """Run rule tests: TOML files of input rows and expected results.

    TESTFILE may be a test file or a directory, searched for *.toml test files.
    Exits 1 when a test fails, 2 when a test file or a rule file is invalid.
    """
    colour = False if os.environ.get("NO_COLOR") else None
    runner = Runner(functions=plugin_functions())
    # Each file is checked completely (structure, then its names against the
    # ruleset) so that every problem of a file is reported in one go.
    files = [load_test_file(path, label, ruleset=runner.ruleset)
             for path, label in collect(testfiles)]
    runner.prepare(files)

    count = sum(len(tf.tests) for tf in files)
    click.echo(f"collected {count} test{'s' if count != 1 else ''} "
               f"from {len(files)} file{'s' if len(files) != 1 else ''}", color=colour)
    started = time.perf_counter()
    results = []
    for tf in files:
        for test in tf.tests:
            case = runner.run_test(tf, test)
            results.append(case)
            line = outcome_line(case)
            word = line.rsplit(" ", 1)[1]
            click.echo(line[: -len(word)] + click.style(word, fg=_COLOURS[case.outcome]),
                       color=colour)
    elapsed = time.perf_counter() - started

    failures = failures_section(results)
    if failures:
        click.echo(failures, color=colour)
    if show_coverage:
        names = {str(tf.ruleset_path.resolve()): _shown(tf.ruleset_path) for tf in files}
        reports = compute_coverage(results, runner.rulesets)
        click.echo(coverage_section(reports, names), color=colour)
    if junit_path:
        write_junit(junit_path, results, elapsed)
    all_passed = all(case.outcome == "passed" for case in results)
    click.echo(click.style(summary_line(results, elapsed), fg="green" if all_passed else "red",
                           bold=True), color=colour)
    if not all_passed:
        # sys.exit, not ctx.exit: the CLI runs Click with standalone_mode=False,
        # where the return value of ctx.exit's Exit is dropped.
        sys.exit(ExitCode.FAILED)


def _shown(path: Path) -> str:
    """A ruleset path relative to the working directory when it is below it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
