#!/usr/bin/env bash
# Re-takes the lab captures shipped in examples/ (verbatim tool output, `hacheck facts --save`),
# healthy, misconfigured and degraded. Needs root and the lab's Debian packages; takes ~6 min.
# The healthy capture is taken after one real game day (examples/gamedays/heartbeat-failover.yaml: the
# heartbeat of the service node pulled under HTTP load, the node fenced, the service moved), so its chaos
# history holds a passing run, as a cluster that passes failover.tested would; every other capture is taken
# with an empty hacheck state directory: no chaos history is carried.
#   bash scripts/capture-examples.sh [NAME...]     (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
hacheck() { node bin/run.js "$@"; }
inv=/var/lib/hacheck-lab/inventory.yaml
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
export XDG_STATE_HOME=$state

in_node() { local pid; pid=$(cat "/var/lib/hacheck-lab/nodes/$1/init.pid"); shift; nsenter -t "$pid" -m -u -n -p --wd=/ -- "$@"; }
export -f in_node
members() { in_node "$1" corosync-quorumtool -l 2>/dev/null | awk '$1 ~ /^[0-9]+$/ {print $3}' | tr '\n' ' '; }
until_true() { local n=0; until "$@"; do sleep 0.25; n=$((n + 1)); [ "$n" -lt 240 ] || { echo "timed out: $*" >&2; return 1; }; done; }
healthy() { hacheck lab up --variant "${1:-healthy}" -q >/dev/null; }
save() {
  rm -rf "examples/lab-$1"
  LAB_BMC_PASSWORD=$(hacheck lab status --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).env.LAB_BMC_PASSWORD))')
  LAB_BMC_PASSWORD=$LAB_BMC_PASSWORD hacheck facts -i "$inv" --save "examples/lab-$1" --connect-timeout 3s -q --log-file none >/dev/null
  echo "captured examples/lab-$1"
}

labenv() {
  hacheck lab status --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const[k,v]of Object.entries(JSON.parse(s).env))console.log(`export ${k}=${JSON.stringify(v)}`)})'
}
gameday() {
  (eval "$(labenv)"; hacheck chaos run examples/gamedays/heartbeat-failover.yaml -i "$inv" --yes -q --log-file none >/dev/null)
}

take() {
  case $1 in
    healthy)
      healthy
      XDG_STATE_HOME=$state/healthy gameday
      healthy
      XDG_STATE_HOME=$state/healthy save healthy ;;
    stonith-disabled) healthy stonith-disabled; save stonith-disabled ;;
    hb-public) healthy hb-public; save hb-public ;;
    node-off-early)
      # Powered off; the survivors still count it (membership changes ~7 s later).
      healthy; hacheck lab degrade power-off --node n3 -q >/dev/null; save node-off-early ;;
    node-off-fenced)
      # Membership updated and the node fenced (rebooted), still in its simulated POST: not answering.
      healthy; hacheck lab degrade power-off --node n3 -q >/dev/null
      until_true bash -c '! in_node n1 corosync-quorumtool -l | grep -qw n3'
      until_true bash -c "in_node n1 stonith_admin --history n3 --verbose | grep -q 'reboot of n3 successful'"
      save node-off-fenced ;;
    minority) healthy; hacheck lab degrade isolate -q >/dev/null; sleep 20; save minority ;;
    link-down) healthy hb-redundant; hacheck lab degrade link-down --node n1 -q >/dev/null; save link-down ;;
    fence-failed) healthy; hacheck lab degrade failed-fence --node n3 -q >/dev/null; save fence-failed ;;
    maintenance) healthy; hacheck lab degrade maintenance -q >/dev/null; save maintenance ;;
    cli-ban) healthy; hacheck lab degrade cli-ban -q >/dev/null; sleep 5; save cli-ban ;;
    *) echo "unknown capture $1" >&2; exit 2 ;;
  esac
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(healthy stonith-disabled hb-public node-off-early node-off-fenced minority link-down fence-failed maintenance cli-ban)
for n in "${names[@]}"; do take "$n"; done
healthy
