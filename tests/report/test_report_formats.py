"""The format registry: names, contract, and a cheap import."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import attrs
import pytest

from kpirules.report import BUILTIN_FORMATS, OutputFormat, RenderOptions

#: The text formats (pdf writes a file through Chromium: tests/report/test_report_pdf.py).
ALL_FORMATS = sorted(n for n, f in BUILTIN_FORMATS.items() if f.write_file is None)


def test_builtin_formats_are_the_documented_ones() -> None:
    assert set(BUILTIN_FORMATS) == {"json", "jsonl", "table", "csv", "csv-fr", "markdown", "html",
                                    "pdf"}
    for name, fmt in BUILTIN_FORMATS.items():
        assert isinstance(fmt, OutputFormat)
        assert fmt.name == name
        assert fmt.description
        assert fmt.extension and not fmt.extension.startswith(".")
    assert {n: f.extension for n, f in BUILTIN_FORMATS.items()} == {
        "json": "json",
        "jsonl": "jsonl",
        "table": "txt",
        "csv": "csv",
        "csv-fr": "csv",
        "markdown": "md",
        "html": "html",
        "pdf": "pdf",
    }


def test_only_html_and_pdf_ask_for_history() -> None:
    assert [n for n, f in BUILTIN_FORMATS.items() if f.needs_history] == ["html", "pdf"]


def test_formats_and_options_are_immutable() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        BUILTIN_FORMATS["json"].name = "other"  # type: ignore[misc]
    options = RenderOptions()
    assert (options.color, options.width, options.title, options.generated_at) == (
        False,
        None,
        None,
        None,
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        options.color = True  # type: ignore[misc]


@pytest.mark.parametrize("name", ALL_FORMATS)
@pytest.mark.parametrize("fixture", ["doc", "history_doc", "core_doc"])
def test_every_format_renders_every_sample(
    name: str, fixture: str, request: pytest.FixtureRequest
) -> None:
    doc: dict[str, Any] = request.getfixturevalue(fixture)
    out = BUILTIN_FORMATS[name].render(doc, RenderOptions())
    assert isinstance(out, str)
    assert "paid" in out  # a segment of every sample
    assert "NaN" not in out


@pytest.mark.parametrize("name", ALL_FORMATS)
def test_formats_do_not_modify_the_document(name: str, history_doc: dict[str, Any]) -> None:
    import copy

    before = copy.deepcopy(history_doc)
    BUILTIN_FORMATS[name].render(history_doc, RenderOptions(color=True))
    assert history_doc == before


@pytest.mark.parametrize("name", ALL_FORMATS)
def test_an_empty_evaluation_renders(name: str) -> None:
    doc = {
        "kpirules": 1,
        "ruleset": "empty",
        "grain": "month",
        "as_of": None,
        "dimensions": [],
        "rows": [],
        "objectives": [],
        "actions": [],
    }
    assert isinstance(BUILTIN_FORMATS[name].render(doc, RenderOptions()), str)


def test_importing_the_package_loads_no_heavy_library() -> None:
    # Start-up time of every command depends on it; compare with what
    # `import kpirules` itself already loads, which is not this package's call.
    code = (
        "import sys, kpirules\n"
        "before = set(sys.modules)\n"
        "import kpirules.report\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(sorted(new & {'polars', 'babel', 'jinja2', 'rich', 'numpy', 'markupsafe'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
