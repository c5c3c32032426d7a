"""A small job project on disk, and ways to run kpirules on it (job tests)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path
from typing import Any

from support import cli

RULES = """\
ruleset shop "Shop"
  grain month

dimension channel

metric visits unit count
metric orders unit count

kpi conv = orders / visits  unit percent  better higher

threshold conv
  critical < 1%
  warning  < 2%

rule low_conv "Low conversion"
  when conv < 1%
  scope segments
  severity critical
  then notify(text="{channel}: conversion {conv} in {period}")
"""


#: settings that make an action a digest
DIGEST = 'digest = true\nsubject = "{count} KPI alert(s)"\n'

#: RULES with a reminder every 2 periods and a resolve action
LIFECYCLE = RULES.replace(
    '  then notify(text="{channel}: conversion {conv} in {period}")\n',
    '  then notify(text="{channel}: conversion {conv} in {period}")\n'
    "  renotify every 2 periods\n"
    '  resolve notify(text="{channel}: back to {conv} in {period}")\n')



class Project:
    """A job on disk: one ruleset, one CSV source, a configurable ``notify``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "rules").mkdir(parents=True)
        (root / "data").mkdir()
        (root / "rules" / "shop.kpi").write_text(RULES)
        self.rows: list[tuple[str, str, int, int]] = []
        self.set_notify('type = "file"\npath = "alerts.jsonl"')

    @property
    def config(self) -> Path:
        return self.root / "kpirules.toml"

    @property
    def state(self) -> Path:
        return self.root / "state" / "kpi.sqlite"

    @property
    def alerts(self) -> list[dict[str, Any]]:
        import json

        path = self.root / "alerts.jsonl"
        return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []

    def use_lifecycle(self) -> Project:
        """Switch to the rules of :data:`LIFECYCLE`."""
        (self.root / "rules" / "shop.kpi").write_text(LIFECYCLE)
        return self

    def set_notify(self, body: str, extra: str = "") -> None:
        self.config.write_text(textwrap.dedent(f"""\
            rulesets = ["rules/shop.kpi"]
            state = "state/kpi.sqlite"

            [sources.shop]
            connector = "csv"
            path = "data/shop.csv"

            [actions.notify]
            {body}

            [report]
            formats = ["json"]
            dir = "reports"
            {extra}
            """))

    def month(self, period: str, **conv: float) -> None:
        """Add one month: channel → conversion rate (orders per 10000 visits)."""
        for channel, rate in conv.items():
            self.rows.append((period, channel, 10000, int(rate * 10000)))
        lines = ["month,channel,visits,orders"]
        lines += [f"{p},{c},{v},{o}" for p, c, v, o in self.rows]
        (self.root / "data" / "shop.csv").write_text("\n".join(lines) + "\n")


def run_process(*args: str, env: dict[str, str] | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``kpirules ARGS…`` in a child process (to kill it, or run two at once), with the test
    fault points installed (``KPIRULES_TEST_CRASH_AT``/``_PAUSE_AT``) and installed plugins hidden."""
    return cli.run_process(*args, env=env, timeout=timeout, autoload=False, module=cli.FAULTS)


def start_process(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """:func:`run_process` without waiting for it."""
    return cli.start_process(*args, env=env, autoload=False, module=cli.FAULTS)
