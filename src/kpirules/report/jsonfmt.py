"""The ``json`` format: the evaluation document itself (interfaces §3).

Readable by people (indented, accents kept as they are) and strictly valid
JSON for machines: NaN and infinities, which Python's ``json`` would write as
bare ``NaN``/``Infinity`` tokens that most parsers reject, become ``null``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from kpirules.report.base import RenderOptions


def clean(value: Any) -> Any:
    """A copy of ``value`` where every non-finite float is ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


def render_json(doc: dict[str, Any], options: RenderOptions) -> str:
    """The document as indented UTF-8 JSON text, ending with a newline."""
    # allow_nan=False proves the cleaning: a NaN left behind would raise here
    # rather than produce invalid JSON.
    return json.dumps(clean(doc), ensure_ascii=False, indent=2, allow_nan=False, default=str) + "\n"
