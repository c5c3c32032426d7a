"""What the data commands share: their options, reading the tables, evaluating.

``eval``, ``explain``, ``why``, ``whatif`` and ``suggest`` take the same data
options (:func:`data_options`) and evaluate a rule file the same way
(:func:`evaluate_file`): the rule file is checked before any data is read;
every table is read through a connector (:mod:`kpirules.job.data_arguments`
and :func:`kpirules.job.sources.read_table`, as ``kpirules run`` reads its
sources); then the engine evaluates.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import click

from kpirules.commands.shared import (
    CONFIG_PATHS,
    FLAGS,
    SECRETS,
    echo_err,
    known_actions,
    plugin_functions,
    plugin_registry,
    use_color,
)
from kpirules.display import message_lines
from kpirules.errors import RuleFileError, UsageError


def data_options(func: Any) -> Any:
    """Options shared by the data commands: which tables, and how to read them."""
    options = [
        click.option("--data", "data", multiple=True, required=True, metavar="DATA",
                     help="a data file (csv, jsonl, json, parquet, or a plugin's kind; - for "
                          "stdin), KIND:ARG for a connector (ARG is its main setting: "
                          "sql:URL, xlsx:book.xlsx), or @NAME for a source of --config; "
                          "repeatable"),
        click.option("--source", "source_settings", multiple=True, metavar="KEY=VALUE",
                     help="a setting of the --data connector (query=…, token=${API_TOKEN}: "
                          "from the environment, never printed); repeatable"),
        click.option("--period-column", help="the column holding periods"),
        click.option("--date-format", help="DMY, MDY, YMD or a strftime pattern such as %d.%m.%Y: how dates "
                     "are written when the data does not tell day from month"),
        click.option("--sep", help="CSV separator (detected when not given)"),
        click.option("--decimal", type=click.Choice([".", ","]), help="decimal mark (detected when not given)"),
        click.option("--encoding", help="file encoding, e.g. cp1252 (detected when not given)"),
        click.option("--null-values", help='comma-separated markers read as null, e.g. "n/a,-"'),
        click.option("--on-bad-value", type=click.Choice(["error", "null"]), default="error",
                     help="a metric cell that is not a number: error (exit 3) or null (counted)"),
        click.option("--ignore", "ignore", multiple=True, help="drop a column; repeatable"),
        click.option("--dimension", "force_dims", multiple=True, help="make a column a dimension; repeatable"),
        click.option("--param", "params", multiple=True, help="override a parameter: NAME=VALUE; repeatable"),
        click.option("--by", help="breakdown: DIM,… or none (default: every dimension of the data)"),
        click.option("--period", help="as-of period (default: the last period of the data)"),
        click.option("--max-rows", type=click.IntRange(min=1), default=None,
                     help="the most rows a data file may hold (default 10 000 000; "
                          "a Parquet file is checked before it is read)"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def parse_params(items: Sequence[str]) -> dict[str, str]:
    """``--param NAME=VALUE`` items → ``{NAME: VALUE}``."""
    params = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {item}: write NAME=VALUE")
        params[name.strip()] = value.strip()
    return params


def load_ruleset(file: str) -> Any:
    """The checked ruleset; its warnings include an action no plugin or configuration
    provides, as with ``check`` (language §10)."""
    from kpirules.lang.loader import check_text, read_source

    name, text = read_source(file)
    ruleset, diagnostics = check_text(text, name, functions=plugin_functions(),
                                      known_actions=known_actions(file))
    if ruleset is None:
        raise RuleFileError(diagnostics)
    return ruleset


def connectors() -> Mapping[str, Any]:
    """The connectors by name: a built-in one is found without loading plugins."""
    return plugin_registry().connectors


def read_tables(opts: dict[str, Any], ruleset: Any) -> list[Any]:
    """Every ``--data`` table for ``ruleset``, read through its connector."""
    from kpirules.job.data_arguments import OPTION_SETTINGS, DataRequest, data_sources
    from kpirules.job.sources import read_table, source_context

    given: dict[str, Any] = {key: opts[key] for key in OPTION_SETTINGS if opts.get(key)}
    if "null_values" in given:
        given["null_values"] = [v.strip() for v in str(given["null_values"]).split(",") if v.strip()]
    request = DataRequest(tuple(opts["data"]), given, tuple(opts.get("source_settings") or ()),
                          opts.get("max_rows"), CONFIG_PATHS[0] if CONFIG_PATHS else None)
    sources = data_sources(request, connectors(), SECRETS)
    params = {}
    if opts.get("params"):  # the job's plan is not loaded without them (start-up)
        from kpirules.job.plan import parse_param

        params = {k: parse_param(v) for k, v in parse_params(opts["params"]).items() if k in ruleset.params}
    tables = []
    for source in sources:
        table = read_table(source, source_context(source, ruleset, params))
        if opts.get("ignore") or opts.get("force_dims"):
            import attrs

            table = attrs.evolve(table, ignore=tuple(opts.get("ignore") or ()),
                                 dimensions=tuple(opts.get("force_dims") or ()))
        if CONFIG_PATHS:  # the job's other rulesets use these columns: no warning
            from kpirules.config import configured_metric_names
            from kpirules.engine.roles import leave_out_used_elsewhere

            table = leave_out_used_elsewhere(table, ruleset, configured_metric_names(CONFIG_PATHS[0]))
        tables.append(table)
    return tables


def evaluate_file(file: str, opts: dict[str, Any], history: bool) -> Any:
    """Check the rule file, read the data, evaluate; warnings go to standard error."""
    import kpirules

    ruleset = load_ruleset(file)  # the rule file is checked before any data is read
    for warning in ruleset.warnings:
        from kpirules.lang.diagnostics import render

        echo_err(render(warning, ruleset.source_text, FLAGS))
    with progress("Reading data…") as status:
        tables = read_tables(opts, ruleset)
        status("Evaluating…")
        result = kpirules.evaluate(
            ruleset, tables, by=opts.get("by"), period=opts.get("period"),
            params=parse_params(opts.get("params") or ()), history=history,
            period_column=opts.get("period_column"), on_bad_value=opts["on_bad_value"],
            functions=plugin_functions(), date_format=opts.get("date_format"))
    for warning in result.warnings:
        echo_err(message_lines(f"warning: {warning.worded(FLAGS)}"))
    if result.bad_values:
        echo_err(f"warning: {result.bad_values} cell(s) that are not numbers were counted as missing")
    return result


@contextlib.contextmanager
def progress(message: str) -> Iterator[Callable[[str], None]]:
    """A spinner on standard error while a long step runs, only on a terminal."""
    if not use_color(sys.stderr):
        yield lambda _text: None
        return
    from rich.console import Console

    with Console(stderr=True).status(message) as status:
        yield lambda text: status.update(text)
