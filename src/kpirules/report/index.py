"""``reports/index.html``: one page linking every ruleset's latest report and the earlier ones.

``kpirules run`` writes it into the report folder after the reports
(``python -m kpirules.report.index DIR`` writes it for any folder, as the
demo does). It is built from the HTML reports themselves, which carry their
ruleset, title, as-of period and locale in ``<meta>`` tags, so it lists what
is really in the folder, whoever wrote it. Links are relative: the folder can
be moved, archived or served as it is.
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path
from typing import Any

from kpirules.report.i18n import Translator

INDEX_NAME = "index.html"
_META = re.compile(r'<meta name="kpirules-([a-z-]+)" content="([^"]*)">')
#: Bytes read from each report to find its meta tags (they are in <head>).
HEAD_BYTES = 4096


def report_facts(path: Path) -> dict[str, str] | None:
    """The ruleset, title, as-of period and locale of a kpirules HTML report, or ``None``."""
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError:
        return None
    facts = {key: html.unescape(value) for key, value in _META.findall(head)}
    return facts if "ruleset" in facts else None


def collect(directory: Path) -> list[dict[str, Any]]:
    """Rulesets found in ``directory``, each with its reports, the latest (as-of, then time) first."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.html")):
        if path.name == INDEX_NAME:
            continue
        facts = report_facts(path)
        if facts is None:
            continue
        found.setdefault(facts["ruleset"], []).append(
            {**facts, "href": path.name, "mtime": path.stat().st_mtime})
    rulesets = []
    for name in sorted(found):
        reports = sorted(found[name], key=lambda r: (r.get("as-of", ""), r["mtime"]), reverse=True)
        rulesets.append({"name": name, "title": reports[0].get("title") or name,
                         "latest": reports[0], "previous": reports[1:]})
    return rulesets


def render_index(rulesets: list[dict[str, Any]], locale: str = "en") -> str:
    """The index page (self-contained HTML)."""
    from kpirules.report.html import render_template

    return render_template("index.html.j2", {"tr": Translator(locale), "lang": locale,
                                             "rulesets": rulesets})


def write_index(directory: Path) -> Path:
    """Write ``directory/index.html`` (atomically) and return its path.

    The page is in the language most of the reports use.
    """
    rulesets = collect(directory)
    locales = [r["latest"].get("locale", "en") for r in rulesets]
    locale = max(set(locales), key=locales.count) if locales else "en"
    target = directory / INDEX_NAME
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(render_index(rulesets, locale), encoding="utf-8")
    os.replace(tmp, target)
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m kpirules.report.index DIR``: write DIR/index.html."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("usage: python -m kpirules.report.index DIR (an existing folder of reports)",
              file=sys.stderr)
        return 2
    print(f"wrote {write_index(Path(args[0]))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
