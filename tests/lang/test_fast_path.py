"""The fast path of parsing gives exactly what Lark's standard front end gives.

:mod:`kpirules.lang.fastpath` lexes and parses valid files in its own loop
over Lark's tables; anything it does not accept goes to Lark's standard front
end. These tests hold :func:`kpirules.lang.parser.parse` equal to
:func:`~kpirules.lang.parser.parse_standard` (statements, every position,
every diagnostic) on every rule file of the repository, on a generated
7,000-line-style file, on random files and on mutated ones.
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from kpi_strategies import rule_files
from test_lang_properties import mutated_files

from kpirules.lang.fastpath import FastPathRefused, fast_parser
from kpirules.lang.parser import parse, parse_standard
from support.golden import CASES, ROOT, conformance_rule_files


def _benchmark_module(name: str) -> Any:
    """A script of benchmarks/, loaded from its file (the folder is no package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_big_ruleset = _benchmark_module("gen_big_ruleset")

REPOSITORY_RULE_FILES = sorted(
    p for folder in ("rulesets", "examples", "benchmarks", "tests", "docs", "plugins")
    for p in (ROOT / folder).rglob("*.kpi") if "data" not in p.relative_to(ROOT).parts[1:2]
)


def dump(value: Any) -> Any:
    """A node as nested tuples, positions included (AST equality ignores spans)."""
    if attrs.has(type(value)):
        return (type(value).__name__, *(dump(getattr(value, f.name)) for f in attrs.fields(type(value))))
    if isinstance(value, tuple | list):
        return tuple(dump(v) for v in value)
    return value


def assert_same_as_standard(text: str, path: str = "f.kpi") -> None:
    fast_file, fast_diags = parse(text, path)
    std_file, std_diags = parse_standard(text, path)
    assert dump(fast_file) == dump(std_file)
    assert fast_diags == std_diags


def test_the_repository_has_rule_files_to_compare() -> None:
    assert len(REPOSITORY_RULE_FILES) > 30
    assert any(p.parent == CASES / "diagnostics" for p in REPOSITORY_RULE_FILES)


@pytest.mark.parametrize("path", [*REPOSITORY_RULE_FILES, *conformance_rule_files()],
                         ids=lambda p: str(p.relative_to(p.parents[1])))
def test_every_rule_file_parses_the_same(path: Path) -> None:
    assert_same_as_standard(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.slow
def test_a_large_generated_file_takes_the_fast_path_and_parses_the_same() -> None:
    text = gen_big_ruleset.generate(scale=0.15)
    statements, _ = fast_parser().parse(text, "big.kpi")  # no fallback: the fast path accepts it
    assert len(statements) > 500
    assert_same_as_standard(text, "big.kpi")


@pytest.mark.slow
def test_a_large_file_with_one_error_is_reported_like_the_standard_front_end() -> None:
    lines = gen_big_ruleset.generate(scale=0.15).split("\n")
    kpi_lines = [i for i, line in enumerate(lines) if line.startswith("kpi ")]
    middle = kpi_lines[len(kpi_lines) // 2]
    lines[middle] = lines[middle].replace(" = ", " = = ", 1)
    text = "\n".join(lines)
    rule_file, diagnostics = parse(text, "big.kpi")
    assert [(d.line, d.code) for d in diagnostics] == [(middle + 1, "syntax")]
    assert len(rule_file.statements) > 500  # every other statement still parsed
    assert_same_as_standard(text, "big.kpi")


@pytest.mark.parametrize("text", [
    # an unclosed parenthesis is only noticed at the next statement's keyword
    "ruleset r\nmetric m\nkpi a = (m / 2\nkpi b = m\nkpi c = m +\nkpi d = m\n",
    # a statement keyword used as a name splits a statement in two chunks
    "ruleset r\nmetric m\nkpi a = rule + 1\nkpi b = = m\nkpi c = m\n",
    # errors first and last, a character no token starts with in the middle
    "kpi = 1\nruleset r\nmetric m\nkpi a = m ; 2\nkpi b = m\nrule x when",
    "ruleset r\n" + "kpi k = 1\n" * 50 + "kpi bad = (\n" + "kpi z = 2\n" * 50,
    # found by hypothesis: Lark's contextual lexer once read "rulesetempty" as "ruleset empty"
    "rulesetempty\nmetric m\nthreshold m\ndecision \ndecision \nkpi k = m\n",
])
def test_files_with_several_errors_parse_like_the_standard_front_end(text: str) -> None:
    assert_same_as_standard(text)


def test_shipped_rulesets_take_the_fast_path() -> None:
    for path in sorted((ROOT / "rulesets").glob("*.kpi")):
        statements, diagnostics = fast_parser().parse(path.read_text(encoding="utf-8"), str(path))
        assert statements and not diagnostics


@pytest.mark.parametrize("text", [
    "ruleset r\nkpi a = (1",           # unclosed
    "ruleset r\nkpi a = 1 é",          # a character no token starts with
    "ruleset r\nobjective o x increase 10% from 2026-01 to 12",  # not a period
    'ruleset r\nrule x whenever > 1',  # a keyword glued to a name
    "ruleset r\nkpi a = 1 +",          # cut short
])
def test_the_fast_path_refuses_what_lark_refuses(text: str) -> None:
    with pytest.raises(FastPathRefused):
        fast_parser().parse(text, "bad.kpi")
    assert_same_as_standard(text)


@pytest.mark.parametrize("text", ["rulesetempty\nmetric m\n", "ruleset r\nmetric m unitless\n",
                                  "ruleset r\nmetric m\nrule x whenever m > 1\n"])
def test_a_keyword_glued_to_a_word_is_never_read_as_the_keyword(text: str) -> None:
    """Both front ends read whole words: a keyword only when the word is exactly the keyword."""
    _, diagnostics = parse(text)
    assert [d.code for d in diagnostics] == ["syntax"]
    assert_same_as_standard(text)


def test_reserved_words_used_as_names_are_reported_by_the_fast_path() -> None:
    text = "ruleset r\nmetric visits\nkpi a = metric + visits\n"
    _, diagnostics = fast_parser().parse(text, "r.kpi")
    assert [(d.line, d.column, d.code) for d in diagnostics] == [(3, 9, "reserved-word")]
    assert_same_as_standard(text)


def test_periods_are_only_read_after_from_to_and_by() -> None:
    text = ("ruleset r\nmetric sales\nkpi gap = 2026-03\n"
            "objective o sales increase 40% from 2026-01 to 2026-12\n")
    rule_file, diagnostics = parse(text, "p.kpi")
    assert not diagnostics
    kpi, objective = rule_file.statements[2], rule_file.statements[3]
    assert type(kpi.expr).__name__ == "Binary" and kpi.expr.op == "-"
    assert (objective.start.text, objective.deadline.text) == ("2026-01", "2026-12")
    assert_same_as_standard(text)


def test_the_garbage_collector_is_back_on_after_a_parse_good_or_bad() -> None:
    assert gc.isenabled()
    parse("ruleset r\nkpi a = 1\n")
    assert gc.isenabled()
    parse("ruleset r\nkpi a = (1\n")
    assert gc.isenabled()


def test_what_a_parse_made_is_not_left_for_the_next_young_collection() -> None:
    """The parsed tree goes to the collector's oldest generation: no collection scans it when
    the collector is back on, and nothing is hidden from it (a cycle is still freed)."""
    import weakref

    from kpirules.lang.parser import gc_paused

    class Cyclic:
        me: object = None

    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    with gc_paused():
        kept = parse("ruleset r\nmetric m\n" + "".join(f"kpi k{i} = m * {i}\n" for i in range(2_000)))
        cycle = Cyclic()
        cycle.me = cycle
        alive = weakref.ref(cycle)
        del cycle
        gc.callbacks.append(seen)
    try:
        more = [[n] for n in range(50)]  # young objects: would set off a collection of the tree
    finally:
        gc.callbacks.remove(seen)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert collections == [] and kept and more
    gc.collect()
    assert alive() is None


def test_files_parsed_at_the_same_time_keep_their_own_path() -> None:
    texts = {f"file{i}.kpi": f"ruleset r{i}\nmetric m\n" + "".join(
        f"kpi k{j} = m * {j} + (m / {j + 1})\n" for j in range(300)) for i in range(6)}
    results: dict[str, Any] = {}

    def work(path: str) -> None:
        results[path] = parse(texts[path], path)

    threads = [threading.Thread(target=work, args=(path,)) for path in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for path, (rule_file, diagnostics) in results.items():
        assert not diagnostics
        assert rule_file.statements[0].name.name == "r" + path.removeprefix("file").removesuffix(".kpi")
        assert {s.span.file for s in rule_file.statements} == {path}
        assert {s.expr.span.file for s in rule_file.statements[2:]} == {path}


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_files())
def test_random_files_parse_the_same(text: str) -> None:
    assert_same_as_standard(text)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_files())
def test_mutated_files_parse_the_same(text: str) -> None:
    assert_same_as_standard(text)


def test_a_grammar_terminal_the_fast_path_does_not_know_is_refused() -> None:
    from kpirules.lang.table_gen import module_text

    grammar = 'start: NAME DATE\nNAME: /[a-z]+/\nDATE: /\\d+\\/\\d+/\n%ignore " "\n'
    with pytest.raises(TypeError, match="DATE"):
        module_text(grammar)
