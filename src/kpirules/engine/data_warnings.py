"""What the engine noticed in the data without refusing it: structured, not parsed back.

A warning carries a ``code`` (what kind of thing was noticed), its
``message`` and its ``place``: the table it is about (the name its connector
gives it, ``data/funnel.csv`` or ``source "crm"``), or None when it is about
the data as a whole. ``str(warning)`` is the line users read (``PLACE:
MESSAGE``); the job names the table by its ``[sources.NAME]`` from ``place``
and tells a metric no column supplies by its ``code``, never by reading the
text back.
"""

from __future__ import annotations

from attrs import frozen

from kpirules.errors import KEYWORDS, Phrase, Wording, worded

#: Numeric columns that are neither metrics nor declared dimensions.
IGNORED_NUMBERS = "ignored-numeric-columns"
#: Columns with too many distinct values to be dimensions.
IDENTIFIERS = "identifier-columns"
#: A table without a column of the breakdown: its metrics cannot be split by it.
UNSPLIT = "unsplit-metrics"
#: A metric of the ruleset that no column supplies.
UNSUPPLIED_METRIC = "unsupplied-metric"
#: A dimension of the ruleset that no column supplies.
UNSUPPLIED_DIMENSION = "unsupplied-dimension"


@frozen
class DataWarning:
    """One data warning: ``code``, ``message`` and the table it is about (``place``)."""

    code: str
    message: str | Phrase  # a Phrase when it names an option to set (see kpirules.errors.OptionHint)
    place: str | None = None
    subject: str | None = None  # the metric or dimension it is about, when one

    def worded(self, wording: Wording = KEYWORDS, place: bool = True) -> str:
        """The line with its options said by ``wording`` (the command line's flags, the job's
        settings); ``place``: led by the table it is about."""
        text = worded(self.message, wording)
        return f"{self.place}: {text}" if place and self.place is not None else text

    def __str__(self) -> str:
        return self.worded()
