"""Small checks shared by the built-in connectors and actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kpirules.display import one_line
from kpirules.plugin_api import SettingsError, secret_source


def str_list(settings: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A setting that is a list of strings, or one comma-separated string."""
    value = settings.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SettingsError(key, "must be a list of strings (or one comma-separated string)")


def check_type(settings: Mapping[str, Any], key: str, kinds: type | tuple[type, ...],
               what: str) -> None:
    """Raise :class:`SettingsError` unless ``settings[key]`` (when given) is of ``kinds``."""
    value = settings.get(key)
    if value is None:
        return
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
        raise SettingsError(key, f"must be {what}")
    if not isinstance(value, kinds):
        raise SettingsError(key, f"must be {what}")


def positive_number(settings: Mapping[str, Any], key: str, default: float) -> float:
    """A number ≥ 0 (timeouts, delays), ``default`` when not given."""
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise SettingsError(key, "must be a number >= 0")
    return float(value)


def date_format(settings: Mapping[str, Any]) -> str | None:
    """A source's ``date_format``: ``DMY``, ``MDY``, ``YMD`` or a strftime pattern, or ``None``."""
    check_type(settings, "date_format", str, 'DMY, MDY, YMD or a strftime pattern such as "%d.%m.%Y"')
    value = settings.get("date_format")
    if value is None:
        return None
    from kpirules.engine.periods import check_date_format  # here: check must not import polars

    try:
        return check_date_format(str(value))
    except ValueError as err:
        raise SettingsError("date_format", str(err)) from None


def single_line(settings: Mapping[str, Any], key: str) -> None:
    """Raise :class:`SettingsError` when a text setting holds a line break or control character.

    Such a value cannot go into a header or a protocol command; it is most
    often a secret read from a file with its trailing newline. The message
    names the setting and its environment variable, never the value.
    """
    value = settings.get(key)
    if isinstance(value, str) and one_line(value, "") != value:
        raise SettingsError(key, f"holds a line break or a control character"
                                 f"{secret_source(value)}; remove it (a trailing newline of a "
                                 f"secrets file?)")
