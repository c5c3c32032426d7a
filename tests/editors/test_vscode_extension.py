"""The VS Code extension: its TextMate grammar, generated from the kpirules grammar, and its client.

The grammar is checked by the npm package ``vscode-tmgrammar-test`` (the tool
VS Code grammar authors use) on an annotated test file and on a snapshot of a
shipped ruleset; the client by node's test runner with VS Code stubbed out.
``scripts/setup.sh`` installs the npm packages (``editors/vscode/node_modules``);
these tests skip only where Node.js itself is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kpirules.editors.textmate import main as write_grammar
from kpirules.editors.textmate import textmate_grammar
from kpirules.editors.vocabulary import vocabulary

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "editors" / "vscode"
BIN = EXTENSION / "node_modules" / ".bin"

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


@pytest.fixture
def grammar_file(tmp_path: Path) -> Path:
    path = tmp_path / "kpi.tmLanguage.json"
    assert write_grammar([str(path)]) == 0
    return path


def _tool(name: str) -> str:
    tool = BIN / name
    if not tool.exists():
        pytest.fail(f"{tool} is missing: run scripts/setup.sh (npm install in editors/vscode)")
    return str(tool)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=EXTENSION, capture_output=True, text=True, timeout=300)


def test_grammar_names_every_keyword_and_core_function() -> None:
    grammar = textmate_grammar()
    keyword_rules = grammar["repository"]["keyword"]["patterns"]
    matched = set()
    for word in vocabulary().keywords:
        for rule in [*keyword_rules, grammar["repository"]["constant"]]:
            if re.fullmatch(rule["match"], word):
                matched.add(word)
    assert matched == set(vocabulary().keywords)
    assert re.fullmatch(grammar["repository"]["call"]["patterns"][0]["match"].replace(r"\s*(?=\()", ""),
                        "rolling_avg")


def test_grammar_file_is_written_as_json(grammar_file: Path) -> None:
    data = json.loads(grammar_file.read_text(encoding="utf-8"))
    assert data["scopeName"] == "source.kpi"
    assert data == textmate_grammar()


@pytest.mark.slow
@needs_node
def test_grammar_passes_the_annotated_test_file(grammar_file: Path) -> None:
    result = _run(_tool("vscode-tmgrammar-test"), "-g", str(grammar_file), "test/*.test.kpi")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "highlighting.test.kpi run successful" in result.stdout


@pytest.mark.slow
@needs_node
def test_a_wrong_expectation_fails(grammar_file: Path, tmp_path: Path) -> None:
    text = (EXTENSION / "test" / "highlighting.test.kpi").read_text(encoding="utf-8")
    wrong = tmp_path / "wrong.test.kpi"
    wrong.write_text(text.replace("constant.other.period.kpi", "constant.numeric.kpi", 1), encoding="utf-8")
    result = _run(_tool("vscode-tmgrammar-test"), "-g", str(grammar_file), str(wrong))
    assert result.returncode != 0
    assert "missing required scopes: constant.numeric.kpi" in result.stdout


@pytest.mark.slow
@needs_node
def test_grammar_matches_the_snapshot_of_a_shipped_ruleset(grammar_file: Path) -> None:
    result = _run(_tool("vscode-tmgrammar-snap"), "-g", str(grammar_file), "test/snap/*.kpi")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@needs_node
def test_client_starts_kpirules_lsp() -> None:
    _tool("vscode-tmgrammar-test")  # the npm packages are installed
    result = _run("node", "--test", "test/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 3" in result.stdout and "# fail 0" in result.stdout


@pytest.mark.slow
@needs_node
def test_the_docs_picture_is_rendered_from_the_grammar(grammar_file: Path) -> None:
    """``scripts/render-html.js`` (the picture of docs/editors.md) colours tokens by their scopes."""
    _tool("vscode-tmgrammar-test")
    source = ROOT / "docs" / "images" / "vscode-highlighting.kpi"
    result = _run("node", "scripts/render-html.js", str(grammar_file), str(source))
    assert result.returncode == 0, result.stderr
    html = result.stdout
    assert '<span style="color:#569CD6">ruleset</span>' in html  # storage.type
    assert '<span style="color:#4EC9B0">funnel</span>' in html  # the name it defines
    assert '<span style="color:#B5CEA8">2026-Q2</span>' in html  # a period
    assert '<span style="color:#9CDCFE">{cac}</span>' in html  # a placeholder in an action's text
    assert (ROOT / "docs" / "images" / "vscode-highlighting.png").stat().st_size > 10_000
