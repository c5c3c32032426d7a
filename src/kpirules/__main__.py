"""``python -m kpirules``."""

from kpirules.launcher import entry

entry()
