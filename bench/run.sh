#!/usr/bin/env bash
# `npm run bench`: hacheck audit against the raw ssh2 floor (same ssh2, same
# script, same nodes, same concurrency) on fleets of N sshd-only nodes
# (network namespaces on 198.18.8.0/22, each with its own sshd and PID
# namespace), plus start-up costs. Ratios, never absolute times, are the result;
# writes docs/benchmarks.md. Needs root on Linux, 2+ cores, Debian's
# openssh-server and time; hold the machine lock (/tmp/hacheck-lab.lock) while
# it runs. Arguments: --sizes=50,200,500 --runs=5,5,3 --startup-runs=10.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
# Always measure the current sources.
npm run build --silent 2> >(grep -v 'oclif update available' >&2)
exec npx tsx bench/bench.ts "$@"
