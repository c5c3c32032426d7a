"""The plain helpers of :mod:`kpirules.testing`: firings, contexts, runs, import cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs

from kpirules.plugin_api import Firing, SourceContext

#: modules a plugin must not import at module level (``kpirules check`` would pay for them)
HEAVY_MODULES = ("polars", "pandas", "pyarrow", "numpy", "sqlalchemy", "matplotlib")


@attrs.frozen
class CliResult:
    """What a command printed and how it exited."""

    code: int
    out: str
    err: str


def make_firing(**overrides: Any) -> Firing:
    """A plausible firing for an action's tests; any field may be overridden."""
    fields: dict[str, Any] = {
        "ruleset": "funnel", "rule": "low_conversion", "title": "Conversion faible",
        "severity": "critical", "period": "2026-06", "segment": {"channel": "ads"},
        "args": {"text": "ads: conversion 4 % en 2026-06"}, "action": "notify",
        "since": "2026-06", "values": {"cr": 0.04}, "status": {"cr": "critical"},
    }
    fields.update(overrides)
    return Firing(**fields)


def source_context(ruleset: Any = None, **overrides: Any) -> SourceContext:
    """A connector's :class:`SourceContext` for a ruleset with ``visits`` and ``leads``.

    With ``ruleset`` (a loaded :class:`~kpirules.Ruleset`), the context a job
    gives for that ruleset: its metrics' aggs, dimensions, grain, aggregate
    metrics and parameter values, as a connector that pushes work down sees them.
    """
    fields: dict[str, Any] = {"source": "test", "metrics": {"visits": "sum", "leads": "sum"},
                              "dimensions": ("channel",), "grain": "month"}
    if ruleset is not None:
        fields.update(metrics={n: m.agg for n, m in ruleset.metrics.items()},
                      dimensions=tuple(ruleset.dimensions), grain=ruleset.grain,
                      aggregates={n: m for n, m in ruleset.metrics.items() if m.aggregate is not None},
                      params={n: p.value for n, p in ruleset.params.items()})
    fields.update(overrides)
    if "base_dir" in fields:
        fields["base_dir"] = Path(fields["base_dir"])
    return SourceContext(**fields)


def assert_cheap_import(module: str, heavy: Iterable[str] = HEAVY_MODULES) -> None:
    """Fail when importing ``module`` (in a fresh interpreter) loads a heavy library."""
    code = (f"import json, sys; import importlib; importlib.import_module({module!r}); "
            "print(json.dumps(sorted(sys.modules)))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # as this process finds it
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise AssertionError(f"importing {module} failed:\n{proc.stderr}")
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    found = sorted(name for name in heavy if name in loaded)
    if found:
        raise AssertionError(
            f"importing {module} loads {', '.join(found)}: every `kpirules check` pays for it; "
            "import them inside the methods that use them")


class JobProject:
    """A job's folder for tests: write its files, run it, read what it delivered."""

    def __init__(self, root: Path, run_cli: Callable[[list[str]], CliResult]) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._run_cli = run_cli

    def write(self, name: str, text: str) -> Path:
        """Write ``text`` to ``name`` under the project folder; returns the path."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def run(self, *args: str, config: str = "kpirules.toml") -> CliResult:
        """``kpirules run --config CONFIG ARGS…`` in this process."""
        return self._run_cli(["run", "--config", str(self.root / config), *args])

    def deliveries(self, state: str = "state.sqlite") -> list[dict[str, Any]]:
        """The deliveries the state store recorded (status, attempts, action…)."""
        from kpirules.state import StateStore

        with StateStore(self.root / state) as store:
            return store.deliveries()

    def runs(self, state: str = "state.sqlite") -> list[dict[str, Any]]:
        """The runs the state store recorded, latest first (exit_code, actions_sent…)."""
        from kpirules.state import StateStore

        with StateStore(self.root / state) as store:
            return store.runs()
