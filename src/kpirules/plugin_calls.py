"""Every call into a third-party plugin's code goes through :func:`call_plugin`.

A plugin's bug must not be reported as the user's mistake nor as "a bug in
kpirules": the call is wrapped so that an exception, or an answer of the wrong
type, becomes a :class:`~kpirules.errors.PluginFault` naming the plugin, its
version, the object and the method — ``kpirules-restapi 0.1.0: connector
"restapi": read() returned list, expected RawTable``. Errors that a plugin
raises on purpose (:class:`~kpirules.errors.KpirulesError` subclasses, such as
``ConfigError`` for a bad setting or ``DataError`` for an unreadable file) are
the plugin telling the user something, and pass through unchanged.

Built-in objects are not wrapped (``label`` ``None``): a failure there is a
bug of kpirules and is reported as one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from kpirules.errors import KpirulesError, PluginFault

T = TypeVar("T")

#: the label functions of the core carry (``FunctionSpec.plugin``)
CORE_LABEL = "kpirules"


def call_plugin(label: str | None, what: str, method: str, func: Callable[..., Any],
                *args: Any, expect: type | tuple[type, ...] | None = None,
                expect_name: str | None = None) -> Any:
    """Call ``func(*args)`` on behalf of plugin ``label``; see the module docstring.

    ``what`` names the object (``connector "restapi"``); ``method`` the call
    (``read``). ``expect``: the type(s) the answer must have, named
    ``expect_name`` in the message.
    """
    if label is None or label == CORE_LABEL:
        return func(*args)
    try:
        answer = func(*args)
    except KpirulesError:
        raise
    except Exception as exc:
        raise PluginFault(f"{label}: {what}: {method}() failed: "
                          f"{type(exc).__name__}: {_first_line(exc)}") from exc
    if expect is not None and not isinstance(answer, expect):
        wanted = expect_name or _type_names(expect)
        raise PluginFault(f"{label}: {what}: {method}() returned {type(answer).__name__}, "
                          f"expected {wanted}")
    return answer


def action_type_label(registry: Any, action: Any) -> str:
    """How a failed delivery names the action type behind a rule's action name.

    A rule calls ``notify``; what failed is the ``webhook`` type of kpirules,
    or the ``teams`` type of ``kpirules-teams 0.1.0``: the user needs both to
    know whom to ask. ``registry`` is the job's plugin registry (``None`` when
    unknown).
    """
    name = getattr(action, "name", "") or type(action).__name__
    owner = registry.owner("actions", name) if registry is not None else None
    label = getattr(owner, "label", None)
    if label is None or getattr(owner, "name", None) == CORE_LABEL:
        return f'action type "{name}"'
    return f'action type "{name}" of {label}'


def delivery_failure(exc: BaseException) -> str:
    """The text a failed ``deliver`` leaves: an error raised on purpose as it is,
    anything else (a bug of the plugin) with its exception type, which a bare
    ``KeyError('url')`` would otherwise hide. Never cut here: a secret cut in
    half would escape redaction."""
    text = str(exc)  # whole: the caller redacts secrets first, then cuts to length
    if isinstance(exc, KpirulesError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    return text if len(text) <= 300 else text[:297] + "…"


def _type_names(expect: type | tuple[type, ...]) -> str:
    types = expect if isinstance(expect, tuple) else (expect,)
    return " or ".join(t.__name__ for t in types)


def _is_polars_expr(answer: Any) -> bool:
    import polars as pl  # only ever called during evaluation, where Polars is loaded

    return isinstance(answer, pl.Expr)


def _is_raw_table(answer: Any) -> bool:
    from kpirules.data.table import RawTable

    return isinstance(answer, RawTable)


#: method → (what the answer must be, how to name it); ``None``: any answer
_EXPECTED: dict[tuple[str, str], tuple[Callable[[Any], bool], str] | None] = {
    ("connectors", "read"): (_is_raw_table, "kpirules.plugin_api.RawTable"),
    ("connectors", "validate"): None,
    ("actions", "validate"): None,
    ("formats", "render"): (lambda answer: isinstance(answer, str), "str"),
    ("formats", "write"): None,  # streaming: writes to the output it is given
    ("formats", "write_file"): None,  # a format that is not text writes its file
}


def guard_item(kind: str, item: Any, label: str) -> Any:
    """Route the methods kpirules calls on a plugin's ``item`` through :func:`call_plugin`.

    Connectors (``validate``, ``read``), actions (``validate``; ``deliver`` is
    the job's, which retries and records failures itself) and formats
    (``render``, ``write``, ``write_file``) get guarded bound methods on the
    instance; a function gets a guarded ``build``. Built-ins are left alone.
    """
    if label == CORE_LABEL:
        return item
    if kind == "functions":
        return _guard_function(item, label)
    what = f'{kind[:-1]} "{getattr(item, "name", "?")}"'
    for (item_kind, method), expected in _EXPECTED.items():
        if item_kind != kind:
            continue
        original = getattr(item, method, None)
        if original is None or getattr(original, "_kpirules_guarded", False):
            continue
        wrapped = _guarded_method(label, what, method, original, expected)
        if _is_field(item, method):  # a frozen attrs value (OutputFormat): a guarded copy
            item = attrs.evolve(item, **{method: wrapped})
            continue
        try:
            object.__setattr__(item, method, wrapped)
        except (AttributeError, TypeError):  # __slots__ without room: the call sites' own checks apply
            continue
    return item


def _is_field(item: Any, name: str) -> bool:
    return attrs.has(type(item)) and any(f.name == name for f in attrs.fields(type(item)))


def _guarded_method(label: str, what: str, method: str, original: Callable[..., Any],
                    expected: tuple[Callable[[Any], bool], str] | None) -> Callable[..., Any]:
    def guarded(*args: Any) -> Any:
        answer = call_plugin(label, what, method, original, *args)
        if expected is not None and not expected[0](answer):
            raise PluginFault(f"{label}: {what}: {method}() returned {type(answer).__name__}, "
                              f"expected {expected[1]}")
        return answer

    guarded._kpirules_guarded = True  # type: ignore[attr-defined]
    return guarded


def _guard_function(spec: Any, label: str) -> Any:
    """A copy of a function spec whose ``build`` names the plugin when it fails."""
    build = spec.build
    if build is None or getattr(build, "_kpirules_guarded", False):
        return spec
    what = f'function "{spec.name}"'

    def guarded_build(*args: Any) -> Any:
        answer = call_plugin(label, what, "build", build, *args)
        if not _is_polars_expr(answer):
            raise PluginFault(f"{label}: {what}: build() returned {type(answer).__name__}, "
                              f"expected polars.Expr")
        return answer

    guarded_build._kpirules_guarded = True  # type: ignore[attr-defined]
    return attrs.evolve(spec, build=guarded_build)
