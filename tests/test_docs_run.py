"""README.md, docs/tutorial.md and docs/plugins.md cannot drift: every code block is run or
compared (issues 12 and 19).

- a ``python`` block is executed from the repository root;
- a rule file block checks cleanly (an unknown ``notify`` aside), and a block that
  shows a file of ``examples/``, ``rulesets/`` or ``plugins/`` equals it or is an
  excerpt of it (its lines in the file's order, ``…`` for the lines left out);
- a block whose first line names a file (``# shop_plugin.py``, ``# rules.kpi``…)
  is a part of a worked example: the blocks naming one file are that file, in
  the page's order, and the example's ``test_*.py`` files must pass under pytest
  in a folder holding every file of the page (docs/plugins.md builds a plugin
  that way);
- a ``console`` block is run command by command (``$ …``) in a copy of the
  repository's examples, with the virtual environment's ``kpirules`` first on the
  PATH, as the tutorial's "activate the venv" step makes it; each output line it
  shows (``…`` lines aside) must appear in what the command prints, line and
  column numbers included.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kpirules

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(doc: str) -> list[tuple[str, str, str]]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    return [(doc, lang, body) for lang, body in FENCE.findall(text)]


ALL = blocks("README.md") + blocks("docs/tutorial.md") + blocks("docs/plugins.md")
#: the first line of a block that is (a part of) a file of a worked example
SHOWN_FILE = re.compile(r"^# ([\w.-]+\.(?:py|kpi|toml))\b")


def shown_file(body: str) -> str | None:
    """The file a block is a part of (``# shop_plugin.py …``), if it names one."""
    match = SHOWN_FILE.match(body)
    return match.group(1) if match else None


def example_files(doc: str) -> dict[str, str]:
    """The files of ``doc``'s worked example: its blocks that name a file, joined in order."""
    files: dict[str, str] = {}
    for _doc, _lang, body in blocks(doc):
        name = shown_file(body)
        if name is not None:
            files[name] = files.get(name, "") + body
    return files


def _id(block: tuple[str, str, str]) -> str:
    doc, lang, body = block
    return f"{doc}:{lang or 'text'}:{body.strip().splitlines()[0][:40] if body.strip() else ''}"


def test_the_documents_have_blocks_of_every_kind() -> None:
    assert {lang for _, lang, _ in ALL} >= {"python", "console", "sh", "toml", ""}


@pytest.mark.slow
@pytest.mark.parametrize("block", [b for b in ALL if b[1] == "python" and not shown_file(b[2])],
                         ids=_id)
def test_python_blocks_run(block: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(block[2], block[0], "exec"), {})


def _example_file(body: str) -> Path | None:
    """The file of examples/ or rulesets/ whose text the block shows, if any."""
    for folder in ("examples", "rulesets", "plugins"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".csv", ".kpi", ".toml") or not path.is_file():
                continue
            raw = path.read_bytes()
            for encoding in ("utf-8", "cp1252"):
                try:
                    text = raw.decode(encoding).replace("\r\n", "\n")
                except UnicodeDecodeError:
                    continue
                if text.strip() == body.strip() or _excerpt_of(body, text):
                    return path
    return None


def _excerpt_of(body: str, text: str) -> bool:
    """Whether ``body`` shows lines of ``text`` in their order, ``…`` standing for the lines left out."""
    shown = [line.rstrip() for line in body.strip().splitlines() if line.strip() != "…"]
    lines = iter(line.rstrip() for line in text.splitlines())
    return len(shown) >= 2 and all(any(line == wanted for line in lines) for wanted in shown)


@pytest.mark.parametrize("block", [b for b in ALL if b[1] in ("", "toml", "csv", "kpi")
                                   and not shown_file(b[2])], ids=_id)
def test_file_blocks_are_the_shipped_files_or_check_cleanly(block: tuple[str, str, str]) -> None:
    doc, _lang, body = block
    if _example_file(body) is not None:
        return
    assert body.lstrip().startswith("ruleset "), f"{doc}: a block that is no shipped file nor a rule file"
    ruleset = kpirules.loads(body, doc)
    assert [w for w in ruleset.warnings if w.code != "unknown-action"] == []


def test_sh_blocks_name_scripts_that_exist() -> None:
    for _doc, lang, body in ALL:
        if lang != "sh":
            continue
        for line in body.splitlines():
            command = line.split("#", 1)[0].strip()
            if command:
                script = ROOT / shlex.split(command)[0]
                assert script.is_file() and os.access(script, os.X_OK), command


def _commands(body: str) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:].split("  #", 1)[0].strip(), []))
        elif steps:
            steps[-1][1].append(line)
    return steps


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of what the documents' commands read and write, so the checkout stays clean."""
    where = tmp_path_factory.mktemp("docs")
    for folder in ("examples", "rulesets", "scripts"):
        shutil.copytree(ROOT / folder, where / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return where


def _run(command: str, cwd: Path, refused: bool = False) -> str:
    venv_bin = Path(sys.executable).parent
    words = shlex.split(command)
    if words[:1] == ["scripts/setup.sh"]:  # done already: the test runs inside that environment
        assert (ROOT / "scripts" / "setup.sh").is_file()
        return ""
    if words[:1] == ["source"]:  # activating the venv: its kpirules is first on the PATH here too
        assert (venv_bin / "activate").is_file() and words[1] == ".venv/bin/activate"
        return ""
    assert words[0] == "kpirules", command
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}", "COLUMNS": "120"}
    done = subprocess.run(words, cwd=cwd, capture_output=True, text=True, env=env, timeout=300, check=False)
    expected = (3,) if refused else (0, 1)  # a block showing "error:" shows a refusal
    assert done.returncode in expected, f"{command}: exit {done.returncode}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("block", [b for b in ALL if b[1] == "console"], ids=_id)
def test_console_blocks_run_and_print_what_they_show(block: tuple[str, str, str], workdir: Path) -> None:
    for command, shown in _commands(block[2]):
        out = _run(command, workdir, refused=any(line.startswith("error:") for line in shown))
        printed = {" ".join(line.split()) for line in out.splitlines()}
        for line in shown:
            expected = " ".join(line.split())
            if not expected or "…" in expected or re.search(r"\bin \d+\.\d+s$", expected):
                continue  # elided, or a timing
            assert expected in printed, f"{command}: {line!r} not in\n{out}"


@pytest.mark.slow
@pytest.mark.parametrize("doc", sorted({d for d, _, body in ALL if shown_file(body)}))
def test_worked_examples_pass_their_own_tests(doc: str, tmp_path: Path) -> None:
    files = example_files(doc)
    tests = [name for name in files if name.startswith("test_") and name.endswith(".py")]
    assert tests, f"{doc}: a worked example without tests runs nothing"
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    expected = sum(len(re.findall(r"^def test_", files[name], re.M)) for name in tests)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PYTHONPATH"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{doc}:\n{done.stdout}\n{done.stderr}"
    assert f"{expected} passed" in done.stdout, done.stdout
