"""What every command shares: ``--config`` and the plugin registry it selects,
the action names a rule file may use, messages on standard error, ``-o`` output.

It sits below :mod:`kpirules.cli` and the lazily loaded commands alike, so that
no command imports the command-line module (the layers are checked by
import-linter, see ``[tool.importlinter]`` in pyproject.toml).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from kpirules.errors import DataError, KpirulesError, OptionHint, UsageError, Wording

#: How the command line names the options of an evaluation: the engine's errors and
#: warnings (:class:`~kpirules.errors.OptionError`, :class:`~kpirules.errors.OptionHint`)
#: name the option, the user reads the flag.
OPTION_FLAGS = {"params": "--param", "period": "--period", "by": "--by", "from_period": "--from",
                "segment": "--where", "where": "--where", "edits": "--set", "kpis": "--kpi",
                "date_format": "--date-format", "period_column": "--period-column",
                "dimensions": "--dimension", "ignore": "--ignore", "on_bad_value": "--on-bad-value",
                "max_rows": "--max-rows", "encoding": "--encoding", "periods": "--periods",
                "min_values": "--min-values", "pace_window": "--pace-window", "horizon": "--horizon",
                "config": "--config"}


class FlagWording(Wording):
    """Options said as the flags to type: ``--date-format DMY``, ``--ignore 'a' --ignore 'b'``."""

    def setting(self, hint: OptionHint) -> str:
        flag = self.name(hint.option)
        if hint.placeholder is not None:
            return f"{flag} {hint.placeholder}"
        if not hint.values:
            return flag
        if hint.many:  # column names, quoted for the shell; a huge header is not pasted whole
            from kpirules.display import cut

            return " ".join(f"{flag} {_shell_quoted(cut(value))}" for value in hint.values)
        return f"{flag} {hint.values[0]}"


def _shell_quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


#: The command line's wording of every error and warning.
FLAGS = FlagWording(OPTION_FLAGS)


def error_text(err: KpirulesError, wording: Wording = FLAGS) -> str:
    """An error's message as the command line says it (an option by its flag)."""
    return err.worded(wording)


def use_color(stream: Any = None) -> bool:
    """Colour only on a terminal, never with NO_COLOR set."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def echo_err(message: str) -> None:
    click.echo(message, err=True)


LOADED_REGISTRY: list[Any] = []
CONFIG_PATHS: list[Path] = []  # the --config of check, eval, explain, graph, test
#: values a command took from the environment (``--source token=${API_TOKEN}``,
#: a configuration's ``${NAME}``): the command line redacts them from every error
SECRETS: list[str] = []


def _use_config(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Remember ``--config`` before the command runs (the registry is loaded lazily)."""
    CONFIG_PATHS.clear()
    LOADED_REGISTRY.clear()
    if value:
        CONFIG_PATHS.append(Path(value).resolve())


#: ``--config PATH``: the plugins (and action names) of a job configuration
config_option = click.option(
    "-c", "--config", type=click.Path(dir_okay=False, exists=True), expose_value=False,
    is_eager=True, callback=_use_config,
    help="a job configuration (kpirules.toml) whose plugins to load, as `run` would")


def plugin_registry() -> Any:
    """The plugin registry of this command (:class:`~kpirules.lazy_plugins.LazyRegistry`).

    Plugins are loaded at the first name that is not built in, so that a
    command using only built-ins never pays for them; a broken plugin is then
    reported, not fatal. With ``--config`` its plugins were asked for by name:
    they are loaded at once, and their failure stops the command, as in ``run``.
    """
    if not LOADED_REGISTRY:
        from kpirules.lazy_plugins import LazyRegistry

        LOADED_REGISTRY.append(LazyRegistry(_load_plugins))
        if CONFIG_PATHS:
            LOADED_REGISTRY[0].loaded()
    return LOADED_REGISTRY[0]


def _load_plugins() -> Any:
    """The loaded registry, its failures said once; ``None`` when plugins cannot be loaded."""
    try:
        from kpirules.plugins import load_registry

        if CONFIG_PATHS:
            from kpirules.config import configured_plugins

            registry = load_registry(configured_plugins(CONFIG_PATHS[0]), base_dir=CONFIG_PATHS[0].parent)
        else:
            registry = load_registry()
    except ImportError:
        return None
    except KpirulesError as err:
        if CONFIG_PATHS:  # asked for by name: its plugins are needed, as `run` needs them
            raise
        echo_err(f"warning: {err}")
        return None
    registry.report_failures(echo_err)
    return registry


def known_actions(rule_file: str | None = None) -> Any:
    """Action names that plugins or the nearby configuration provide (``in`` answers).

    The configuration is looked for beside the rule file, then in the current
    directory, so that a project's ``[actions.notify]`` silences the warning.
    Built-in and configured names are answered without loading plugins.
    """
    from kpirules.lazy_plugins import KnownNames

    def configured() -> set[str]:
        from kpirules.config import configured_action_names

        known: set[str] = set()
        for folder in {Path(rule_file).resolve().parent if rule_file and rule_file != "-" else None,
                       Path.cwd()}:
            known |= configured_action_names(folder) or set()
        if CONFIG_PATHS:
            known |= configured_action_names(path=CONFIG_PATHS[0]) or set()
        return known

    return KnownNames(plugin_registry(), configured)


def plugin_functions() -> Any:
    return plugin_registry().functions


@contextlib.contextmanager
def writing(path: str) -> Iterator[Path]:
    """``-o PATH``: a missing folder is the user's to create (exit 2); a failing disk exit 3."""
    target = Path(path)
    if not target.parent.is_dir():
        raise UsageError(f"-o {path}: no such folder {target.parent}")
    try:
        yield target
    except OSError as err:
        raise DataError(f"-o {path}: cannot write: {err.strerror or err}") from None


def write_output(path: str, text: str) -> None:
    """``-o PATH`` gets ``text`` (see :func:`writing`)."""
    with writing(path) as target:
        target.write_text(text, encoding="utf-8")


def file_output(chosen: Any, result: Any, doc: dict[str, Any], output: str | None) -> None:
    """A format that writes its own file (pdf) of ``result`` (``doc``: its document, with what
    the command added): ``-o PATH`` is required."""
    from datetime import datetime

    from kpirules.report import write_file_with_result
    from kpirules.report.base import RenderOptions

    if output is None:
        raise UsageError(f"--format {chosen.name} writes a file: give -o PATH")
    options = RenderOptions(generated_at=datetime.now().strftime("%Y-%m-%d %H:%M"))
    with writing(output) as target:
        write_file_with_result(chosen, result, doc, options, target)
    echo_err(f"wrote {output}")


def stream_output(chosen: Any, result: Any, output: str | None) -> None:
    """A streaming format (csv, jsonl) written row by row to ``-o PATH`` or standard output."""
    from kpirules.report.base import RenderOptions
    from kpirules.report.stream import header_document, iter_rows

    header, options = header_document(result), RenderOptions()
    if output is None:
        chosen.write(header, iter_rows(result), options, sys.stdout)
        return
    with writing(output) as target, target.open("w", encoding="utf-8", newline="") as out:
        chosen.write(header, iter_rows(result), options, out)
    echo_err(f"wrote {output}")
