"""Reading and validating rule-test files (interfaces §6).

Every problem of a file is collected and reported at once, each as
``FILE:LINE: MESSAGE``, and the whole lot raised as one
:class:`~kpirules.errors.ConfigError` (exit code 2): an analyst fixing a test
file should see all its mistakes in one run, as with rule files. Given a way
to load the ruleset, :func:`load_test_file` also checks the file's names
against it, so that a structural mistake (a duplicate test name, an unknown
key) does not hide an unknown KPI or parameter.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kpirules.errors import ConfigError, RuleFileError
from kpirules.ruletest.locate import Locator
from kpirules.ruletest.model import (
    KPI_STATUSES,
    OBJECTIVE_FIELDS,
    OBJECTIVE_STATUSES,
    Expectation,
    ExpectedAction,
    RuleTest,
    RuleTestFile,
)
from kpirules.ruletest.problems import Problems, suggest

NULL = "null"
PERIOD_COLUMNS = ("period", "date", "month", "week", "day")

_FILE_KEYS = {"ruleset", "test", "params", "tolerance", "description"}
_TEST_KEYS = {"name", "description", "params", "rows", "expect", "tolerance"}
_EXPECT_KEYS = {
    "period", "segment", "values", "status", "decisions", "rules", "actions", "objectives",
    "description",
}
_CHECK_KEYS = ("values", "status", "decisions", "rules", "actions", "objectives")
_ACTION_KEYS = {"name", "rule", "args", "event"}
_EVENTS = ("fire", "renotify", "resolve")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def load_test_file(path: str | Path, display: str | None = None,
                   ruleset: Callable[[Path], Any] | None = None) -> RuleTestFile:
    """Read, parse and validate one test file.

    Raises :class:`ConfigError` naming the file and line of every problem.
    With ``ruleset`` (a function loading the rule file at a path, such as
    :meth:`kpirules.ruletest.Runner.ruleset`), the names of KPIs, rules… are
    checked against the ruleset too, and reported with the file's other
    problems; without it, they are checked later by
    :func:`kpirules.ruletest.check.check_against_ruleset`. An invalid rule
    file raises :class:`~kpirules.errors.RuleFileError`, unless the test file
    itself has problems, which are then reported first.
    """
    path = Path(path)
    label = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read test file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{label}: a test file must be UTF-8 ({exc.reason})") from exc
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        where = f"{label}:{match.group(1)}:{match.group(2)}" if match else label
        message = _TOML_POSITION.sub("", message)
        raise ConfigError(f"{where}: invalid TOML: {message}") from exc
    return parse_document(doc, text, path, label, ruleset)


def parse_document(doc: dict[str, Any], text: str, path: Path, label: str,
                   ruleset: Callable[[Path], Any] | None = None) -> RuleTestFile:
    """Turn the TOML document of a test file into a :class:`RuleTestFile`.

    ``ruleset``: as for :func:`load_test_file`.
    """
    problems = Problems(label)
    raw_tests = doc.get("test")
    test_count = len(raw_tests) if isinstance(raw_tests, list) else 0
    loc = Locator(text, test_count)

    for key in sorted(set(doc) - _FILE_KEYS):
        problems.add(loc.find(key, 1), f'unknown key "{key}"{suggest(key, _FILE_KEYS)}; '
                     f"a test file has ruleset, params, tolerance and [[test]] tables")
    target = doc.get("ruleset")
    ruleset_path = path
    ruleset_found = False
    if target is not None and not isinstance(target, str):
        problems.add(loc.find("ruleset", 1) or 1,
                     '"ruleset" must be a text: the path of the rule file to test, relative to this file')
    elif not isinstance(target, str) or not target.strip():
        problems.add(loc.find("ruleset", 1) or 1,
                     'missing "ruleset": the path of the rule file to test, relative to this file')
    else:
        ruleset_path = (path.parent / target) if not Path(target).is_absolute() else Path(target)
        ruleset_found = ruleset_path.is_file()
        if not ruleset_found:
            problems.add(loc.find("ruleset", 1), f'ruleset "{target}" not found '
                         f"(looked for {ruleset_path})")
    params_line = loc.find("params", 1)
    file_params = _table(doc.get("params", {}), "params", params_line, problems)
    _check_param_types(file_params, "params", params_line, problems)
    file_tolerance = _tolerance(doc.get("tolerance", 1e-9), loc.find("tolerance", 1), problems)

    tests: list[RuleTest] = []
    if isinstance(raw_tests, dict):
        problems.add(loc.find("test", 1), "write each test as [[test]] (double brackets): "
                     "[test] makes a single table, not a list of tests")
    elif not isinstance(raw_tests, list) or not raw_tests:
        problems.add(None, "no tests: add at least one [[test]] table with name, rows and expect")
    else:
        names: dict[str, int | None] = {}
        for index, raw in enumerate(raw_tests):
            test = _parse_test(raw, index, loc, problems, file_params, file_tolerance)
            if test is None:
                continue
            if test.name in names:
                problems.add(test.line, f'test name "{test.name}" is used twice '
                             f"(first at line {names[test.name]})")
            else:
                names[test.name] = test.line
            tests.append(test)
    test_file = RuleTestFile(path=path, ruleset_path=ruleset_path, tests=tuple(tests),
                             display=label, params=file_params, params_line=params_line)
    if ruleset is not None and ruleset_found:
        from kpirules.ruletest.check import add_name_problems

        try:
            loaded = ruleset(ruleset_path)
        except RuleFileError:
            problems.raise_if_any()  # the test file's own problems first
            raise
        add_name_problems(test_file, loaded, problems, loc)
    problems.raise_if_any()
    return test_file


def _table(value: Any, what: str, line: int | None, problems: Problems) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.add(line, f'"{what}" must be a table ({{ name = value, … }})')
        return {}
    return value


def _check_param_types(params: dict[str, Any], where: str, line: int | None, problems: Problems,
                       loc: Locator | None = None, end: int | None = None) -> None:
    """A parameter value is a number or a text (the ruleset's checks come later)."""
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            at = (loc.find(name, line, end) if loc is not None else None) or line
            problems.add(at, f'{where}: parameter "{name}" must be a number or a text')


def _tolerance(value: Any, line: int | None, problems: Problems) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        problems.add(line, f'"tolerance" must be a number ≥ 0, not {value!r}')
        return 1e-9
    return float(value)


def _parse_test(raw: Any, index: int, loc: Locator, problems: Problems,
                file_params: dict[str, Any], file_tolerance: float) -> RuleTest | None:
    start, end = loc.test_span(index)
    if not isinstance(raw, dict):
        problems.add(start, f"test #{index + 1} must be a table")
        return None
    name = raw.get("name")
    title = f'test "{name}"' if isinstance(name, str) else f"test #{index + 1}"
    if not isinstance(name, str) or not name.strip():
        problems.add(start, f'{title} has no "name"')
        name = f"test #{index + 1}"
    for key in sorted(set(raw) - _TEST_KEYS):
        problems.add(loc.find(key, start, end) or start,
                     f'{title}: unknown key "{key}"{suggest(key, _TEST_KEYS)}')

    own_params = _table(raw.get("params", {}), "params", loc.find("params", start, end), problems)
    _check_param_types(own_params, title, start, problems, loc, end)
    params = {**file_params, **own_params}
    tolerance = file_tolerance
    if "tolerance" in raw:
        tolerance = _tolerance(raw["tolerance"], loc.find("tolerance", start, end), problems)

    rows = _parse_rows(raw.get("rows"), title, loc.find("rows", start, end) or start, problems)
    columns = {key for row in rows for key in row}
    raw_expect = raw.get("expect")
    expectations: list[Expectation] = []
    if raw_expect is not None and not isinstance(raw_expect, list):
        problems.add(loc.find("expect", start, end) or start,
                     f'{title}: "expect" must be a list of tables: expect = [{{ values = {{ … }} }}] '
                     "or one [[test.expect]] table per expectation")
    elif not isinstance(raw_expect, list) or not raw_expect:
        problems.add(start, f'{title} has no "expect": give at least one expectation')
    else:
        lines = loc.expectation_lines(index, len(raw_expect))
        for number, (item, line) in enumerate(zip(raw_expect, lines, strict=True), start=1):
            exp = _parse_expectation(item, number, line or start, title, columns, problems)
            if exp is not None:
                expectations.append(exp)
    return RuleTest(name=name, line=start, rows=tuple(rows), expectations=tuple(expectations),
                    params=params, tolerance=tolerance, end_line=end)


def _parse_rows(value: Any, title: str, line: int | None, problems: Problems) -> list[dict[str, Any]]:
    if value is not None and not isinstance(value, list):
        problems.add(line, f'{title}: "rows" must be a list of tables: '
                     'rows = [{ period = "2026-03", … }, …] or one [[test.rows]] table per row')
        return []
    if not isinstance(value, list) or not value:
        problems.add(line, f'{title} has no "rows": give the input rows, '
                     '{ period = "2026-03", spend = 200000, … }')
        return []
    rows: list[dict[str, Any]] = []
    for number, row in enumerate(value, start=1):
        if not isinstance(row, dict):
            problems.add(line, f"{title}: row {number} must be a table ({{ period = …, … }})")
            continue
        if not any(col in row for col in PERIOD_COLUMNS):
            problems.add(line, f"{title}: row {number} has no period column "
                         f"(one of {', '.join(PERIOD_COLUMNS)})")
        rows.append({key: _cell(cell) for key, cell in row.items()})
        for key, cell in row.items():
            if isinstance(cell, dict | list):
                problems.add(line, f'{title}: row {number}: "{key}" must be a number or a text')
    # Same columns in every row (absent cells are null), as a data file would have.
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return [{col: row.get(col) for col in columns} for row in rows]


def _cell(cell: Any) -> Any:
    """A TOML cell as the engine reads it: dates as ISO text, ``"null"`` as ``None``."""
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    if cell == NULL:
        return None
    return cell


def _parse_expectation(item: Any, number: int, line: int | None, title: str, columns: set[str],
                       problems: Problems) -> Expectation | None:
    where = f"{title}, expectation {number}"
    if not isinstance(item, dict):
        problems.add(line, f"{where} must be a table")
        return None
    for key in sorted(set(item) - _EXPECT_KEYS):
        problems.add(line, f'{where}: unknown key "{key}"{suggest(key, _EXPECT_KEYS)}')
    if not any(key in item for key in _CHECK_KEYS):
        problems.add(line, f"{where} checks nothing: give values, status, decisions, rules, "
                     "actions or objectives")

    period = item.get("period")
    if isinstance(period, dt.date | dt.datetime):
        period = period.isoformat()
    if period is not None and not isinstance(period, str | int):
        problems.add(line, f'{where}: "period" must be a period such as "2026-03"')
        period = None

    segment: dict[str, str] = {}
    for dim, value in _mapping(item, "segment", where, line, problems).items():
        if isinstance(value, dict | list | bool):
            problems.add(line, f'{where}: segment value of "{dim}" must be a text or a number')
            continue
        if columns and dim not in columns:
            problems.add(line, f'{where}: segment names "{dim}", which no row has'
                         f"{suggest(dim, columns)}")
        segment[dim] = str(value)

    values: dict[str, Any] = {}
    for name, value in _mapping(item, "values", where, line, problems).items():
        if value == NULL:
            values[name] = None
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.add(line, f'{where}: values.{name} must be a number or "null", not {value!r}')
        elif not math.isfinite(value):
            problems.add(line, f"{where}: values.{name} must be a finite number")
        else:
            values[name] = value

    status: dict[str, str] = {}
    for name, value in _mapping(item, "status", where, line, problems).items():
        if value not in KPI_STATUSES:
            problems.add(line, f"{where}: status.{name} must be one of "
                         f"{', '.join(sorted(KPI_STATUSES))}, not {value!r}")
        else:
            status[name] = value

    decisions: dict[str, str | None] = {}
    for name, value in _mapping(item, "decisions", where, line, problems).items():
        if not isinstance(value, str):
            problems.add(line, f'{where}: decisions.{name} must be a label (text) or "null"')
        else:
            decisions[name] = None if value == NULL else value

    rules: dict[str, bool] = {}
    for name, value in _mapping(item, "rules", where, line, problems).items():
        if not isinstance(value, bool):
            problems.add(line, f"{where}: rules.{name} must be true or false, not {value!r}")
        else:
            rules[name] = value

    actions = _parse_actions(item.get("actions"), where, line, problems) if "actions" in item else None
    objectives = _parse_objectives(_mapping(item, "objectives", where, line, problems),
                                   where, line, problems)
    return Expectation(index=number, line=line, period=None if period is None else str(period),
                       segment=segment, values=values, status=status, decisions=decisions,
                       rules=rules, actions=actions, objectives=objectives)


def _mapping(item: dict[str, Any], key: str, where: str, line: int | None,
             problems: Problems) -> dict[str, Any]:
    value = item.get(key, {})
    if not isinstance(value, dict):
        problems.add(line, f'{where}: "{key}" must be a table ({{ name = value, … }})')
        return {}
    return value


def _parse_actions(value: Any, where: str, line: int | None,
                   problems: Problems) -> tuple[ExpectedAction, ...]:
    if not isinstance(value, list):
        problems.add(line, f'{where}: "actions" must be a list of action names, ["notify"]')
        return ()
    actions: list[ExpectedAction] = []
    for item in value:
        if isinstance(item, str):
            actions.append(ExpectedAction(item))
        elif isinstance(item, dict) and (isinstance(item.get("name"), str)
                                         or isinstance(item.get("rule"), str)):
            for key in sorted(set(item) - _ACTION_KEYS):
                problems.add(line, f'{where}: unknown key "{key}" in an action '
                             "(name, rule, event, args)")
            event = item.get("event")
            if event is not None and event not in _EVENTS:
                problems.add(line, f'{where}: the "event" of an action is fire, renotify or '
                             f"resolve, not {event!r}")
                event = None
            rule = item.get("rule")
            args = item.get("args", {})
            if rule is not None and not isinstance(rule, str):
                problems.add(line, f'{where}: the "rule" of an action must be a rule name')
                rule = None
            if not isinstance(args, dict):
                problems.add(line, f'{where}: the "args" of an action must be a table')
                args = {}
            name = item.get("name")
            actions.append(ExpectedAction(name if isinstance(name, str) else None, rule,
                                          dict(args), event))
        else:
            problems.add(line, f"{where}: each action is a name, \"notify\", or a table "
                         '{ name = "notify", rule = "…", event = "resolve", args = { text = "…" } }')
    return tuple(actions)


def _parse_objectives(raw: dict[str, Any], where: str, line: int | None,
                      problems: Problems) -> dict[str, dict[str, Any]]:
    objectives: dict[str, dict[str, Any]] = {}
    for name, value in raw.items():
        fields = {"status": value} if isinstance(value, str) else value
        if not isinstance(fields, dict) or not fields:
            problems.add(line, f"{where}: objectives.{name} must be a status "
                         '("achieved", "on_track", …) or a table of fields')
            continue
        checked: dict[str, Any] = {}
        for field_name, expected in fields.items():
            if field_name not in OBJECTIVE_FIELDS:
                problems.add(line, f'{where}: objectives.{name}: unknown field "{field_name}"'
                             f"{suggest(field_name, OBJECTIVE_FIELDS)}")
            elif field_name == "status" and expected not in OBJECTIVE_STATUSES:
                problems.add(line, f"{where}: objectives.{name} status must be one of "
                             f"{', '.join(sorted(OBJECTIVE_STATUSES))}, not {expected!r}")
            elif field_name == "deadline" and not isinstance(expected, str):
                problems.add(line, f"{where}: objectives.{name}.deadline must be a period text")
            elif field_name not in ("status", "deadline") and expected != NULL and (
                    isinstance(expected, bool) or not isinstance(expected, int | float)):
                problems.add(line, f'{where}: objectives.{name}.{field_name} must be a number '
                             'or "null"')
            else:
                checked[field_name] = None if expected == NULL else expected
        objectives[name] = checked
    return objectives
