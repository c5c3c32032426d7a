"""The ranks of rule severities and threshold statuses (language §8 and §10), declared once.

A rule's severity is ``info``, ``warning`` or ``critical``; a threshold's
status is ``ok``, ``warning`` or ``critical`` (``no_data`` and ``skipped``
judge nothing, so they have no rank). ``--fail-on`` and ``fail_on`` compare
with these ranks.
"""

from __future__ import annotations

#: A rule's severities, lowest first.
SEVERITIES = ("info", "warning", "critical")
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}

#: The statuses a threshold judges, best first.
JUDGED_STATUSES = ("ok", "warning", "critical")
STATUS_RANK = {status: rank for rank, status in enumerate(JUDGED_STATUSES)}

#: ``--fail-on`` → the lowest rank that fails (``never``: none does).
FAIL_ON = {"never": len(SEVERITIES) + 1, "warning": SEVERITY_RANK["warning"],
           "critical": SEVERITY_RANK["critical"]}
