#!/usr/bin/env bash
# Runs the four services (and the Netrows simulator when no NETROWS_API_KEY is set) as
# background processes on this machine, from the compiled build.
#
#   scripts/pipeline.sh start    start whatever is not already running, wait until ready
#   scripts/pipeline.sh stop     SIGTERM each process this script started (they drain)
#   scripts/pipeline.sh status
#
# Logs: .run/logs/<service>.log; pids: .run/pids/<service>.pid.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
mkdir -p "$LOG_DIR" "$PID_DIR"

export INGEST_PORT="${INGEST_PORT:-3000}" ENRICHER_PORT="${ENRICHER_PORT:-3001}"
export VALIDATOR_PORT="${VALIDATOR_PORT:-3002}" NOTIFIER_PORT="${NOTIFIER_PORT:-3003}"
SIM_PORT="${NETROWS_SIM_PORT:-4010}"

# Without a real key the enricher talks to the local simulator. The demo limit is generous
# so that examples/leads.csv finishes in about a minute; with a real key, set
# NETROWS_RATE_LIMIT_PER_MINUTE to your plan's limit.
if [[ -z "${NETROWS_API_KEY:-}" ]]; then
  USE_SIMULATOR=1
  export NETROWS_API_KEY="local-simulator-key"
  export NETROWS_BASE_URL="http://127.0.0.1:$SIM_PORT/v1"
  export NETROWS_RATE_LIMIT_PER_MINUTE="${NETROWS_RATE_LIMIT_PER_MINUTE:-600}"
  export NETROWS_SIM_RATE_LIMIT_PER_MINUTE="${NETROWS_SIM_RATE_LIMIT_PER_MINUTE:-$NETROWS_RATE_LIMIT_PER_MINUTE}"
  export NETROWS_SIM_PORT="$SIM_PORT"
else
  USE_SIMULATOR=0
fi

entry_of() {
  case "$1" in
    netrows-simulator) echo "dist/tools/netrows-simulator/main.js" ;;
    *) echo "dist/apps/$1/src/main.js" ;;
  esac
}

health_url_of() {
  case "$1" in
    netrows-simulator) echo "http://127.0.0.1:$SIM_PORT/_sim/health" ;;
    ingest) echo "http://127.0.0.1:$INGEST_PORT/health/ready" ;;
    enricher) echo "http://127.0.0.1:$ENRICHER_PORT/health/ready" ;;
    validator) echo "http://127.0.0.1:$VALIDATOR_PORT/health/ready" ;;
    notifier) echo "http://127.0.0.1:$NOTIFIER_PORT/health/ready" ;;
  esac
}

services() {
  if ((USE_SIMULATOR)); then echo netrows-simulator; fi
  echo ingest enricher validator notifier
}

running_pid() {
  local pid_file="$PID_DIR/$1.pid" pid
  [[ -f "$pid_file" ]] || return 1
  pid="$(cat "$pid_file")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start_one() {
  local name="$1" url
  url="$(health_url_of "$name")"
  if running_pid "$name" >/dev/null || node -e "fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))" "$url"; then
    say "$name already running"
    return 0
  fi
  say "starting $name (log $LOG_DIR/$name.log)"
  # Detached from this shell (own session, no inherited descriptors) so callers never wait on it.
  setsid nohup node "$REPO_DIR/$(entry_of "$name")" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$PID_DIR/$name.pid"
}

cmd_start() {
  [[ -f "$REPO_DIR/dist/apps/ingest/src/main.js" ]] || { say "no build found: run 'npm run build' first"; exit 1; }
  for name in $(services); do start_one "$name"; done
  for name in $(services); do
    wait_http "$(health_url_of "$name")" "$name" 90 || { tail -n 30 "$LOG_DIR/$name.log" >&2; exit 1; }
  done
  say "pipeline ready: ingest on http://127.0.0.1:$INGEST_PORT"
}

cmd_stop() {
  local names=(notifier validator enricher ingest netrows-simulator) pid
  for name in "${names[@]}"; do
    if pid="$(running_pid "$name")"; then
      say "stopping $name (pid $pid)"
      kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$PID_DIR/$name.pid"
  done
}

cmd_status() {
  local all=0 pid
  for name in netrows-simulator ingest enricher validator notifier; do
    if pid="$(running_pid "$name")"; then echo "$name: running (pid $pid)"; else echo "$name: not running"; all=1; fi
  done
  return $all
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
