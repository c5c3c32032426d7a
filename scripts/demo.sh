#!/usr/bin/env bash
# Set up kpirules and run the demo: the shipped marketing rulesets on the shipped
# sample data, written as HTML reports in reports/ (open reports/index.html).
set -euo pipefail
cd "$(dirname "$0")/.."
KPIRULES_NO_APT=1 scripts/setup.sh
mkdir -p reports
data=examples/data/marketing.csv
for rules in rulesets/*.kpi; do
  name=$(basename "$rules" .kpi)
  .venv/bin/kpirules eval "$rules" --data "$data" --format html -o "reports/$name.html" --fail-on never
done
.venv/bin/kpirules eval rulesets/funnel.kpi --data "$data" --fail-on never --by none
echo
echo "HTML reports written to $(pwd)/reports/ — open reports/funnel.html in a browser."
