#!/usr/bin/env bash
# The one test command (`npm test`): sets up what is missing (npm packages,
# Debian packages when root), builds, then runs the unit tests and, after them,
# the integration tests (real sshd, the lab). The two phases run one after the
# other so the timing-sensitive chaos measurements never compete with the unit
# suite for the 2 cores. Extra arguments go to vitest as is (one run).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
if [ "$(id -u)" -eq 0 ] && [ "$(uname -s)" = Linux ]; then
  bash scripts/install-deps.sh
fi
npm run build --silent 2> >(grep -v 'oclif update available' >&2)
if [ $# -gt 0 ]; then
  exec npx vitest run "$@"
fi
rc=0
npx vitest run --project unit || rc=$?
npx vitest run --project integration || rc=$?
exit "$rc"
