"""``kpirules silence``: mute a rule (or some of its segments) until a period."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from kpirules.engine.segment import Segment
from kpirules.errors import KpirulesError, RuleFileError, UsageError


@click.command("silence")
@click.argument("rule")
@click.option("--where", "where", multiple=True, metavar="DIM=VALUE",
              help="silence only the segments with this dimension value (repeatable)")
@click.option("--until", "until", required=True, metavar="PERIOD",
              help="the last period silenced (2026-06, 2026-Q3…)")
@click.option("--reason", default=None, metavar="TEXT", help="why, for whoever reads the alerts")
@click.option("-c", "--config", "config_path", metavar="PATH", default=None,
              help="the job configuration whose state store keeps the silence "
                   "(default: found as kpirules run finds it)")
def command(rule: str, where: Sequence[str], until: str, reason: str | None,
            config_path: str | None) -> None:
    """Silence RULE (or RULESET/RULE) until PERIOD: its firings are recorded, not sent.

    A silence covers first firings, reminders and resolutions of the rule in
    the segments it names, in every run whose as-of period is PERIOD or
    earlier; after that it stops applying by itself.
    """
    import kpirules
    from kpirules.alerting import silences
    from kpirules.commands.state_config import config_paths
    from kpirules.lang import periods
    from kpirules.lang.diagnostics import did_you_mean
    from kpirules.state import StateStore

    try:
        segment = silences.parse_where(where)
        _config, state_path, paths = config_paths(config_path)
        wanted_ruleset, _, rule_name = rule.rpartition("/")
        found = []
        known: list[str] = []
        for path in paths:
            rs = kpirules.load(path)
            known += [f"{rs.name}/{r}" for r in rs.rules] + list(rs.rules)
            if rule_name in rs.rules and wanted_ruleset in ("", rs.name):
                found.append(rs)
        if not found:
            hint = did_you_mean(rule, known)
            raise UsageError(f"{rule}: no rule of this name in the configuration's rulesets"
                             + (f" ({hint})" if hint else ""))
        with StateStore(state_path) as state, state.transaction() as db:
            for rs in found:
                try:
                    last = periods.label(periods.last_index(periods.as_literal(until), rs.grain),
                                         rs.grain)
                except periods.PeriodError as err:
                    raise UsageError(f"--until {until}: {err}") from None
                silences.add(db, rs.name, rule_name, segment, last, reason)
                where_text = Segment.of(segment).assignments(", ", "every segment")
                click.echo(f"silenced {rs.name}/{rule_name} ({where_text}) until {last}"
                           + (f": {reason}" if reason else ""))
    except RuleFileError:
        raise
    except KpirulesError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(err.exit_code)
