#!/usr/bin/env bash
# Re-takes the web-stack parser fixtures under test/fixtures/outputs/ (verbatim output of each gatherer's
# snippet, run inside the lab's nodes as the audit runs it) from a running `hacheck lab up --profile web`.
# Needs root and the machine's lab lock (it switches lab variants and kills daemons in the lab's nodes).
#   bash scripts/capture-web-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/outputs
cap() { bash "$out/capture-in-lab.sh" "$@"; }
hacheck() { node bin/run.js "$@"; }
lab() { hacheck lab up --profile web --variant "${1:-healthy}" -q >/dev/null; }
in_node() { local pid; pid=$(cat "/var/lib/hacheck-lab/nodes/$1/init.pid"); shift; nsenter -t "$pid" -m -u -n -p --wd=/ -- "$@"; }
snippet() { npx tsx -e "import('./src/$1.ts').then((m) => { const x = m['$2']; process.stdout.write(typeof x === 'function' ? x() : typeof x === 'string' ? x : x.script) })"; }
export -f in_node
until_true() { local n=0; until "$@"; do sleep 0.25; n=$((n + 1)); [ "$n" -lt 240 ] || { echo "timed out: $*" >&2; return 1; }; done; }
master_lb() { for n in lb1 lb2; do if in_node "$n" ip -o -4 addr show dev eth0 | grep -q ' 198.18.2.100/'; then echo "$n"; fi; done; }
export -f master_lb
mkdir -p "$out"/{keepalived-conf,keepalived-state,keepalived-log,redis-sentinel,redis-replication-lab,haproxy-runtime,app-sessions,sentinel-log}

lab
m=$(master_lb | head -n1); b=$([ "$m" = lb1 ] && echo lb2 || echo lb1)
cap lb1 keepalived-conf keepalivedConf "$out/keepalived-conf/lb1-healthy.txt"
cap "$m" keepalived-state keepalivedState "$out/keepalived-state/master.txt"
cap "$b" keepalived-state keepalivedState "$out/keepalived-state/backup.txt"
cap lb1 haproxy-runtime haproxyRuntime "$out/haproxy-runtime/healthy.txt"
cap redis1 redis-sentinel redisSentinel "$out/redis-sentinel/healthy-redis1.txt"
cap redis1 redis-replication redisReplication "$out/redis-replication-lab/master.txt"
cap redis2 redis-replication redisReplication "$out/redis-replication-lab/replica.txt"
cap app1 app-sessions appSessions "$out/app-sessions/redis-sentinel.txt"
in_node lb1 bash -c "$(snippet chaos/faults/lb-drain SERVERS_STATE_SCRIPT)" >"$out/haproxy-runtime/servers-state.txt"

# A backend DOWN: app2's server stopped.
in_node app2 systemctl stop webapp
until_true bash -c "in_node lb1 bash -c 'echo show stat | socat stdio UNIX-CONNECT:/run/haproxy/admin.sock' | grep -q '^be_app,app2,.*,DOWN,'"
cap lb1 haproxy-runtime haproxyRuntime "$out/haproxy-runtime/app2-down.txt"
in_node app2 systemctl start webapp

# haproxy killed on the MASTER: keepalived's track script puts it in FAULT, the peer takes over.
in_node "$m" bash -c 'kill -KILL $(pgrep -x haproxy)'
until_true bash -c "[ \"\$(in_node $b ip -o -4 addr show dev eth0 | grep -c ' 198.18.2.100/')\" = 1 ]"
sleep 2
cap "$m" keepalived-state keepalivedState "$out/keepalived-state/fault.txt"
in_node "$m" systemctl start haproxy
sleep 3
in_node "$m" bash -c "$(snippet chaos/keepalived-log keepalivedLogScript)" >"$out/keepalived-log/$m-fault.txt"
in_node "$b" bash -c "$(snippet chaos/keepalived-log keepalivedLogScript)" >"$out/keepalived-log/$b-master.txt"

# keepalived SIGKILLed on the MASTER: it leaves its VIP behind while the peer becomes MASTER.
m2=$(master_lb | head -n1); b2=$([ "$m2" = lb1 ] && echo lb2 || echo lb1)
in_node "$m2" bash -c 'kill -KILL $(pgrep -x keepalived)'
until_true bash -c "in_node $b2 ip -o -4 addr show dev eth0 | grep -q ' 198.18.2.100/'"
sleep 1
cap "$b2" keepalived-state keepalivedState "$out/keepalived-state/after-peer-killed.txt"
in_node "$m2" ip -j addr show >"$out/keepalived-state/stale-vip-ip-addr.json"
in_node "$m2" ip addr del 198.18.2.100/24 dev eth0 || true
in_node "$m2" systemctl start keepalived

lab vrrp-split
until_true bash -c "[ \"\$(master_lb | wc -l)\" = 2 ]"
sleep 2
cap lb1 keepalived-state keepalivedState "$out/keepalived-state/split-lb1.txt"
cap lb2 keepalived-state keepalivedState "$out/keepalived-state/split-lb2.txt"
cap lb2 keepalived-conf keepalivedConf "$out/keepalived-conf/lb2-split.txt"
lab vrrp-peer-mgmt
cap lb1 keepalived-conf keepalivedConf "$out/keepalived-conf/lb1-peer-mgmt.txt"
lab vrrp-no-track
cap lb1 keepalived-conf keepalivedConf "$out/keepalived-conf/lb1-no-track.txt"

lab sentinel-two
cap redis1 redis-sentinel redisSentinel "$out/redis-sentinel/two-redis1.txt"
cap redis3 redis-sentinel redisSentinel "$out/redis-sentinel/two-redis3-unconfigured.txt"
lab redis-no-min-replicas
cap redis1 redis-replication redisReplication "$out/redis-replication-lab/master-no-min-replicas.txt"
lab redis-replica-lag
cap redis1 redis-replication redisReplication "$out/redis-replication-lab/master-replica-lag.txt"
cap redis3 redis-replication redisReplication "$out/redis-replication-lab/replica-lagging.txt"
lab memcached-single
cap app1 app-sessions appSessions "$out/app-sessions/memcached-single.txt"
lab sticky-local
cap app1 app-sessions appSessions "$out/app-sessions/local.txt"

# The Redis master killed: Sentinel promotes a replica.
lab
in_node redis1 bash -c 'kill -KILL $(pgrep -x redis-server)'
until_true bash -c "in_node redis2 redis-cli -p 26379 INFO sentinel | grep -q 'address=198.18.2.6[23]:6379'"
sleep 2
cap redis2 redis-sentinel redisSentinel "$out/redis-sentinel/after-failover-redis2.txt"
in_node redis2 bash -c "$(snippet chaos/sentinel-log sentinelLogScript)" >"$out/sentinel-log/redis2-failover.txt"
lab
echo "captured under $out (check the .err/.rc files, then delete them)"
