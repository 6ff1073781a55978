#!/usr/bin/env bash
# A tiny systemctl for lab nodes (bind-mounted over /usr/bin/systemctl inside nodes only):
# pcs, crmsh and hacheck's fact gatherers call systemctl, and a node has no systemd.
# Supports start, stop, restart, reload, is-active, is-enabled, enable, disable, status,
# daemon-reload and list-units for the services the lab runs.
set -uo pipefail

env_file=""
# PID 1 is node-init.sh NODE_DIR: find the node's env file from its command line.
mapfile -d '' -t init_argv </proc/1/cmdline 2>/dev/null || init_argv=()
for a in "${init_argv[@]}"; do
  [ -f "$a/node.env" ] && env_file="$a/node.env"
done
if [ -z "$env_file" ]; then
  echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2
  exit 1
fi
NODE_DIR="$(dirname "$env_file")"
# shellcheck source=/dev/null
. "$env_file"
# shellcheck source=services.sh
. "$LAB_BIN/services.sh"

quiet=0
args=()
for a in "$@"; do
  case "$a" in
    -q | --quiet) quiet=1 ;;
    --no-pager | --no-block | --no-legend | --plain | --full | -l | --system) ;;
    -*) ;;
    *) args+=("$a") ;;
  esac
done
verb="${args[0]:-list-units}"
units=("${args[@]:1}")

enabled() { [[ " $SERVICES " == *" $1 "* ]]; }

rc=0
case "$verb" in
  daemon-reload | reset-failed) exit 0 ;;
  list-units | list-unit-files)
    for s in $SERVICES; do
      if svc_running "$s"; then st=active; else st=inactive; fi
      echo "$s.service loaded $st"
    done
    exit 0
    ;;
esac

for u in "${units[@]}"; do
  if ! s="$(svc_name "$u")"; then
    [ "$quiet" = 1 ] || echo "Unit $u could not be found." >&2
    case "$verb" in
      is-active) echo inactive ;;
      is-enabled) echo not-found ;;
    esac
    rc=4
    continue
  fi
  case "$verb" in
    start) svc_start "$s" || rc=1 ;;
    stop) svc_stop "$s" || rc=1 ;;
    restart | try-restart | reload-or-restart)
      svc_stop "$s"
      svc_start "$s" || rc=1
      ;;
    reload)
      if pid="$(svc_pid "$s")"; then kill -HUP "$pid"; else rc=1; fi
      ;;
    is-active)
      if svc_running "$s"; then
        [ "$quiet" = 1 ] || echo active
      else
        [ "$quiet" = 1 ] || echo inactive
        rc=3
      fi
      ;;
    is-enabled)
      if enabled "$s"; then
        [ "$quiet" = 1 ] || echo enabled
      else
        [ "$quiet" = 1 ] || echo disabled
        rc=1
      fi
      ;;
    is-failed)
      [ "$quiet" = 1 ] || echo inactive
      rc=1
      ;;
    enable | disable) ;;
    status | show)
      if pid="$(svc_pid "$s")"; then
        echo "● $s.service - $s (hacheck lab)"
        echo "     Loaded: loaded (lab node $NODE_NAME; $(enabled "$s" && echo enabled || echo disabled))"
        echo "     Active: active (running)"
        echo "   Main PID: $pid"
      else
        echo "○ $s.service - $s (hacheck lab)"
        echo "     Loaded: loaded (lab node $NODE_NAME; $(enabled "$s" && echo enabled || echo disabled))"
        echo "     Active: inactive (dead)"
        rc=3
      fi
      ;;
    *)
      echo "systemctl (hacheck lab shim): unsupported verb $verb" >&2
      exit 1
      ;;
  esac
done
exit "$rc"
