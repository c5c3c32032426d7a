#!/usr/bin/env bash
# Set up everything and run the whole test suite (PostgreSQL and Chromium included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
eval "$(scripts/postgres.sh start)"
trap 'scripts/postgres.sh stop' EXIT
echo "== lint"
.venv/bin/ruff check src tests benchmarks plugins
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
echo "== tests"
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
code=$?
set -e
if [ "$code" = 5 ]; then echo "no tests ran: that is a failure" >&2; exit 1; fi
exit "$code"
