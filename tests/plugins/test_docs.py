"""The plugin guide and the jobs page cannot drift from the code."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from kpirules import hookspecs
from kpirules.plugins import load_registry

DOCS = Path(__file__).resolve().parents[2] / "docs"
HOOKS = sorted(name for name, obj in vars(hookspecs).items()
               if name.startswith("kpirules_") and inspect.isfunction(obj))


def test_there_are_hooks() -> None:
    assert HOOKS == ["kpirules_actions", "kpirules_connectors", "kpirules_formats",
                     "kpirules_functions"]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_in_the_plugin_guide(hook: str) -> None:
    guide = (DOCS / "plugins.md").read_text(encoding="utf-8")
    assert re.search(rf"^### `{hook}`$", guide, re.M), f"docs/plugins.md: no section for {hook}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_docstring(hook: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert "Called" in doc and "Returns" in doc


def test_every_builtin_connector_and_action_is_documented_for_jobs() -> None:
    jobs = (DOCS / "jobs.md").read_text(encoding="utf-8")
    registry = load_registry(autoload=False)
    core = registry.plugins[0]
    for name in [*core.connectors, *core.actions]:
        assert f"`{name}`" in jobs, f"docs/jobs.md does not mention {name!r}"
