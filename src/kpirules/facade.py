"""The ruleset users get from :func:`kpirules.load`: the checked model plus ``evaluate``.

Interfaces §5: the object ``load`` returns keeps its ``evaluate`` method for
users, as a facade above the engine, while the language model itself
(:class:`kpirules.lang.model.Ruleset`) never imports the engine. This module
sits above both, so the arrows stay one-way: ``lang`` knows nothing of the
engine, and the engine takes any :class:`kpirules.lang.model.Ruleset`.
Library code calls :func:`kpirules.evaluate` and :func:`kpirules.whatif`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from kpirules.lang import model

if TYPE_CHECKING:
    from kpirules.engine.result import Result
    from kpirules.engine.scenarios import Scenario


@attrs.frozen
class Ruleset(model.Ruleset):
    """A checked rule file (every field of :class:`kpirules.lang.model.Ruleset`) that evaluates itself."""

    @classmethod
    def of(cls, checked: model.Ruleset) -> Ruleset:
        """``checked`` with the facade's methods (the same fields, shared, not copied)."""
        if isinstance(checked, cls):
            return checked
        return cls(**{str(f.alias): getattr(checked, f.name) for f in attrs.fields(model.Ruleset)})

    def evaluate(self, data: Any, **options: Any) -> Result:
        """Evaluate this ruleset on ``data``; the same as :func:`kpirules.evaluate`."""
        from kpirules.engine.evaluate import evaluate

        return evaluate(self, data, **options)

    def whatif(self, data: Any, edits: Any, *, where: dict[str, Any] | None = None,
               all_periods: bool = False, **options: Any) -> Scenario:
        """Evaluate ``data``, apply ``edits`` (``["spend*=1.2"]``) and compare; the same as
        :func:`kpirules.whatif`."""
        from kpirules.engine.scenarios import whatif

        return whatif(self, data, edits, where=where, all_periods=all_periods, **options)
