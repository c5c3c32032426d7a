"""Properties of the safety helpers, over any text (docs/security.md).

Whatever a ruleset name or a period holds, the report file lands directly
in the report folder; whatever a secret holds, none of the usual quotings
of it survives redaction; whatever a value holds, a message shows it on one
line.
"""

from __future__ import annotations

import json
import tempfile
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpirules.display import one_line, shown
from kpirules.redaction import redact
from kpirules.safe_paths import MAX_NAME_BYTES, inside, report_file_name

pytestmark = pytest.mark.slow  # left out of the quick loop: pytest -m "not slow"

NASTY = st.text(alphabet=st.sampled_from(list("ab./\\\x00\n\r\t :é\u202e~$")) | st.characters(),
                max_size=300)
FOLDER = Path(tempfile.gettempdir()) / "kpirules-reports-property"  # need not exist


@settings(max_examples=300, deadline=None)
@given(ruleset=NASTY, as_of=NASTY)
def test_a_report_lands_directly_in_its_folder(ruleset: str, as_of: str) -> None:
    name = report_file_name("{ruleset}-{as_of}", ruleset, as_of, "json")
    target = inside(FOLDER, name)
    assert target.parent == FOLDER.resolve()
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES + len(".json")


SECRETS = st.text(min_size=8, max_size=60).filter(lambda s: all(
    len(line.strip()) >= 8 for line in s.splitlines() if line.strip()) and s.strip())


@settings(max_examples=300, deadline=None)
@given(secret=SECRETS)
def test_no_usual_quoting_of_a_secret_survives(secret: str) -> None:
    forms = [secret, repr(secret), ascii(secret), repr(secret.encode("utf-8", "surrogatepass")),
             json.dumps(secret), urllib.parse.quote(secret, safe=""),
             urllib.parse.quote_plus(secret)]
    for form in forms:
        shown_text = redact(f"error: {form} failed", [secret])
        for line in secret.splitlines():
            if line.strip():
                assert line.strip() not in shown_text, (form, shown_text)


@settings(max_examples=300, deadline=None)
@given(value=NASTY)
def test_a_shown_value_is_one_short_line(value: str) -> None:
    text = shown(value)
    assert len(text.splitlines()) == 1 and "\x1b" not in text and "\u202e" not in text
    assert len(text) < 80 * 10 + 40
    assert one_line(value, " ").count("\n") == 0
