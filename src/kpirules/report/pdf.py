"""The ``pdf`` format: the HTML report printed by headless Chromium.

The HTML report is made to print (its monthly review fills the first page),
so the PDF is that page as Chromium prints it: the same words, numbers and
charts, A4, no header or footer added by the browser. Chromium is a system
program, not a Python package: it is found as ``chromium`` (Debian),
``chromium-browser`` or ``google-chrome`` on the ``PATH``, or named by
``KPIRULES_CHROMIUM``; without it the format fails with a clear data/runtime
error (exit 3), never a traceback. The report holds no script and loads
nothing, so printing it runs nothing and fetches nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpirules.errors import DataError, UsageError
from kpirules.report.base import RenderOptions
from kpirules.report.html import render_html, render_html_result

if TYPE_CHECKING:
    from kpirules.engine.result import Result

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: Seconds Chromium may take to print one report.
TIMEOUT = 120


def find_chromium() -> str:
    """The browser to print with, or a DataError saying how to get one."""
    named = os.environ.get("KPIRULES_CHROMIUM")
    if named:
        if shutil.which(named):
            return str(shutil.which(named))
        raise DataError(f"KPIRULES_CHROMIUM={named}: no such program")
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise DataError("the pdf format prints the HTML report with Chromium, which is not installed "
                    "(apt-get install chromium, or set KPIRULES_CHROMIUM to its path)")


def write_pdf(doc: dict[str, Any], options: RenderOptions, target: Path) -> None:
    """Print the document's HTML report to the PDF file ``target``."""
    print_page(render_html(doc, options), target)


def write_pdf_result(result: Result, doc: dict[str, Any], options: RenderOptions, target: Path) -> None:
    """Print the HTML report of a typed result (``eval``, ``run``; ``doc``: its document, with
    what the command or the job added) to the PDF file ``target``."""
    print_page(render_html_result(result, doc, options), target)


def print_page(html: str, target: Path) -> None:
    """Print the HTML page ``html`` to the PDF file ``target`` with Chromium."""
    browser = find_chromium()
    with tempfile.TemporaryDirectory(prefix="kpirules-pdf-") as work:
        page = Path(work) / "report.html"
        page.write_text(html, encoding="utf-8")
        pdf = Path(work) / "report.pdf"
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update",
                   "--no-pdf-header-footer", f"--user-data-dir={Path(work) / 'profile'}",
                   f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DataError(f"pdf: Chromium could not print the report ({exc})") from None
        if not pdf.is_file() or not pdf.read_bytes()[:5] == b"%PDF-":
            raise DataError("pdf: Chromium did not print the report")
        shutil.copyfile(pdf, target)


def render_pdf(doc: dict[str, Any], options: RenderOptions) -> str:
    """A PDF is not text: callers write it to a file (``-o PATH``) through ``write_file``."""
    raise UsageError("--format pdf writes a file: give -o PATH")
