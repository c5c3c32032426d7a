#!/usr/bin/env bash
# Set up kpirules and run the demo: the shipped marketing rulesets on the shipped
# sample data, written as HTML reports in reports/ (open reports/index.html).
set -euo pipefail
cd "$(dirname "$0")/.."
KPIRULES_NO_APT=1 scripts/setup.sh
mkdir -p reports
data_for() {  # the sample export each ruleset reads
  case "$1" in
    seo) echo examples/data/seo.csv ;;
    customers|team) echo examples/data/company.csv ;;
    *) echo examples/data/marketing.csv ;;
  esac
}
for rules in rulesets/*.kpi; do
  name=$(basename "$rules" .kpi)
  .venv/bin/kpirules eval "$rules" --data "$(data_for "$name")" --format html -o "reports/$name.html" \
    --fail-on never 2>/dev/null
done
.venv/bin/kpirules eval rulesets/funnel.kpi --data examples/data/marketing.csv --fail-on never --by channel \
  2>/dev/null
echo
echo "HTML reports written to $(pwd)/reports/ — open reports/funnel.html in a browser."
