"""The command line: arguments in, exit codes out, nothing else.

Commands import what they need when they run, so ``kpirules --version`` and
``kpirules check`` never load the evaluation stack (Polars). The commands of
the job side live in :mod:`kpirules.commands` and are added lazily.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from kpirules import __version__
from kpirules.errors import ExitCode, KpirulesError, RuleFileError, UsageError

LAZY_COMMANDS = {
    "run": "kpirules.commands.run",
    "test": "kpirules.commands.test",
    "init": "kpirules.commands.init",
    "plugins": "kpirules.commands.plugins",
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
        return module.command  # type: ignore[no-any-return]


def use_color(stream: Any = None) -> bool:
    """Colour only on a terminal, never with NO_COLOR set."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def echo_err(message: str) -> None:
    click.echo(message, err=True)


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


_REGISTRY: list[Any] = []


def _registry() -> Any:
    """The plugin registry, loaded once; a broken plugin is reported, not fatal, for checks."""
    if not _REGISTRY:
        try:
            from kpirules.plugins import load_registry

            _REGISTRY.append(load_registry())
        except ImportError:
            _REGISTRY.append(None)
        except KpirulesError as err:
            echo_err(f"warning: {err}")
            _REGISTRY.append(None)
    return _REGISTRY[0]


def _known_actions() -> set[str] | None:
    """Action names that plugins provide (None when the plugin system is unavailable)."""
    registry = _registry()
    return None if registry is None else set(registry.actions)


# ───────────────────────── check ─────────────────────────


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="json: one list of diagnostics, for editors and CI annotations")
@click.option("--no-warnings", is_flag=True, help="report errors only")
def check(files: Sequence[str], fmt: str, no_warnings: bool) -> None:
    """Parse and check rule files; print every problem."""
    from kpirules.lang.diagnostics import render
    from kpirules.lang.loader import check_text, read_source

    functions = _plugin_functions()
    all_diags = []
    failed = False
    for path in files:
        try:
            name, text = read_source(path)
        except RuleFileError as err:
            all_diags.extend((d, None) for d in err.diagnostics)
            failed = True
            continue
        ruleset, diags = check_text(text, name, functions=functions, known_actions=_known_actions())
        failed = failed or ruleset is None
        all_diags.extend((d, text) for d in diags if not (no_warnings and d.severity == "warning"))
    if fmt == "json":
        click.echo(json.dumps([d.to_dict() for d, _ in all_diags], ensure_ascii=False, indent=2))
    else:
        for diag, text in all_diags:
            echo_err(render(diag, text))
        errors = sum(1 for d, _ in all_diags if d.severity == "error")
        warnings = len(all_diags) - errors
        if not all_diags:
            echo_err(f"{len(files)} file{'s' if len(files) > 1 else ''} checked: no problems")
        else:
            echo_err(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    sys.exit(ExitCode.INVALID_INPUT if failed else ExitCode.OK)


def _plugin_functions() -> Any:
    registry = _registry()
    return None if registry is None else registry.functions


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
        if formatted == text:
            continue
        would_change.append(name)
        if diff:
            click.echo("".join(difflib.unified_diff(
                text.splitlines(keepends=True), formatted.splitlines(keepends=True),
                f"a/{name}", f"b/{name}")), nl=False)
        if check_only or diff:
            continue
        if path == "-":
            click.echo(formatted, nl=False)
        else:
            Path(path).write_text(formatted, encoding="utf-8")
            echo_err(f"formatted {name}")
    if check_only and would_change:
        for name in would_change:
            echo_err(f"would reformat {name}")
        sys.exit(ExitCode.FAILED)


# ───────────────────────── graph ─────────────────────────


@main.command()
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid", "json"]), default="dot")
def graph(file: str, fmt: str) -> None:
    """Print the dependency graph: metrics → KPIs → thresholds/decisions/rules/objectives."""
    import kpirules
    from kpirules.lang.graph_export import export_graph

    ruleset = kpirules.load(file, functions=_plugin_functions())
    click.echo(export_graph(ruleset, fmt))


def run_cli(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (user errors never show a traceback)."""
    try:
        main.main(args=list(argv) if argv is not None else None, standalone_mode=False)
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
                try:
                    sources[diag.file] = read_source(diag.file)[1]
                except RuleFileError:
                    pass
        report_rule_errors(err, sources)
        return err.exit_code
    except KpirulesError as err:
        echo_err(f"error: {err}")
        return err.exit_code
    except BrokenPipeError:
        return ExitCode.OK
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else ExitCode.INVALID_INPUT)
    return ExitCode.OK


def entry() -> None:
    sys.exit(run_cli())


if __name__ == "__main__":
    entry()
