#!/usr/bin/env bash
# The "power supply" of one lab node. ipmi_sim (the node's BMC) runs this as its
# startcmd at power-on; power status is "this process is alive"; power-off is SIGTERM
# to this process (SIGKILL after kill_wait). A power-off must be hard and total:
#  - SIGKILL the node's PID-namespace init, so the kernel kills every process of the node;
#  - take the node's NICs down and flush their addresses, because the network namespace
#    outlives its processes and would otherwise keep answering ARP/ping (and hold the VIP).
set -uo pipefail

NODE_DIR="${1:?usage: bmc-power.sh NODE_DIR}"
# shellcheck source=/dev/null
. "$NODE_DIR/node.env"

say() { echo "$(date +%T.%3N) bmc-power[$NODE_NAME]: $*" >>"$NODE_DIR/power.log"; }

upid=""
init_pid=""

nics_off() {
  local spec dev
  for spec in $IFACES; do
    dev="${spec%%:*}"
    ip -n "$NETNS" link set "$dev" down 2>/dev/null || true
    ip -n "$NETNS" addr flush dev "$dev" 2>/dev/null || true
  done
}

power_off() {
  say "power off (init=$init_pid unshare=$upid)"
  [ -n "$init_pid" ] && kill -KILL "$init_pid" 2>/dev/null
  [ -n "$upid" ] && kill -KILL "$upid" 2>/dev/null
  nics_off
  rm -f "$NODE_DIR/init.pid" "$NODE_DIR/power.pid"
  say "off"
  exit 0
}
trap power_off TERM INT HUP

echo $$ >"$NODE_DIR/power.pid"
nics_off
up_s="$(cut -d' ' -f1 /proc/uptime)"
up_s="${up_s%%.*}"
say "power on"
ip netns exec "$NETNS" unshare --mount --uts --pid --fork --kill-child=SIGKILL --mount-proc \
  --time --boottime "-$up_s" "$LAB_BIN/node-init.sh" "$NODE_DIR" >>"$NODE_DIR/console.log" 2>&1 &
upid=$!
# The node's init is unshare's only child; record its host PID for tear-down and nsenter.
for _ in $(seq 1 200); do
  children=""
  read -r children <"/proc/$upid/task/$upid/children" 2>/dev/null || true
  if [ -n "$children" ]; then
    init_pid="${children%% *}"
    break
  fi
  kill -0 "$upid" 2>/dev/null || break
  sleep 0.02
done
echo "$init_pid" >"$NODE_DIR/init.pid"
say "init pid $init_pid"
# wait returns early when a trapped signal arrives.
while kill -0 "$upid" 2>/dev/null; do
  wait "$upid"
done
say "node halted by itself"
init_pid=""
power_off
