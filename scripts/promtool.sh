#!/usr/bin/env bash
# promtool (Prometheus's rule checker and unit-test runner), without installing anything.
#
# The first run takes promtool out of Debian's `prometheus` package: `apt-get download` (no
# root needed, only the package lists) into a temporary directory, `dpkg-deb -x`, and keeps
# usr/bin/promtool in <repo>/.cache/promtool/ (gitignored). Later runs use that copy. Then it
# runs promtool with the arguments given:
#
#   scripts/promtool.sh --version
#   scripts/promtool.sh check rules deploy/prometheus/rules.yml
#   scripts/promtool.sh test rules deploy/prometheus/rules.test.yml
#
# Environment (all optional):
#   PROMTOOL             a promtool binary to use instead (nothing is fetched)
#   PROMTOOL_CACHE_DIR   default <repo>/.cache/promtool
#   PROMTOOL_PACKAGE     the Debian package to take it from, default prometheus
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${PROMTOOL_CACHE_DIR:-$REPO_DIR/.cache/promtool}"
PACKAGE="${PROMTOOL_PACKAGE:-prometheus}"
BIN="$CACHE_DIR/promtool"

log() { echo "promtool.sh: $*" >&2; }

fetch() {
  local tool
  for tool in apt-get dpkg-deb; do
    command -v "$tool" >/dev/null || {
      log "$tool not found: this script takes promtool from a Debian package." \
        "Elsewhere, set PROMTOOL to a promtool binary (https://prometheus.io/download/)."
      exit 1
    }
  done
  mkdir -p "$CACHE_DIR"
  local work
  work="$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT
  log "fetching promtool from the Debian package '$PACKAGE' (once, into $CACHE_DIR)"
  if ! (cd "$work" && apt-get download -q "$PACKAGE" >"$work/apt.log" 2>&1); then
    cat "$work/apt.log" >&2
    log "apt-get download $PACKAGE failed. If the package is unknown, the package lists may" \
      "be missing: run 'apt-get update' (as root) once, or set PROMTOOL to a promtool binary."
    exit 1
  fi
  local deb
  deb="$(find "$work" -maxdepth 1 -name "${PACKAGE}_*.deb" | head -n 1)"
  [[ -n "$deb" ]] || { log "apt-get download left no ${PACKAGE}_*.deb in $work"; exit 1; }
  dpkg-deb -x "$deb" "$work/root"
  [[ -x "$work/root/usr/bin/promtool" ]] || {
    log "$(basename "$deb") holds no usr/bin/promtool"
    exit 1
  }
  # Tested before it is kept, and moved into place in one step, so that an interrupted or
  # concurrent fetch never leaves a broken binary behind.
  "$work/root/usr/bin/promtool" --version >/dev/null 2>&1 || {
    log "the promtool from $(basename "$deb") does not run on this machine"
    exit 1
  }
  mv -f "$work/root/usr/bin/promtool" "$BIN"
  rm -rf "$work"
  trap - EXIT
  log "kept $("$BIN" --version 2>&1 | head -n 1) as $BIN"
}

if [[ -n "${PROMTOOL:-}" ]]; then
  exec "$PROMTOOL" "$@"
fi
[[ -x "$BIN" ]] || fetch
exec "$BIN" "$@"
