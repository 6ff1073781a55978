#!/usr/bin/env bash
# The one test command (`npm test`): sets up what is missing, builds, runs every
# test (unit, then integration against real sshd and the lab).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
if [ "$(id -u)" -eq 0 ] && [ "$(uname -s)" = Linux ]; then
  bash scripts/install-deps.sh
fi
npm run build --silent
exec npx vitest run "$@"
