"""Comparing expected and actual values, and showing them in messages.

Numbers compare with a relative tolerance (1e-9 unless the test says
otherwise) so that ``0.1 + 0.2`` equals ``0.3``; an absolute slack of 1e-12
lets an expected ``0`` match a rounding residue such as ``5.6e-17``, which no
relative tolerance can. ``None`` stands for ``null`` and equals only itself.
"""

from __future__ import annotations

import math
from typing import Any

ABS_TOLERANCE = 1e-12


def is_number(value: Any) -> bool:
    """True for ints and floats, not for booleans."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def same(expected: Any, actual: Any, tolerance: float) -> bool:
    """Whether ``actual`` meets ``expected`` (numbers within tolerance, else equality)."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if is_number(expected) and is_number(actual):
        if math.isnan(actual):
            return False
        return math.isclose(float(expected), float(actual), rel_tol=tolerance,
                            abs_tol=ABS_TOLERANCE)
    if is_number(expected) != is_number(actual):
        return False
    return bool(expected == actual)


def show(value: Any) -> str:
    """A value as written in a test file: ``null``, ``10000``, ``0.25``, ``"stop"``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {show(v)}" for k, v in value.items()) + " }"
    return repr(value)
