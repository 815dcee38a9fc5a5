#!/usr/bin/env bash
# The whole test suite, from nothing: install, build, PostgreSQL and Redis checks, a Kafka
# broker (reused if one answers, else started and stopped again at the end), then unit,
# integration and end-to-end tests. Each suite makes its own topics, consumer groups,
# database and Redis key prefix, so runs never see each other's state.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_DIR"

ensure_node_modules
build
ensure_postgres_and_redis

started_kafka=0
if ! bash scripts/kafka.sh status >/dev/null 2>&1; then
  started_kafka=1
fi
bash scripts/kafka.sh start
cleanup() {
  if ((started_kafka)); then bash scripts/kafka.sh stop || true; fi
}
trap cleanup EXIT

say "type-checking and lint"
npm run --silent check

say "monitoring rules (promtool check and unit tests)"
npm run --silent check:monitoring

say "Compose file and Dockerfile lint"
npm run --silent lint:deploy

say "unit tests"
npx jest --ci --selectProjects unit --maxWorkers=2 "$@"

# Suites on real infrastructure run one at a time: each starts its own services, and two
# cores are shared by all of it.
say "integration and end-to-end tests"
npx jest --ci --selectProjects integration e2e --runInBand "$@"
