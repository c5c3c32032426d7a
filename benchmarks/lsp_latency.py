"""How long the language server takes to answer as the user types, by file size.

Every change re-analyses the whole document (parse, check, index: what
``kpirules check`` does, plus the symbol index), then each request reads that
analysis. This script times both, in-process (no JSON-RPC), on a shipped
ruleset and on generated rule files of growing size (``gen_big_ruleset.py``),
and prints a table for docs/performance.md. Each figure is the median of
``--repeat`` runs.

Usage::

    .venv/bin/python benchmarks/lsp_latency.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_big_ruleset import generate  # noqa: E402

from kpirules.lsp.analysis import analyse  # noqa: E402
from kpirules.lsp.completion import complete  # noqa: E402
from kpirules.lsp.environment import Environments  # noqa: E402
from kpirules.lsp.hover import hover_text  # noqa: E402
from kpirules.lsp.navigation import references  # noqa: E402
from kpirules.lsp.positions import Position  # noqa: E402


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    environment = Environments().for_file(None)
    files = [("rulesets/funnel.kpi", (HERE.parent / "rulesets" / "funnel.kpi").read_text(encoding="utf-8"))]
    files += [(f"generated, scale {scale}", generate(scale)) for scale in (0.1, 0.5, 1.0)]
    print("| file | lines | analyse (each change) ms | completion ms | hover ms | references ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, text in files:
        analysis = analyse(text, "<bench>", environment)
        kpi = next(s for s in analysis.index.symbols if s.kind == "kpi")
        line, column = kpi.span.line, kpi.span.column
        end = Position(len(analysis.lines.lines) - 1, 0)
        cells = [
            median_ms(lambda text=text: analyse(text, "<bench>", environment), args.repeat),
            median_ms(lambda a=analysis, p=end: complete(a, p), args.repeat),
            median_ms(lambda a=analysis, ln=line, c=column: hover_text(a, ln, c), args.repeat),
            median_ms(lambda a=analysis, ln=line, c=column: references(a, ln, c), args.repeat),
        ]
        print(f"| {name} | {text.count(chr(10)):,} | " + " | ".join(f"{c:.1f}" for c in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
