"""The plugin guide and the jobs page cannot drift from the code.

Every hook, every public name of ``kpirules.plugin_api`` and of
``kpirules.testing``, and every fixture has its place in docs/plugins.md; the
guide's examples are run by tests/test_docs_run.py.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import kpirules.plugin_api
import kpirules.testing
import kpirules.testing.fixtures
from kpirules import hookspecs
from kpirules.plugins import load_registry

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDE = (DOCS / "plugins.md").read_text(encoding="utf-8")
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


def _section(title_start: str) -> str:
    """The text of the guide's ``## `` section whose title starts with ``title_start``."""
    parts = re.split(r"^## ", GUIDE, flags=re.M)
    found = [part for part in parts if part.startswith(title_start)]
    assert len(found) == 1, f"docs/plugins.md: no single section {title_start!r}"
    return found[0]


def _documented(section: str) -> set[str]:
    """The names a section's tables describe: the backticked names of each row's first cell."""
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)", first_cell))
    return names


@pytest.mark.parametrize("name", kpirules.plugin_api.__all__)
def test_every_public_plugin_api_name_is_in_the_reference(name: str) -> None:
    assert name in _documented(_section("9. Reference")), f"docs/plugins.md does not document {name}"


def _fixtures() -> list[str]:
    return sorted(name for name, obj in vars(kpirules.testing.fixtures).items()
                  if name.startswith("kpirules_") and callable(obj))


def test_there_are_fixtures() -> None:
    assert _fixtures() == ["kpirules_cli", "kpirules_eval", "kpirules_http", "kpirules_job",
                           "kpirules_registry", "kpirules_smtp"]


@pytest.mark.parametrize("name", [*kpirules.testing.__all__, *_fixtures()])
def test_every_testing_fixture_and_helper_is_documented(name: str) -> None:
    section = _section("6. Testing")
    assert name in _documented(section), f"docs/plugins.md does not document {name}"
    assert re.search(rf"\b{name}\b", section.split("and the plugin's tests", 1)[1]) or name in (
        "CliResult", "HttpReceiver", "JobProject", "Mailbox", "http_receiver", "smtp_mailbox"), (
        f"the guide's example tests do not use {name}")


def test_the_guide_states_the_compatibility_and_deprecation_policy() -> None:
    policy = _section("8. Compatibility")
    assert f'now `"{kpirules.plugin_api.PLUGIN_API_VERSION}"`' in policy
    for words in ("**minor**", "**major**", "**deprecation**", "DeprecationWarning", "KPIRULES_PLUGIN_API"):
        assert words in policy


def test_the_guides_plugin_imports_only_the_plugin_api() -> None:
    from test_docs_run import example_files

    module = example_files("docs/plugins.md")["shop_plugin.py"]
    imported = set(re.findall(r"^(?:from|import) (kpirules[\w.]*)", module, re.M))
    assert imported == {"kpirules.plugin_api"}


REFERENCED_CLASSES = ["Connector", "SourceContext", "RawTable", "ActionType", "Firing", "Digest",
                      "FunctionSpec", "OutputFormat", "RenderOptions"]


@pytest.mark.parametrize("name", REFERENCED_CLASSES)
def test_the_reference_names_only_attributes_the_class_has(name: str) -> None:
    import attrs

    cls = getattr(kpirules.plugin_api, name)
    known = set(dir(cls)) | ({f.name for f in attrs.fields(cls)} if attrs.has(cls) else set())
    [row] = [line for line in _section("9. Reference").splitlines() if line.startswith(f"| `{name}` |")]
    described = re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)", row.split("|")[2])
    assert described, row
    assert [attr for attr in described if attr not in known] == [], f"{name}: the reference drifted"
