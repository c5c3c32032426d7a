"""Where the state store and rule files of a configuration are, read lightly.

``kpirules silence`` and ``kpirules alerts`` need neither the sources nor the
secrets of the actions, so they do not load the whole configuration (a
missing ``${SLACK_WEBHOOK_URL}`` must not stop a listing).
"""

from __future__ import annotations

from pathlib import Path

from kpirules.config import DEFAULT_STATE, find_config, kpirules_table
from kpirules.errors import ConfigError


def config_paths(config_path: str | Path | None) -> tuple[Path, Path, list[Path]]:
    """The configuration file, its state store and its rule files, as ``run`` finds them.

    Read lightly: a silence or a listing needs neither the sources nor the
    secrets of the actions.
    """
    path = Path(config_path) if config_path is not None else find_config()
    if not path.is_file():
        raise ConfigError(f"{path}: no such configuration file")
    table = kpirules_table(path)
    base = path.resolve().parent
    state = table.get("state", DEFAULT_STATE)
    rulesets = table.get("rulesets", [])
    if not isinstance(state, str) or not isinstance(rulesets, list):
        raise ConfigError(f"{path}: state must be a path and rulesets a list of paths")
    return path, base / state, [base / str(r) for r in rulesets]
