"""Install size: a plain ``pip install .`` into a fresh virtual environment.

What a user gets with ``pip install kpirules`` (no extras): the venv's size on
disk, bytecode included (pip compiles every module on install), and the
biggest distributions in it. The goal (issue 14): under 260 MB.

Usage::

    .venv/bin/python benchmarks/install_size.py [--python python3.11] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from three_way import commit  # noqa: E402

MB = 1024 * 1024


def size(path: Path) -> int:
    """Bytes of every file below ``path`` (as ``du --apparent-size`` counts, without folders)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            file = Path(folder, name)
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def distributions(site: Path) -> list[tuple[str, int, int]]:
    """(distribution, bytes of its files, of which bytecode) from each ``RECORD``."""
    found = []
    for record in site.glob("*.dist-info/RECORD"):
        total = compiled = 0
        for line in record.read_text(encoding="utf-8").splitlines():
            relative = line.split(",")[0]
            file = (site / relative).resolve()
            if file.is_file():
                total += file.stat().st_size
                compiled += file.stat().st_size if relative.endswith(".pyc") else 0
        found.append((record.parent.name.removesuffix(".dist-info"), total, compiled))
    return sorted(found, key=lambda d: -d[1])


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default="python3.11")
    parser.add_argument("--keep", type=Path, help="build the venv here and keep it")
    parser.add_argument("--project", type=Path, default=ROOT,
                        help="the project to install (default: this checkout; e.g. main's, for before)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        venv = args.keep or Path(tmp) / "venv"
        subprocess.run([args.python, "-m", "venv", venv], check=True)
        subprocess.run([venv / "bin" / "pip", "install", "-q", "--no-cache-dir", str(args.project)],
                       check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})
        site = next((venv / "lib").glob("python3*/site-packages"))
        total = size(venv)
        on_disk = int(subprocess.run(["du", "-sk", str(venv)], capture_output=True, text=True,
                                     check=True).stdout.split()[0]) * 1024
        dists = distributions(site)
        pip_tools = sum(b for name, b, _ in dists if name.split("-")[0] in ("pip", "setuptools"))
        print(f"commit {commit() if args.project == ROOT else args.project}; {args.python} -m venv, then pip install . (no extras)\n")
        print(f"venv: {total / MB:.0f} MB of files ({(total - pip_tools) / MB:.0f} MB without the "
              f"venv's own pip and setuptools); on disk (du -s, whole blocks): {on_disk / MB:.0f} MB\n")
        print(f"{'distribution':<40} {'MB':>7} {'of it bytecode':>15}")
        for name, nbytes, compiled in dists:
            print(f"{name:<40} {nbytes / MB:>7.1f} {compiled / MB:>15.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
