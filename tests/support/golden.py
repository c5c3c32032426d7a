"""Helpers of the language tests: case folders, golden files, AST comparison."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from attrs import evolve

from kpirules.lang import ast

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "cases"
CONFORMANCE = ROOT.parent / "shared" / "conformance" / "cases"
SHIPPED_RULESETS = sorted((ROOT / "rulesets").glob("*.kpi"))

# KPIRULES_UPDATE_GOLDEN=1 rewrites the expected files from the current output.
UPDATE_GOLDEN = os.environ.get("KPIRULES_UPDATE_GOLDEN") == "1"


def check_golden(path: Path, actual: str) -> None:
    """Compare ``actual`` with the golden file ``path`` (or rewrite it on request)."""
    if UPDATE_GOLDEN:
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path.name} is missing; run with KPIRULES_UPDATE_GOLDEN=1 to create it")
    assert actual == path.read_text(encoding="utf-8")


def _sorted_options(options: tuple, order: tuple[str, ...]) -> tuple:
    return tuple(sorted(options, key=lambda o: order.index(o.key)))


def same_meaning(statements: tuple[ast.Statement, ...]) -> tuple[ast.Statement, ...]:
    """Statements as the formatter must keep them: equal up to positions (AST
    equality ignores spans) and the order of options, which the formatter sorts."""
    out = []
    for stmt in statements:
        if isinstance(stmt, ast.MetricStmt):
            stmt = evolve(stmt, options=_sorted_options(stmt.options, ("unit", "agg", "missing", "label")))
        elif isinstance(stmt, ast.KpiStmt):
            stmt = evolve(stmt, options=_sorted_options(stmt.options, ("unit", "better", "label")))
        elif isinstance(stmt, ast.RuleStmt):
            stmt = evolve(stmt, options=_sorted_options(stmt.options, ("for", "scope", "severity")))
        out.append(stmt)
    return tuple(out)


def conformance_rule_files() -> list[Path]:
    return sorted(CONFORMANCE.glob("*/*.kpi")) if CONFORMANCE.is_dir() else []
