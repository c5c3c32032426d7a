"""Local servers for the action tests: the ones plugin authors get from kpirules.testing.

Shared by tests/plugins and tests/job;
kept under the names these tests have always used.
"""

from __future__ import annotations

from kpirules.testing.servers import HttpReceiver as Receiver
from kpirules.testing.servers import Mailbox, free_port
from kpirules.testing.servers import http_receiver as receiver
from kpirules.testing.servers import smtp_mailbox as smtp_server

__all__ = ["Mailbox", "Receiver", "free_port", "receiver", "smtp_server"]
