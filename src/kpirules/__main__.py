"""``python -m kpirules``."""

from kpirules.cli import entry

entry()
