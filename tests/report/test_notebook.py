"""A ``Result`` in a notebook: short repr, HTML table, pandas, consistent column names.

Also runs every Python block of docs/notebook.md, in order, from the
repository's root, so that the page cannot drift from the code.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest

import kpirules
from kpirules.report import BUILTIN_FORMATS, RenderOptions

REPO = Path(__file__).resolve().parents[2]
RULES = """\
ruleset shop "Boutique"
  locale fr
dimension channel "Canal"
metric visits unit count
metric sales unit EUR
kpi per_visit = sales / visits unit EUR better higher label "Ventes par visite"
threshold per_visit
  critical < 1
decision verdict "Verdict"
  "garder" when per_visit >= 1
  "arrêter" otherwise
rule low when per_visit is critical then log(text="{channel} : {per_visit}")
"""


@pytest.fixture
def result() -> Any:
    rows = [{"period": f"2026-0{m}", "channel": c, "visits": 1000 + 10 * i * m,
             "sales": 1500.0 * i} for m in (1, 2, 3) for i, c in enumerate(["seo", "sea", "mail"])]
    return kpirules.loads(RULES).evaluate(rows, history=True)


def test_the_repr_is_one_short_line(result: Any) -> None:
    text = repr(result)
    assert "\n" not in text and len(text) < 200
    assert text.startswith("<Result shop as of 2026-03: 12 rows, 3 periods, 1 dimension")
    assert "critical" in text and "rule firing" in text


def test_the_html_repr_is_the_status_table_in_the_ruleset_language(result: Any) -> None:
    html = result._repr_html_()
    assert html.count("<table") == 1 and "<script" not in html
    assert "Canal" in html and "Ventes par visite" in html and "Verdict" in html
    assert "(ensemble)" in html and "arrêter" in html
    assert re.search(r"\d,\d\d\u00a0€", html)  # French numbers


@pytest.mark.slow
def test_polars_pandas_and_csv_have_the_same_columns(result: Any) -> None:
    frame = result.to_polars()
    header = next(csv.reader(io.StringIO(
        BUILTIN_FORMATS["csv"].render(result.to_dict(), RenderOptions()))))
    assert frame.columns == header
    assert "status.per_visit" in frame.columns and "decision.verdict" in frame.columns
    assert "rule.low" in frame.columns
    assert not any("`" in name for name in frame.columns)
    table = result.to_pandas()
    assert list(table.columns) == frame.columns and len(table) == frame.height


def python_blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


def test_the_notebook_page_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = python_blocks(REPO / "docs" / "notebook.md")
    assert len(blocks) >= 4
    monkeypatch.chdir(REPO)
    namespace: dict[str, Any] = {}
    for block in blocks:
        exec(compile(block, "docs/notebook.md", "exec"), namespace)  # the page's own code
    assert os.getcwd() == str(REPO)
