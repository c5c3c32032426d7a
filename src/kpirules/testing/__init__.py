"""kpirules.testing: the kit for testing a kpirules plugin with pytest.

Installed with kpirules, it registers itself as a pytest plugin (entry point
``pytest11``), so a plugin package's tests get these fixtures without any
``conftest.py``:

``kpirules_registry``
    ``kpirules_registry("my_plugin")`` → the registry with the built-ins and
    the plugin module under test (installed plugins left out, so that the
    tests see only what they test). Plugin failures raise (``strict``).
``kpirules_eval``
    ``kpirules_eval(RULES, rows, plugins=["my_plugin"], by=…, period=…)`` →
    the :class:`~kpirules.engine.result.Result` of evaluating rule text with
    the plugin's functions.
``kpirules_cli``
    ``kpirules_cli("eval", "rules.kpi", "--data", "x.csv")`` → ``CliResult``
    (``code``, ``out``, ``err``), in-process, as a user would run it.
``kpirules_job``
    a :class:`JobProject` in a temporary folder: ``write(name, text)``, then
    ``run()`` → ``CliResult`` plus ``deliveries()`` and ``runs()`` from the
    state store.
``kpirules_http`` / ``kpirules_smtp``
    real local servers recording what a webhook or e-mail action sends
    (``kpirules_http.url()``, ``.delivered``; ``kpirules_smtp.host``,
    ``.port``, ``.messages``).

And plain helpers: :func:`make_firing`, :func:`source_context`,
:func:`assert_cheap_import` (importing the plugin must not load Polars or
other heavy libraries: every ``kpirules check`` pays for it).
docs/plugins.md shows a worked example.
"""

from __future__ import annotations

from kpirules.testing.helpers import (
    CliResult,
    JobProject,
    assert_cheap_import,
    make_firing,
    source_context,
)
from kpirules.testing.servers import HttpReceiver, Mailbox, free_port, http_receiver, smtp_mailbox

__all__ = [
    "CliResult",
    "HttpReceiver",
    "JobProject",
    "Mailbox",
    "assert_cheap_import",
    "free_port",
    "http_receiver",
    "make_firing",
    "smtp_mailbox",
    "source_context",
]
