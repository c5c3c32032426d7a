"""The fast path's generated tables, and the cache of Lark's own parser.

Valid files are parsed from tables generated from the grammar
(:mod:`kpirules.lang.parse_tables`), without importing Lark: the module must
be regenerated whenever the grammar changes, and these tests say when it was
not. Lark's parser, for files with errors, may be cached between runs: Lark
caches it as a pickle, so the cache must be a place only the user can write.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kpirules.lang import grammar, parse_tables
from kpirules.lang.table_gen import grammar_digest, module_text

REGENERATE = "python -m kpirules.lang.table_gen"


def test_the_tables_were_generated_from_the_current_grammar() -> None:
    assert grammar_digest(grammar.grammar_text()) == parse_tables.GRAMMAR_SHA256, \
        f"the grammar changed: run {REGENERATE}"


def test_the_tables_module_is_exactly_what_the_generator_writes() -> None:
    shipped = Path(parse_tables.__file__).read_text(encoding="utf-8")
    assert shipped == module_text(), f"kpirules/lang/parse_tables.py is stale: run {REGENERATE}"


def test_the_generated_tables_do_not_depend_on_string_hashing() -> None:
    """Lark numbers its states differently from one interpreter to the next: the generator must not."""
    code = "from kpirules.lang.table_gen import module_text; import sys; sys.stdout.write(module_text())"
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outputs) == 1


def test_a_valid_file_is_parsed_without_importing_lark() -> None:
    code = ("import sys\n"
            "from kpirules.lang.loader import check_text\n"
            "ruleset, diagnostics = check_text('ruleset r\\nmetric m\\nkpi k = m * 2 unit percent\\n')\n"
            "assert ruleset is not None and not diagnostics, diagnostics\n"
            "print(sorted(m for m in sys.modules if m == 'lark' or m.startswith('lark.')))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_file_with_an_error_is_still_explained_by_lark() -> None:
    code = ("import sys\n"
            "from kpirules.lang.loader import check_text\n"
            "_, diagnostics = check_text('ruleset r\\nmetric m\\nkpi k = m *\\n')\n"
            "print([d.code for d in diagnostics], 'lark' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['syntax'] True"


# ── the cache of Lark's parser ──

posix_only = pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners are POSIX")


@posix_only
def test_lark_never_caches_its_parser_in_the_shared_temporary_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lark's default cache is a pickle in /tmp, which any local user can plant for others to load."""
    import tempfile

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = grammar.cache_path()
    assert isinstance(path, str)
    assert not path.startswith(tempfile.gettempdir() + os.sep + ".lark")
    assert Path(path).parent == tmp_path / "cache" / "kpirules"
    assert Path(path).parent.stat().st_mode & 0o777 == 0o700


@posix_only
def test_the_cache_is_written_and_read_back_in_the_private_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    grammar.parser.cache_clear()
    try:
        grammar.parser()
        path = Path(str(grammar.cache_path()))
        assert path.is_file()
        grammar.parser.cache_clear()
        assert grammar.parser().parse("ruleset r\n")  # loaded from the file
    finally:
        grammar.parser.cache_clear()


@posix_only
@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_cache_folder_others_can_write_to_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int) -> None:
    folder = tmp_path / "cache" / "kpirules"
    folder.mkdir(parents=True)
    folder.chmod(mode)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert grammar.cache_path() is False


@posix_only
def test_a_cache_folder_in_a_folder_others_can_write_to_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    assert grammar.cache_path() is False


@posix_only
def test_a_cache_folder_of_another_user_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert grammar.cache_path()  # this user's: used
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)
    assert grammar.cache_path() is False


@posix_only
def test_a_cache_folder_that_is_a_link_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "kpirules").symlink_to(elsewhere)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert grammar.cache_path() is False


@posix_only
def test_a_planted_cache_file_others_can_write_to_is_not_loaded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = Path(str(grammar.cache_path()))
    path.write_bytes(b"planted")
    path.chmod(0o666)
    assert grammar.cache_path() is False


@posix_only
def test_a_relative_cache_home_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Path(str(grammar.cache_path())).parent == tmp_path / ".cache" / "kpirules"


@posix_only
def test_no_cache_where_the_folder_cannot_be_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file" / "cache"))
    assert grammar.cache_path() is False
