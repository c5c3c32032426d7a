"""The names of the engine's own columns in its frames, declared once.

Every frame the engine builds (the levels frame of :mod:`kpirules.engine.normalise`,
the evaluated frame a :class:`~kpirules.engine.result.Result` holds) carries,
beside the data's dimensions, metrics and the computed KPIs and decisions,
columns of its own. Their names start with ``__`` (which a rule file may not
use: the checker says so) or hold a backtick (which no name may hold), so they
never collide with a name of the ruleset. Import them from here; writing one
anywhere else is a bug waiting for a rename.
"""

from __future__ import annotations

P = "__p"  # the period's index at the ruleset's grain (lang.periods)
SEG = "__seg"  # the segment's number: 0 is the overall row of its period
OVERALL = "__overall"  # whether the row is a rolled-up level (the overall row or a partial rollup)
YEAR = "__year"  # the period's year, for ytd()
T = "__t"  # a data row's timestamp index, before rows become levels
ROW = "__row"  # a data row's position in its table, to locate a bad cell
INDEX = "__index"  # a row's position in the evaluated frame (explain)


def status_col(name: str) -> str:
    """The status its thresholds give ``name`` (``ok``, ``warning``, ``critical``, ``no_data``)."""
    return f"{name}`status"


def rule_col(name: str) -> str:
    """Whether rule ``name`` fires on the row."""
    return f"rule`{name}"


def new_col(name: str) -> str:
    """Whether rule ``name`` starts firing on the row (it did not the period before)."""
    return rule_col(name) + "`new"


def age_col(name: str) -> str:
    """Periods since the start of rule ``name``'s current streak (0 in its first period; null when it does not fire)."""
    return rule_col(name) + "`age"


def resolved_col(name: str) -> str:
    """Whether rule ``name`` stops firing on the row (it fired the period before)."""
    return rule_col(name) + "`resolved"


# The columns of the flat outputs (``Result.to_polars()``, CSV): the JSON document's
# ``status``, ``decisions`` and ``rules`` objects, flattened as ``OBJECT.NAME``.


def status_output(name: str) -> str:
    return f"status.{name}"


def decision_output(name: str) -> str:
    return f"decision.{name}"


def rule_output(name: str) -> str:
    return f"rule.{name}"
