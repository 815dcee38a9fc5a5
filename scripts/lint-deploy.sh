#!/usr/bin/env bash
# Lints the Docker side of the deployment: docker-compose.yml with dclint (rules in .dclintrc)
# and the Dockerfile with dockerfile-utils. A warning fails as an error does, so that findings
# are fixed (or a rule is reconfigured in .dclintrc, with the reason) rather than piling up.
# Usage: scripts/lint-deploy.sh [compose file] [Dockerfile]   (defaults: the repository's own)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

compose_file="${1:-docker-compose.yml}"
dockerfile="${2:-Dockerfile}"
status=0

# dclint validates against the Compose schema first (an invalid file is an error), then its rules.
if ! npx --no-install dclint --max-warnings 0 "$compose_file"; then
  echo "lint-deploy: $compose_file has dclint findings (above)" >&2
  status=1
fi

# The CLI exits non-zero on errors only; its JSON lists warnings too, and any diagnostic fails.
diagnostics="$(npx --no-install dockerfile-utils lint --json "$dockerfile" || true)"
if ! node -e '
  const [file, text] = process.argv.slice(1);
  let found;
  try { found = JSON.parse(text); } catch { console.error(`dockerfile-utils gave no report for ${file}: ${text}`); process.exit(1); }
  for (const d of found) console.error(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.message}`);
  process.exit(found.length === 0 ? 0 : 1);
' "$dockerfile" "$diagnostics"; then
  echo "lint-deploy: $dockerfile has dockerfile-utils findings (above)" >&2
  status=1
fi

if ((status == 0)); then echo "lint-deploy: $compose_file and $dockerfile are clean"; fi
exit "$status"
