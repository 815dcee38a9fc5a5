#!/usr/bin/env bash
# Checks the Prometheus side of monitoring with promtool (fetched once by scripts/promtool.sh):
# the rules are valid, their unit tests pass, and the Compose scrape config (which loads the
# rules) is valid. That every metric they use is exported is checked by the jest spec
# tools/monitoring/metrics-coverage.spec.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

promtool() { bash scripts/promtool.sh "$@"; }

promtool check rules deploy/prometheus/rules.yml
promtool test rules deploy/prometheus/rules.test.yml
if [[ -f deploy/prometheus/prometheus.yml ]]; then
  promtool check config deploy/prometheus/prometheus.yml
fi
