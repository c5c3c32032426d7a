"""The command line: arguments in, exit codes out, nothing else.

Commands import what they need when they run, so ``kpirules --version`` and
``kpirules check`` never load the evaluation stack (Polars). The commands of
the job side live in :mod:`kpirules.commands` and are added lazily.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from kpirules import __version__
from kpirules.commands import suggest as _suggest
from kpirules.commands import whatif as _whatif
from kpirules.commands import why as _why
from kpirules.commands.shared import (
    CONFIG_PATHS,
    config_option,
    echo_err,
    error_text,
    file_output,
    stream_output,
    use_color,
    write_output,
)
from kpirules.commands.shared import known_actions as _known_actions
from kpirules.commands.shared import plugin_functions as _plugin_functions
from kpirules.commands.shared import plugin_registry as _registry
from kpirules.display import message_lines
from kpirules.errors import DataError, ExitCode, KpirulesError, RuleFileError, UsageError

LAZY_COMMANDS = {
    "run": "kpirules.commands.run",
    "test": "kpirules.commands.test",
    "init": "kpirules.commands.init",
    "plugins": "kpirules.commands.plugins",
    "silence": "kpirules.commands.silence",
    "alerts": "kpirules.commands.alerts",
    "lsp": "kpirules.commands.lsp",
}


class KpirulesGroup(click.Group):
    """A group whose job-side commands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *sorted(n for n in LAZY_COMMANDS if self._importable(n))]

    @staticmethod
    def _importable(name: str) -> bool:
        import importlib.util

        try:
            return importlib.util.find_spec(LAZY_COMMANDS[name]) is not None
        except ModuleNotFoundError:
            return False

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None or name not in LAZY_COMMANDS:
            return command
        if not self._importable(name):
            return None
        module = importlib.import_module(LAZY_COMMANDS[name])
        return module.command


def report_rule_errors(err: RuleFileError, sources: dict[str, str], as_json: bool = False) -> None:
    from kpirules.lang.diagnostics import render_all

    if as_json:
        click.echo(json.dumps([d.to_dict() for d in err.diagnostics], ensure_ascii=False, indent=2))
    else:
        echo_err(render_all(err.diagnostics, sources))


@click.group(cls=KpirulesGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kpirules")
def main() -> None:
    """kpirules: write your KPIs, thresholds, decisions and objectives once; evaluate them reliably."""


# ───────────────────────── check ─────────────────────────


@main.command()
@click.argument("files", nargs=-1, required=True)
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="json: one list of diagnostics, for editors and CI annotations")
@click.option("--no-warnings", is_flag=True, help="report errors only")
def check(files: Sequence[str], fmt: str, no_warnings: bool) -> None:
    """Parse and check rule files; print every problem.

    Exit codes: 0 no error (warnings may be printed); 2 a rule file has an
    error or cannot be read.
    """
    from kpirules.lang.diagnostics import has_errors, render
    from kpirules.lang.loader import diagnose_text, read_source

    functions = _plugin_functions()
    all_diags: list[tuple[Any, str | None]] = []
    failed = False
    for path in files:
        try:
            name, text = read_source(path)
        except RuleFileError as err:
            all_diags.extend((d, None) for d in err.diagnostics)
            failed = True
            continue
        diags = diagnose_text(text, name, functions=functions, known_actions=_known_actions(path))
        failed = failed or has_errors(diags)
        all_diags.extend((d, text) for d in diags if not (no_warnings and d.severity == "warning"))
    if fmt == "json":
        click.echo(json.dumps([d.to_dict() for d, _ in all_diags], ensure_ascii=False, indent=2))
    else:
        for diag, source in all_diags:
            echo_err(render(diag, source))
        errors = sum(1 for d, _ in all_diags if d.severity == "error")
        warnings = len(all_diags) - errors
        if not all_diags:
            echo_err(f"{len(files)} file{'s' if len(files) > 1 else ''} checked: no problems")
        else:
            echo_err(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    sys.exit(ExitCode.INVALID_INPUT if failed else ExitCode.OK)


# ───────────────────────── fmt ─────────────────────────


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--check", "check_only", is_flag=True, help="exit 1 when a file would change; write nothing")
@click.option("--diff", is_flag=True, help="print the changes as a unified diff; write nothing")
def fmt(files: Sequence[str], check_only: bool, diff: bool) -> None:
    """Rewrite rule files in canonical style, keeping comments."""
    import difflib

    from kpirules.lang.formatter import format_text
    from kpirules.lang.loader import read_source

    would_change = []
    for path in files:
        name, text = read_source(path)
        formatted = format_text(text, name)
        if path == "-" and not (check_only or diff):
            click.echo(formatted, nl=False)  # a filter: always give the text back
            if formatted != text:
                would_change.append(name)
            continue
        if formatted == text:
            continue
        would_change.append(name)
        if diff:
            click.echo("".join(difflib.unified_diff(
                text.splitlines(keepends=True), formatted.splitlines(keepends=True),
                f"a/{name}", f"b/{name}")), nl=False)
        if check_only or diff:
            continue
        Path(path).write_text(formatted, encoding="utf-8")
        echo_err(f"formatted {name}")
    if check_only and would_change:
        for name in would_change:
            echo_err(f"would reformat {name}")
        sys.exit(ExitCode.FAILED)


# ───────────────────────── graph ─────────────────────────


@main.command()
@click.argument("file")
@config_option
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid", "json"]), default="dot")
def graph(file: str, fmt: str) -> None:
    """Print the dependency graph: metrics → KPIs → thresholds/decisions/rules/objectives."""
    import kpirules
    from kpirules.lang.graph_export import export_graph

    ruleset = kpirules.load(file, functions=_plugin_functions())
    click.echo(export_graph(ruleset, fmt))


# ───────────────────────── eval / explain ─────────────────────────


def data_options(func: Any) -> Any:
    """Options shared by eval and explain: reading the data."""
    options = [
        click.option("--data", "data", multiple=True, required=True,
                     help="data file (csv, jsonl, json, parquet; KIND:PATH; - for stdin); repeatable"),
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


def _parse_params(items: Sequence[str]) -> dict[str, str]:
    params = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {item}: write NAME=VALUE")
        params[name.strip()] = value.strip()
    return params


def _load_ruleset(file: str) -> Any:
    """The checked ruleset; its warnings include an action no plugin or configuration
    provides, as with ``check`` (language §10)."""
    from kpirules.lang.loader import check_text, read_source

    name, text = read_source(file)
    ruleset, diagnostics = check_text(text, name, functions=_plugin_functions(),
                                      known_actions=_known_actions(file))
    if ruleset is None:
        raise RuleFileError(diagnostics)
    return ruleset


def _plugin_table(spec: str, ruleset: Any, opts: dict[str, Any]) -> Any | None:
    """A data file of a kind a plugin's connector reads (``xlsx:book.xlsx`` or ``book.xlsx``)."""
    from kpirules.data.readers import EXTENSIONS, KINDS

    kind, sep, path = spec.partition(":")
    if not sep or kind in KINDS:
        kind, path = Path(spec).suffix.lower().lstrip("."), spec
        if f".{kind}" in EXTENSIONS:
            return None
    registry = _registry()
    connector = None if registry is None else registry.connectors.get(kind)
    if connector is None or kind == "sql":
        return None
    from kpirules.plugin_api import SettingsError, SourceContext

    settings: dict[str, Any] = {"path": path}
    if opts.get("period_column"):
        settings["period_column"] = opts["period_column"]
    context = SourceContext(source=path, metrics={n: m.agg for n, m in ruleset.metrics.items()},
                            dimensions=tuple(ruleset.dimensions), grain=ruleset.grain,
                            max_rows=_max_rows(opts))
    try:
        connector.validate(settings)
    except SettingsError as err:
        if err.key != "path":
            raise
        # a --data file the connector cannot use is unreadable data (exit 3), as for a CSV
        raise DataError(f"cannot read the data file: {err.message}", where=path) from None
    return connector.read(settings, context)


def _max_rows(opts: dict[str, Any]) -> int:
    from kpirules.data.limits import DEFAULT_MAX_ROWS

    return int(opts.get("max_rows") or DEFAULT_MAX_ROWS)


def _read_tables(opts: dict[str, Any], ruleset: Any = None) -> list[Any]:
    from kpirules.data.limits import check_table, precheck_file
    from kpirules.data.readers import read_file, split_kind

    nulls = tuple(v.strip() for v in (opts.get("null_values") or "").split(",") if v.strip())
    limit = _max_rows(opts)
    tables = []
    for spec in opts["data"]:
        table = _plugin_table(spec, ruleset, opts) if ruleset is not None and spec != "-" else None
        if table is None:
            kind, path = split_kind(spec)
            precheck_file(path, kind, limit, path)
            table = read_file(spec, sep=opts.get("sep"), decimal=opts.get("decimal"),
                              encoding=opts.get("encoding"), null_values=nulls,
                              period_column=opts.get("period_column"))
        check_table(table, limit)
        if opts.get("ignore") or opts.get("force_dims"):
            import attrs

            table = attrs.evolve(table, ignore=tuple(opts.get("ignore") or ()),
                                 dimensions=tuple(opts.get("force_dims") or ()))
        if CONFIG_PATHS and ruleset is not None:  # the job's other rulesets use these columns: no warning
            from kpirules.config import configured_metric_names
            from kpirules.engine.roles import leave_out_used_elsewhere

            table = leave_out_used_elsewhere(table, ruleset, configured_metric_names(CONFIG_PATHS[0]))
        tables.append(table)
    return tables


def _evaluate(file: str, opts: dict[str, Any], history: bool) -> Any:
    import kpirules

    ruleset = _load_ruleset(file)  # the rule file is checked before any data is read
    for warning in ruleset.warnings:
        from kpirules.lang.diagnostics import render

        echo_err(render(warning, ruleset.source_text))
    with _progress("Reading data…") as status:
        tables = _read_tables(opts, ruleset)
        status("Evaluating…")
        result = kpirules.evaluate(
            ruleset, tables, by=opts.get("by"), period=opts.get("period"),
            params=_parse_params(opts.get("params") or ()), history=history,
            period_column=opts.get("period_column"), on_bad_value=opts["on_bad_value"],
            functions=_plugin_functions(), date_format=opts.get("date_format"))
    for warning in result.warnings:
        echo_err(message_lines(f"warning: {warning}"))
    if result.bad_values:
        echo_err(f"warning: {result.bad_values} cell(s) that are not numbers were counted as missing")
    return result


@contextlib.contextmanager
def _progress(message: str) -> Any:
    """A spinner on standard error while a long step runs, only on a terminal."""
    if not use_color(sys.stderr):
        yield lambda _text: None
        return
    from rich.console import Console

    with Console(stderr=True).status(message) as status:
        yield lambda text: status.update(text)


def _formats() -> dict[str, Any]:
    registry = _registry()
    if registry is not None and getattr(registry, "formats", None):
        return dict(registry.formats)
    try:
        from kpirules.report import BUILTIN_FORMATS

        return dict(BUILTIN_FORMATS)
    except ImportError:
        return {}


@main.command(name="eval")
@click.argument("file")
@data_options
@config_option
@click.option("--history", is_flag=True, help="report every period up to the as-of period")
@click.option("--format", "fmt", default="table",
              help="table, json, csv, csv-fr, markdown, html, or a plugin's format")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write the output to this file")
@click.option("--fail-on", type=click.Choice(["never", "warning", "critical"]), default="critical",
              help="which outcome at the as-of period gives exit code 1")
def eval_(file: str, history: bool, fmt: str, output: str | None, fail_on: str, **opts: Any) -> None:
    """Evaluate a rule file on data and print the results (never runs an action).

    Exit codes: 0 done; 1 at the as-of period, a KPI status or a firing rule's
    severity at or above --fail-on; 2 invalid rule file or option (no data was
    read); 3 the data could not be read or evaluated.
    """
    formats = _formats()
    if fmt != "json" and fmt not in formats:
        raise UsageError(f"--format {fmt}: unknown format (known: {', '.join(sorted({'json', *formats}))})")
    chosen = formats.get(fmt)
    needs_history = bool(getattr(chosen, "needs_history", False))
    result = _evaluate(file, opts, history or needs_history)
    if getattr(chosen, "write", None) is not None:  # csv, jsonl: row by row, any size
        stream_output(chosen, result, output)
        sys.exit(result.exit_status(fail_on))
    max_segments = getattr(chosen, "max_segments", None)
    if max_segments:  # html: the biggest segments only
        from kpirules.report.stream import capped_document

        doc = capped_document(result, max_segments)
    else:
        doc = result.to_dict()
    if fmt in ("html", "pdf"):  # the report explains each KPI whose status worsened
        from kpirules.answers.report import worsened_whys

        doc["why"] = worsened_whys(result)
    if getattr(chosen, "write_file", None) is not None:  # pdf: not text, a file
        file_output(chosen, doc, output)
        sys.exit(result.exit_status(fail_on))
    if chosen is None:
        text = json.dumps(doc, ensure_ascii=False, indent=2)
    else:
        import shutil
        from datetime import datetime

        from kpirules.report.base import RenderOptions

        to_terminal = output is None and use_color()
        width = shutil.get_terminal_size((120, 40)).columns if output is None else None
        text = chosen.render(doc, RenderOptions(color=to_terminal, width=width,
                                                generated_at=datetime.now().strftime("%Y-%m-%d %H:%M")))
    if output:
        write_output(output, text if text.endswith("\n") else text + "\n")
        echo_err(f"wrote {output}")
    else:
        click.echo(text, nl=not text.endswith("\n"))
    sys.exit(result.exit_status(fail_on))


@main.command()
@click.argument("file")
@click.argument("name")
@data_options
@config_option
@click.option("--where", "where", multiple=True, help="the segment: DIM=VALUE; repeatable")
def explain(file: str, name: str, where: Sequence[str], **opts: Any) -> None:
    """Show how one value was computed, step by step, with every input's value."""
    from kpirules.commands.segments import evaluate_for_segment, parse_where

    segment = parse_where(where)
    result = evaluate_for_segment(lambda o: _evaluate(file, o, history=False), opts, segment)
    try:
        text = result.explain(name, period=opts.get("period"), segment=segment)
    except KeyError as err:
        raise UsageError(str(err.args[0])) from None
    click.echo(text)


# ───────────────────────── why / whatif / suggest ─────────────────────────
# Registered here because they read data as eval does; their options and work
# live in kpirules.commands.why, .whatif and .suggest.


@main.command(name="why", help=_why.HELP)
@click.argument("file")
@click.argument("kpi")
@data_options
@config_option
@_why.options
def why(file: str, kpi: str, **opts: Any) -> None:
    _why.run(kpi, lambda o: _evaluate(file, o, history=False), opts)


@main.command(name="whatif", help=_whatif.HELP)
@click.argument("file")
@data_options
@config_option
@_whatif.options
def whatif(file: str, **opts: Any) -> None:
    _whatif.run(file, lambda o, history: _evaluate(file, o, history), opts)


@main.command(name="suggest", help=_suggest.HELP)
@click.argument("file")
@data_options
@config_option
@_suggest.options
def suggest(file: str, **opts: Any) -> None:
    _suggest.run(lambda o: _evaluate(file, o, history=True), opts)


def run_cli(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (user errors never show a traceback)."""
    try:
        code = main.main(args=list(argv) if argv is not None else None, standalone_mode=False)
        if isinstance(code, int):  # ctx.exit(n) returns n in non-standalone mode
            return code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        echo_err("aborted")
        return ExitCode.RUNTIME
    except click.UsageError as exc:
        exc.show()
        return ExitCode.INVALID_INPUT
    except click.ClickException as exc:
        exc.show()
        return ExitCode.INVALID_INPUT
    except RuleFileError as err:
        from kpirules.lang.loader import read_source

        sources: dict[str, str] = {}
        for diag in err.diagnostics:
            if diag.file not in sources and not diag.file.startswith("<"):
                with contextlib.suppress(RuleFileError):
                    sources[diag.file] = read_source(diag.file)[1]
        report_rule_errors(err, sources)
        return err.exit_code
    except KpirulesError as err:
        if os.environ.get("KPIRULES_DEBUG") and err.__cause__ is not None:
            import traceback  # a plugin's bug (PluginFault): show where in its code

            traceback.print_exception(err.__cause__)
        echo_err(message_lines(f"error: {error_text(err)}"))
        return err.exit_code
    except BrokenPipeError:
        return ExitCode.OK
    except SystemExit as exc:
        code = exc.code
        if isinstance(code, int):
            return code
        return ExitCode.OK if code is None else ExitCode.INVALID_INPUT
    except KeyboardInterrupt:
        echo_err("interrupted")
        return ExitCode.RUNTIME
    except Exception as exc:  # a bug of ours: still no traceback, and never 1 ("a KPI needs attention")
        return _internal_error(exc)
    return ExitCode.OK


def _internal_error(exc: Exception) -> int:
    """Report an unexpected failure in two lines; ``KPIRULES_DEBUG=1`` adds the traceback."""
    if os.environ.get("KPIRULES_DEBUG"):
        import traceback

        traceback.print_exception(exc)
    first_line = (str(exc).strip().splitlines() or [""])[0]
    echo_err(f"internal error: {type(exc).__name__}" + (f": {first_line}" if first_line else ""))
    echo_err("hint: this is a bug in kpirules, not in your files; "
             "run again with KPIRULES_DEBUG=1 to see where it happened, and report it")
    return ExitCode.RUNTIME


def entry() -> None:
    sys.exit(run_cli())


if __name__ == "__main__":
    entry()
