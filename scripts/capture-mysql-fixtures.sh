#!/usr/bin/env bash
# Re-takes test/fixtures/outputs/mysql-replica-lab/ (verbatim output of the mysql-replica snippet, run inside
# the lab's nodes as the audit runs it) from `hacheck lab up --profile mysql`, healthy and with each variant.
# Needs root and the machine's lab lock (it switches lab variants).
#   bash scripts/capture-mysql-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/outputs/mysql-replica-lab
cap() { bash test/fixtures/outputs/capture-in-lab.sh "$1" mysql-replica mysqlReplica "$out/$2.txt"; }
hacheck() { node bin/dev.js "$@"; }
lab() { hacheck lab up --profile mysql --variant "${1:-healthy}" -q >/dev/null; }
in_node() { local pid; pid=$(cat "/var/lib/hacheck-lab/nodes/$1/init.pid"); shift; nsenter -t "$pid" -m -u -n -p --wd=/ -- "$@"; }
mkdir -p "$out"

lab
cap m1 source-semisync
cap m2 replica-semisync
lab mysql-writable-replica
cap m2 replica-writable
lab mysql-sql-stopped
cap m2 replica-sql-stopped
lab mysql-async
cap m1 source-async
cap m2 replica-async
lab mysql-delayed
in_node m1 mariadb -e 'CREATE TABLE IF NOT EXISTS hacheck.capture (id INT PRIMARY KEY); REPLACE INTO hacheck.capture VALUES (1)'
sleep 8
cap m2 replica-delayed
lab
in_node m1 mariadb -e 'DROP TABLE IF EXISTS hacheck.capture'
for f in "$out"/*.txt; do
  [ "$(cat "$f.rc")" = rc=0 ] && [ ! -s "$f.err" ] || { echo "$f: $(cat "$f.rc"), stderr: $(cat "$f.err")" >&2; exit 1; }
  rm -f "$f.rc" "$f.err"
done
echo "captured into $out"
