#!/bin/bash
# Lab service redis-lag (profile web, variant redis-replica-lag), run on the Redis master's node: makes one
# replica fall genuinely behind. A write load (SET of a VALUE_BYTES value every INTERVAL s, one key, so memory
# stays flat) goes through the master while the replication stream to REPLICA leaves this node through an htb
# class capped at RATE (tbf-like; sch_netem is absent). Only that one TCP connection is capped: its port is
# read from `CLIENT LIST TYPE replica` and the u32 filter follows it when the replica reconnects, so Sentinel,
# the apps and ssh to the replica are untouched. Redis itself then reports the lag: the replica's acknowledged
# offset (INFO replication slaveN offset=) falls further behind master_repl_offset every second.
# On TERM the cap, the load and its key are removed (the replica catches up at full speed).
#   redis-lag.sh /etc/redis/hk-lag.conf    (REPLICA=addr RATE=tc-rate VALUE_BYTES=n INTERVAL=s DEV=eth0)
set -u
# shellcheck disable=SC1090
. "${1:?config file}"
: "${REPLICA:?}" "${RATE:?}" "${VALUE_BYTES:?}" "${INTERVAL:?}" "${DEV:=eth0}"
LOAD_KEY=hk:lag-load
load_pid=

cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null
  tc qdisc del dev "$DEV" root 2>/dev/null
  redis-cli DEL "$LOAD_KEY" >/dev/null 2>&1
  exit 0
}
trap cleanup TERM INT

# A cap left by a SIGKILLed run goes first.
tc qdisc del dev "$DEV" root 2>/dev/null
tc qdisc add dev "$DEV" root handle 1: htb default 10 r2q 1000 || exit 1
tc class add dev "$DEV" parent 1: classid 1:10 htb rate 10gbit quantum 200000 || exit 1
tc class add dev "$DEV" parent 1: classid 1:20 htb rate "$RATE" ceil "$RATE" quantum 1514 || exit 1
echo "$(date -Is) replication to $REPLICA capped at $RATE on $DEV; load: $VALUE_BYTES bytes every $INTERVAL s"

value=$(head -c "$VALUE_BYTES" /dev/zero | tr '\0' x)
redis-cli -r -1 -i "$INTERVAL" SET "$LOAD_KEY" "$value" >/dev/null 2>&1 &
load_pid=$!

port=
while :; do
  now=$(redis-cli CLIENT LIST TYPE replica 2>/dev/null | sed -n "s/.* addr=${REPLICA//./\\.}:\([0-9]*\) .*/\1/p" | head -n1)
  if [ -n "$now" ] && [ "$now" != "$port" ]; then
    tc filter del dev "$DEV" parent 1: prio 1 2>/dev/null
    if tc filter add dev "$DEV" parent 1: protocol ip prio 1 u32 \
      match ip dst "$REPLICA/32" match ip sport 6379 0xffff match ip dport "$now" 0xffff flowid 1:20; then
      echo "$(date -Is) capping the replication connection to $REPLICA:$now"
      port=$now
    fi
  fi
  sleep 2 &
  wait $!
done
