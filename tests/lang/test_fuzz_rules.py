"""A small fuzz run of the rule-file front end (the 100,000-file run is benchmarks/fuzz_rules.py).

Files derived from the grammar (half of them then mutated) must load or fail
with located diagnostics only, and format stably; see grammar_fuzz.judge.
"""

from __future__ import annotations

import random

import pytest
from grammar_fuzz import grammar_file, grammar_generated, judge, mutate


@pytest.mark.parametrize("seed", range(4))
def test_generated_files_never_fail_with_a_traceback_or_without_a_place(seed: int) -> None:
    rng = random.Random(seed)
    problems = [(text, verdict) for text in (grammar_generated(rng) for _ in range(75))
                if (verdict := judge(text)) is not None]
    assert problems == []


def test_the_generator_reaches_every_statement_of_the_grammar() -> None:
    rng = random.Random(0)
    text = "".join(grammar_file(rng) for _ in range(300))
    for keyword in ("ruleset", "param", "dimension", "metric", "kpi", "threshold", "decision",
                    "objective", "rule"):
        assert f"{keyword} " in text or f"{keyword}\n" in text or f"{keyword}\t" in text, keyword


@pytest.mark.parametrize("text", [
    "ruleset r\nmetric a\nobjective o a increase 10% from 2026-01 to 99999-12\n",
    "ruleset r\nmetric a\nkpi k = " + " + ".join(["a"] * 1_200) + "\n",
    "ruleset r\nmetric a\nkpi k = " + "(a + " * 300 + "a" + ")" * 300 + "\n",
    "ruleset r\nmetric `a\u202e`\n",
])
def test_the_fuzzers_edge_cases_are_judged_acceptable(text: str) -> None:
    assert judge(text) is None
    assert judge(mutate(random.Random(1), text)) is None
