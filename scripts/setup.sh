#!/usr/bin/env bash
# Create .venv and install kpirules with everything the tests need.
# Idempotent: a second run only checks. Works offline once packages are cached.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)  # Spark (plugins/kpirules-spark)
if [ ${#need[@]} -gt 0 ] && [ "${KPIRULES_NO_APT:-}" != 1 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "== missing system packages (${need[*]}); run as root or: sudo apt-get install ${need[*]}" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
echo "== installing kpirules and its test dependencies"
.venv/bin/pip install -q -e ".[dev]"
# the example plugin packages, with their own test dependencies (kpirules-spark pulls pyspark)
for plugin in plugins/kpirules-xlsx plugins/kpirules-spark; do
  if [ -d "$plugin" ]; then
    .venv/bin/pip install -q -e "$plugin[test]" 2>/dev/null || .venv/bin/pip install -q -e "$plugin"
  fi
done
# The VS Code extension's npm packages (its grammar and client tests, `vsce package`).
# Installed again only when package-lock.json changed; skipped where Node.js is missing.
if command -v npm >/dev/null 2>&1; then
  if [ ! -f editors/vscode/node_modules/.package-lock.json ] \
     || [ editors/vscode/package-lock.json -nt editors/vscode/node_modules/.package-lock.json ]; then
    echo "== installing the VS Code extension's npm packages"
    (cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # the TextMate grammar is generated from grammar/kpirules.lark (git-ignored, never stale)
  (cd editors/vscode && KPIRULES_PYTHON="$(pwd)/../../.venv/bin/python" npm run --silent build >/dev/null)
else
  echo "== Node.js is missing: the VS Code extension's tests will be skipped" >&2
fi
