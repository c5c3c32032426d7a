"""Optional parts of kpirules, installed as extras (``pip install "kpirules[sql]"``).

Evaluating a data file needs Polars and the language, nothing more; the
``sql`` connector needs SQLAlchemy, which a plain install leaves out (it is
most of a database toolkit, and most users read files). A command that
reaches such a part without its extra says which extra to install, instead of
failing on an import deep inside.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from kpirules.errors import ExitCode, KpirulesError


class MissingExtra(KpirulesError):
    """A part of kpirules whose optional dependencies are not installed (exit 2)."""

    exit_code = ExitCode.INVALID_INPUT


def require(module: str, extra: str, what: str) -> ModuleType:
    """``module`` imported, or :class:`MissingExtra` naming the extra that installs it.

    ``what`` names the part that needs it, as the user wrote it ("the sql connector").
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(f'{what} needs {module}, which is not installed: '
                           f'install kpirules[{extra}] (pip install "kpirules[{extra}]")') from None
