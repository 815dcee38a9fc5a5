# Shared helpers for the project's scripts (sourced, not run).
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${LEADPIPE_RUN_DIR:-$REPO_DIR/.run}"

say() { echo "leadpipe: $*" >&2; }

# npm ci when node_modules is missing or older than the lock file (always in CI).
ensure_node_modules() {
  if [[ "${CI:-}" == "true" || ! -f "$REPO_DIR/node_modules/.package-lock.json" \
        || "$REPO_DIR/package-lock.json" -nt "$REPO_DIR/node_modules/.package-lock.json" ]]; then
    say "installing dependencies (npm ci)"
    (cd "$REPO_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

build() {
  say "building"
  (cd "$REPO_DIR" && npm run --silent build)
}

# The machine's PostgreSQL and Redis are used as they are; start them if they have stopped.
ensure_postgres_and_redis() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    say "PostgreSQL is not answering; starting the local cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    say "Redis is not answering; starting it"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  fi
}

# Polls a URL until it answers 2xx or the deadline passes.
wait_http() {
  local url="$1" what="$2" deadline=$((SECONDS + ${3:-60}))
  until node -e "fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))" "$url"; do
    if ((SECONDS >= deadline)); then
      say "$what did not become ready at $url"
      return 1
    fi
    sleep 0.5
  done
}
