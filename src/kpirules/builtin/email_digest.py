"""The e-mail of a digest: every firing of a run in one readable message.

A plain-text part (one line per firing, for any mail reader) and an HTML part
(a table: what happened, rule, segment, period, message; then a link to each
report of the run). Every value is escaped: a rule's text or a dimension value
never becomes markup.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from kpirules.engine.segment import Segment
from kpirules.plugin_api import Digest, str_list

EVENT_LABELS = {"fire": "new", "renotify": "still firing", "resolve": "resolved"}
SEVERITY_COLOURS = {"critical": "#b00020", "warning": "#b26a00", "info": "#35618f"}


def report_link(path: str) -> str:
    """A report's path as a link a mail reader can open (``file://`` for a local file)."""
    return path if "://" in path else Path(path).resolve().as_uri()


def digest_message(digest: Digest, settings: Mapping[str, Any]) -> EmailMessage:
    """The message of ``digest``: subject, addresses, plain-text and HTML parts."""
    msg = EmailMessage()
    msg["Subject"] = " ".join(digest.subject.split())  # never a header line break
    msg["From"] = str(settings["from"])
    msg["To"] = ", ".join(str_list(settings, "to"))
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="kpirules")
    links = [report_link(p) for p in digest.reports]
    plain = digest.text + ("\n\nReports:\n" + "\n".join(links) if links else "")
    msg.set_content(plain + "\n")
    msg.add_alternative(_html(digest, links), subtype="html")
    return msg


def _html(digest: Digest, links: list[str]) -> str:
    esc = html.escape
    rows = []
    for firing, line in zip(digest.firings, digest.lines, strict=True):
        segment = Segment.of(firing.segment).assignments(", ")
        colour = SEVERITY_COLOURS.get(firing.severity, "#333333")
        rows.append(
            "<tr>"
            f'<td style="color:{colour};font-weight:bold">{esc(firing.severity)}</td>'
            f"<td>{esc(EVENT_LABELS.get(firing.event, firing.event))}</td>"
            f"<td>{esc(firing.ruleset)} / {esc(firing.title or firing.rule)}</td>"
            f"<td>{esc(segment)}</td><td>{esc(firing.period)}</td>"
            f"<td>{esc(line)}</td></tr>")
    reports = "".join(f'<li><a href="{esc(link, quote=True)}">{esc(link)}</a></li>' for link in links)
    cell = 'style="text-align:left;border-bottom:1px solid #ccc;padding:4px"'
    return (
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">"
        f"<h2>{esc(digest.subject)}</h2>"
        f"<p>{digest.count} alert(s) in this run.</p>"
        "<table style=\"border-collapse:collapse\"><thead><tr>"
        + "".join(f"<th {cell}>{h}</th>" for h in
                  ("Severity", "Event", "Rule", "Segment", "Period", "Message"))
        + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        + (f"<p>Reports:</p><ul>{reports}</ul>" if reports else "")
        + "</body></html>\n")
