#!/usr/bin/env bash
# Set up kpirules and run the demo: the shipped marketing rulesets on the shipped
# sample data, written as HTML reports in reports/ (open reports/index.html).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${KPIRULES_DEMO_SETUP:-1}" = 0 ] || KPIRULES_NO_APT=1 scripts/setup.sh  # 0: the venv is ready (tests)
mkdir -p reports
data_for() {  # the sample exports each ruleset reads (--data may be repeated)
  case "$1" in
    seo) echo "--data examples/data/seo.csv" ;;  # site-level figures
    seo_keywords) echo "--data examples/data/seo_keywords.csv" ;;  # one row per month and keyword
    customers|team) echo "--data examples/data/company.csv" ;;
    orders) echo "--data examples/data/orders.csv" ;;  # raw order lines, counted by the ruleset
    *) echo "--data examples/data/marketing.csv" ;;
  esac
}
options_for() {  # columns of a shared export that the ruleset does not use, said once, not warned about
  case "$1" in
    seo|seo_keywords|orders) ;;  # their own exports (data_for): nothing to leave out
    customers) echo --ignore leavers --ignore avg_headcount --ignore absence_days --ignore scheduled_days \
      --ignore participants --ignore headcount ;;
    team) echo --ignore new_customers --ignore promoters --ignore detractors --ignore respondents \
      --ignore customers_start --ignore customers_end --ignore lost_customers --ignore csat_score \
      --ignore total_call_seconds --ignore calls ;;
    *) echo --config rulesets/kpirules.toml ;;  # the job's rulesets share marketing.csv
  esac
}
for rules in rulesets/*.kpi; do
  name=$(basename "$rules" .kpi)
  # shellcheck disable=SC2046  # the data options are meant to split into words
  .venv/bin/kpirules eval "$rules" $(data_for "$name") $(options_for "$name") --format html \
    -o "reports/$name.html" --fail-on never
done
.venv/bin/python -m kpirules.report.index reports  # reports/index.html links them all
.venv/bin/kpirules eval rulesets/funnel.kpi --data examples/data/marketing.csv --config rulesets/kpirules.toml \
  --fail-on never --by channel
echo
echo "HTML reports written to $(pwd)/reports/ — open reports/index.html in a browser."
