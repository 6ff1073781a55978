#!/usr/bin/env bash
# `npm run bench`: hacheck audit vs parallel-ssh running the same gather script,
# on N lightweight sshd-only nodes (network namespaces on 198.18.8.0/22, each
# with its own sshd and PID namespace). Ratios are against parallel-ssh measured
# in the same run, never absolute times. Writes docs/benchmarks.md.
# Needs root on Linux (namespaces) and Debian's openssh-server and pssh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -f oclif.manifest.json ] || npm run build --silent
exec npx tsx bench/fleet.ts "$@"
