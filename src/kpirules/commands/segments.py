"""``--where DIM=VALUE``: the segment a command looks at (explain, why, whatif)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kpirules.errors import OptionError, UsageError


def parse_where(items: Sequence[str]) -> dict[str, str]:
    """``["channel=paid", "country=FR"]`` → ``{"channel": "paid", "country": "FR"}``."""
    segment: dict[str, str] = {}
    for item in items:
        dim, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--where {item}: write DIM=VALUE")
        if dim.strip() in segment:
            raise UsageError(f"--where {item}: {dim.strip()} is given twice")
        segment[dim.strip()] = value.strip()
    return segment


def evaluate_for_segment(evaluate: Callable[[dict[str, Any]], Any], opts: dict[str, Any],
                         segment: dict[str, str]) -> Any:
    """Evaluate with the breakdown ``--where`` implies (its dimensions) unless ``--by`` was given.

    A dimension of ``--where`` that the data lacks is reported as a ``--where``
    mistake, not as the ``--by`` the user never wrote.
    """
    by = opts.get("by")
    if by is None and segment:
        opts["by"] = ",".join(segment)
    try:
        result = evaluate(opts)
    except OptionError as err:
        if by is None and segment and err.option == "by":  # the breakdown came from --where
            raise UsageError(f"--where: {err.reason}") from None
        raise
    missing = [d for d in segment if d not in result.dimensions]
    if missing:
        raise UsageError(f"--where: no dimension {', '.join(missing)} in the data")
    return result
