"""Whatever the user has typed so far, every feature answers and none raises."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpirules.lsp.analysis import analyse
from kpirules.lsp.completion import complete
from kpirules.lsp.environment import Environment
from kpirules.lsp.hover import hover_text
from kpirules.lsp.navigation import RenameRefused, definition, outline, references, rename
from kpirules.lsp.positions import Position
from kpirules.lsp.quickfix import fix_for

pytestmark = pytest.mark.slow  # measured: docs/performance.md, tests

ENV = Environment(None, frozenset({"log"}), None)
BASE = '''ruleset r "é🚀"
metric `Dépenses €` unit EUR
metric visits
kpi k = `Dépenses €` / visits  unit EUR  better lower
threshold k
  critical > 3
decision d "t"
  "a" when k is ok
  "b" otherwise
rule x when d == "a" for 2 periods then log(text="{k} {{z}}")
objective o k decrease 10% from 2026-01 to 2026-Q4
'''
PIECES = st.sampled_from(["(", ")", "`", '"', "{", "#", "🚀", "é", "\n", " ", "kpi", "=", "is", "%",
                          "from", "2026-", "then", ",", "[", "not", "when", "x"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, len(BASE)), insert=st.lists(PIECES, max_size=4), drop=st.integers(0, 6),
       line=st.integers(0, 14), character=st.integers(0, 60))
def test_every_feature_answers_on_any_text(cut: int, insert: list[str], drop: int, line: int,
                                           character: int) -> None:
    text = BASE[:cut] + "".join(insert) + BASE[cut + drop:]
    analysis = analyse(text, "<t>", ENV)
    position = Position(line, character)
    parser_line, parser_column = analysis.lines.to_parser(position)
    complete(analysis, position)
    hover_text(analysis, parser_line, parser_column)
    definition(analysis, parser_line, parser_column)
    references(analysis, parser_line, parser_column)
    outline(analysis)
    with contextlib.suppress(RenameRefused):
        rename(analysis, parser_line, parser_column, "renamed")
    for diag in analysis.diagnostics:
        fix_for(diag, analysis.lines.line_text(diag.line - 1))
