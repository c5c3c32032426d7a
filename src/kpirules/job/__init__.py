"""The automated job behind ``kpirules run``.

One run: load the configuration, the plugins and the rulesets, and check that
everything a rule names exists (:mod:`.plan`: a rule calling an action that
no plugin and no configuration provides stops the run before anything is
read: exit 2); then read every source through its connector for every
ruleset (:mod:`.sources`: a metric that two sources supply is a
configuration mistake: exit 2 before anything is evaluated, recorded or
sent); for each ruleset, evaluate (:mod:`.evaluation`: data warnings go to
standard error, prefixed with the ruleset and the source) and record in the
state store which rules start firing (their action calls go to the outbox)
and which are resolved; then deliver the outbox (:mod:`.firings`: new
firings, and failed deliveries of earlier runs); write the reports
(:mod:`.reports`); record the run (:mod:`.runner`). The exit code follows
interfaces §2: 0, 1 for an as-of outcome at or above ``fail_on``, 2 for
invalid input, 3 when a source, an action or a report failed (the rest of
the run still happens: other rulesets are evaluated, other actions
delivered, and failed deliveries wait for the next run).

Nothing here prints a secret: every message leaving the job goes through
:class:`~kpirules.job.model.Voice`, which redacts the configuration's secrets.
The points where a test may kill or pause a run are in :mod:`.faults`; what
kills is in the test kit, not here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kpirules.job.evaluation import name_source
    from kpirules.job.firings import current_firings
    from kpirules.job.model import ResolvedAction, RulesetRun, RunOptions, RunReport
    from kpirules.job.plan import parse_param
    from kpirules.job.reports import as_of_document, document, summary_lines
    from kpirules.job.runner import Job, run_job
    from kpirules.job.sources import supplied_metrics

#: Where each public name lives: imported when first used, so that a command
#: needing one step (``eval`` reads its ``--data`` through :mod:`.data_arguments`)
#: does not import the whole job (the state store, the outbox, every step).
_HOMES = {
    "name_source": "evaluation", "current_firings": "firings", "ResolvedAction": "model",
    "RulesetRun": "model", "RunOptions": "model", "RunReport": "model", "parse_param": "plan",
    "as_of_document": "reports", "document": "reports", "summary_lines": "reports",
    "Job": "runner", "run_job": "runner", "supplied_metrics": "sources",
}


def __getattr__(name: str) -> Any:
    """A public name of the job, imported from its module at first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = [
    "Job",
    "ResolvedAction",
    "RulesetRun",
    "RunOptions",
    "RunReport",
    "as_of_document",
    "current_firings",
    "document",
    "name_source",
    "parse_param",
    "run_job",
    "summary_lines",
    "supplied_metrics",
]
