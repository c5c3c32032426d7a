"""The command line: arguments in, exit codes out, nothing else.

Every command lives in :mod:`kpirules.commands` (``kpirules.commands.NAME``
exporting a Click command called ``command``) and is imported only when it
runs, so ``kpirules --version`` and ``kpirules check`` never load the
evaluation stack (Polars). Here: the group, and the one place that turns an
error into a message and an exit code.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
from collections.abc import Sequence

import click

from kpirules import __version__
from kpirules.commands.shared import FLAGS, SECRETS, echo_err, error_text
from kpirules.display import message_lines
from kpirules.errors import ExitCode, KpirulesError, RuleFileError
from kpirules.redaction import redact

#: command name → the module of :mod:`kpirules.commands` that holds it
COMMANDS = {
    "alerts": "kpirules.commands.alerts",
    "check": "kpirules.commands.check",
    "eval": "kpirules.commands.evaluate",
    "explain": "kpirules.commands.explain",
    "fmt": "kpirules.commands.fmt",
    "graph": "kpirules.commands.graph",
    "init": "kpirules.commands.init",
    "lsp": "kpirules.commands.lsp",
    "plugins": "kpirules.commands.plugins",
    "run": "kpirules.commands.run",
    "silence": "kpirules.commands.silence",
    "suggest": "kpirules.commands.suggest",
    "test": "kpirules.commands.test",
    "whatif": "kpirules.commands.whatif",
    "why": "kpirules.commands.why",
}


class KpirulesGroup(click.Group):
    """A group whose commands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n in COMMANDS if self._importable(n))

    @staticmethod
    def _importable(name: str) -> bool:
        import importlib.util

        try:
            return importlib.util.find_spec(COMMANDS[name]) is not None
        except ModuleNotFoundError:
            return False

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS or not self._importable(name):
            return None
        command: click.Command = importlib.import_module(COMMANDS[name]).command
        return command


def report_rule_errors(err: RuleFileError, sources: dict[str, str], as_json: bool = False) -> None:
    from kpirules.lang.diagnostics import render_all

    if as_json:
        click.echo(json.dumps([d.to_dict() for d in err.diagnostics], ensure_ascii=False, indent=2))
    else:
        echo_err(render_all(err.diagnostics, sources, FLAGS))


@click.group(cls=KpirulesGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kpirules")
def main() -> None:
    """kpirules: write your KPIs, thresholds, decisions and objectives once; evaluate them reliably."""


def run_cli(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (user errors never show a traceback)."""
    SECRETS.clear()
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
        echo_err(message_lines(redact(f"error: {error_text(err)}", SECRETS)))
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
    first_line = redact((str(exc).strip().splitlines() or [""])[0], SECRETS)
    echo_err(f"internal error: {type(exc).__name__}" + (f": {first_line}" if first_line else ""))
    echo_err("hint: this is a bug in kpirules, not in your files; "
             "run again with KPIRULES_DEBUG=1 to see where it happened, and report it")
    return ExitCode.RUNTIME


def entry() -> None:
    sys.exit(run_cli())


if __name__ == "__main__":
    entry()
