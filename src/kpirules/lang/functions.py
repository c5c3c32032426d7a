"""The function registry: what the checker accepts and the engine compiles.

Core functions are compiled by the engine itself (windows, ``overall``…);
functions added by plugins carry a ``build`` callable that turns the Polars
expressions of their arguments into one Polars expression, working on whole
columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from attrs import frozen


@frozen
class FunctionSpec:
    """One function of the language.

    ``params`` names the parameters in order (for keyword calls such as
    ``round(x, digits=2)``); ``min_args``/``max_args`` bound the count
    (``max_args=None``: variadic). ``period_args`` are the positions that take a
    whole number of periods ≥ 1, written as a constant. ``build`` (plugins)
    receives the argument expressions as Polars expressions and returns one.

    ``arg_kinds`` gives the kind of each parameter (the last one repeats for a
    variadic function) and ``returns`` the kind of the value, for the checker
    (:mod:`kpirules.lang.types`): ``number``, ``string``, ``boolean``, ``any``
    (anything), ``same`` (the arguments marked ``same`` share one kind, and
    ``returns="same"`` gives that kind), ``digits`` (a constant whole number)
    or ``periods`` (checked through ``period_args``). Left empty, the arguments
    are not checked and the value's kind is ``unknown``: nothing is said about it.
    """

    name: str
    params: tuple[str, ...]
    min_args: int
    max_args: int | None
    period_args: tuple[int, ...] = ()
    doc: str = ""
    build: Callable[..., Any] | None = None
    plugin: str = "kpirules"
    arg_kinds: tuple[str, ...] = ()
    returns: str = "unknown"


def _core(name: str, params: tuple[str, ...], min_args: int, max_args: int | None,
          doc: str, period_args: tuple[int, ...] = (), *, kinds: tuple[str, ...],
          returns: str) -> FunctionSpec:
    return FunctionSpec(name, params, min_args, max_args, period_args, doc,
                        arg_kinds=kinds, returns=returns)


_NUM = ("number",)
_WINDOW = ("number", "periods")


CORE_FUNCTIONS: dict[str, FunctionSpec] = {
    f.name: f
    for f in [
        _core("previous", ("x", "n"), 1, 2, "x for the same segment n periods earlier", (1,),
              kinds=("same", "periods"), returns="same"),
        _core("change", ("x", "n"), 1, 2, "x - previous(x, n)", (1,), kinds=_WINDOW, returns="number"),
        _core("growth", ("x", "n"), 1, 2, "x / previous(x, n) - 1", (1,), kinds=_WINDOW, returns="number"),
        _core("rolling_sum", ("x", "n"), 2, 2, "sum over the last n periods", (1,),
              kinds=_WINDOW, returns="number"),
        _core("rolling_avg", ("x", "n"), 2, 2, "mean over the last n periods", (1,),
              kinds=_WINDOW, returns="number"),
        _core("rolling_min", ("x", "n"), 2, 2, "smallest over the last n periods", (1,),
              kinds=_WINDOW, returns="number"),
        _core("rolling_max", ("x", "n"), 2, 2, "largest over the last n periods", (1,),
              kinds=_WINDOW, returns="number"),
        _core("ytd", ("x",), 1, 1, "sum from the first period of the year up to this one",
              kinds=_NUM, returns="number"),
        _core("overall", ("x",), 1, 1, "x computed for all segments together", kinds=("same",), returns="same"),
        _core("share", ("x",), 1, 1, "x / overall(x)", kinds=_NUM, returns="number"),
        _core("abs", ("x",), 1, 1, "absolute value", kinds=_NUM, returns="number"),
        _core("round", ("x", "digits"), 1, 2, "rounded, halves away from zero",
              kinds=("number", "digits"), returns="number"),
        _core("sqrt", ("x",), 1, 1, "square root (null below zero)", kinds=_NUM, returns="number"),
        _core("ln", ("x",), 1, 1, "natural logarithm (null at or below zero)", kinds=_NUM, returns="number"),
        _core("exp", ("x",), 1, 1, "e to the power x", kinds=_NUM, returns="number"),
        _core("min", ("a",), 1, None, "smallest non-null argument", kinds=("same",), returns="same"),
        _core("max", ("a",), 1, None, "largest non-null argument", kinds=("same",), returns="same"),
        _core("clamp", ("x", "lo", "hi"), 3, 3, "x bounded to [lo, hi]",
              kinds=("number", "number", "number"), returns="number"),
        _core("coalesce", ("a",), 1, None, "first non-null argument", kinds=("same",), returns="same"),
        _core("if", ("c", "a", "b"), 3, 3, "a where c holds, else b",
              kinds=("boolean", "same", "same"), returns="same"),
    ]
}


class FunctionRegistry(Mapping[str, FunctionSpec]):
    """Core functions plus those of plugins; a plugin may not redefine a name.

    ``more``, when given, is asked once, at the first name that is not a core
    function (or when every name is listed), for the plugins' registry: so a
    rule file that calls only core functions never loads a plugin
    (:mod:`kpirules.lazy_plugins`). It returns ``None`` when plugins cannot load.
    """

    def __init__(self, extra: Iterable[FunctionSpec] = (), *,
                 more: Callable[[], FunctionRegistry | None] | None = None) -> None:
        self._functions: dict[str, FunctionSpec] = dict(CORE_FUNCTIONS)
        #: installed plugins that failed to load: an unknown name may be theirs
        self.unavailable: list[str] = []
        self._more = more
        for spec in extra:
            self.add(spec)

    def _complete(self) -> None:
        """Add the plugins' functions, the first time a name beyond the core is needed."""
        more, self._more = self._more, None
        if more is None:
            return
        loaded = more()
        if loaded is not None:
            self._functions.update(loaded._functions)
            self.unavailable = list(loaded.unavailable)

    def add(self, spec: FunctionSpec) -> None:
        """Register ``spec``; a name taken already is a clash naming both plugins."""
        from kpirules.errors import PluginError

        self._complete()
        if spec.name in self._functions:
            other = self._functions[spec.name].plugin
            raise PluginError(
                f"plugin {spec.plugin!r} defines function {spec.name!r}, "
                f"already defined by {other!r}"
            )
        if spec.build is None:
            raise PluginError(f"plugin {spec.plugin!r}: function {spec.name!r} has no build")
        self._functions[spec.name] = spec

    def __getitem__(self, name: str) -> FunctionSpec:
        try:
            return self._functions[name]
        except KeyError:
            if self._more is None:
                raise
        self._complete()
        return self._functions[name]

    def __iter__(self):  # type: ignore[no-untyped-def]
        self._complete()
        return iter(self._functions)

    def __len__(self) -> int:
        self._complete()
        return len(self._functions)

    def __bool__(self) -> bool:
        """Never empty (the core functions): ``functions or default`` must not load plugins."""
        return True
