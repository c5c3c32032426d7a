"""AST and model nodes print as attrs prints them, from one shared ``__repr__``.

attrs would compile a ``__repr__`` for each of the 39 classes at every start
(:class:`kpirules.lang.ast.SharedRepr`); the shared one must print the same:
the class name, every field but those declared ``repr=False`` (spans, the
ruleset's source and graph), each value's repr.
"""

from __future__ import annotations

import attrs

from kpirules.lang import ast, model
from kpirules.lang.loader import check_text
from kpirules.lang.parser import parse


def test_a_parsed_file_prints_as_attrs_prints_it() -> None:
    rule_file, _ = parse("ruleset r\nmetric m\nkpi k = -m * 2% + f(m, x=\"a\")\n", "r.kpi")
    assert repr(rule_file) == (
        "RuleFile(path='r.kpi', statements=(RulesetStmt(name=Ident(name='r'), title=None, grain=None, "
        "locale=None), MetricStmt(name=Ident(name='m'), options=(), aggregate=None, where=None), "
        "KpiStmt(name=Ident(name='k'), expr=Binary(op='+', left=Binary(op='*', left=Unary(op='-', "
        "operand=Name(name='m')), right=Number(value=0.02, percent=True, text='2%')), "
        "right=Call(func='f', args=(Name(name='m'),), kwargs=(('x', String(value='a')),))), options=())))")
    assert repr(ast.Span("f", 1, 2, 3, 4)) == "Span(file='f', line=1, column=2, end_line=3, end_column=4)"


def test_every_node_class_shares_the_repr_and_keeps_its_slots() -> None:
    classes = [c for module in (ast, model) for c in vars(module).values()
               if isinstance(c, type) and attrs.has(c) and c.__module__ == module.__name__]
    assert len(classes) >= 39
    for cls in classes:
        assert cls.__repr__ is ast.SharedRepr.__repr__, cls
        assert "__dict__" not in dir(cls), cls  # slotted: the shared base adds no instance dict


def test_fields_declared_without_repr_are_left_out() -> None:
    ruleset, _ = check_text("ruleset r\nmetric m\n", "r.kpi")
    assert ruleset is not None
    shown = repr(ruleset)
    assert shown.startswith("Ruleset(name='r', title=None, grain='month'")
    assert "source_text" not in shown and "functions=" not in shown and "dependencies" not in shown
    assert "span=Span(" in shown  # a definition's span is shown, as attrs showed it
