# shellcheck shell=bash
# Service control inside one lab node (sourced by node-init.sh and systemctl-shim.sh).
# Each service runs in the background, is reparented to the node's PID 1 (node-init.sh,
# which reaps it) and is tracked by the PID file /run/hk-svc/NAME.pid. PIDs are the node's
# own (its PID namespace), so nothing here can reach a process outside the node.

HK_SVC_DIR=/run/hk-svc

# The command line of a service (one line, word-split by the caller).
svc_cmd() {
  case "$1" in
    sshd) echo "/usr/sbin/sshd -D -f /etc/ssh/sshd_config" ;;
    rsyslog) echo "/usr/sbin/rsyslogd -n -iNONE -f /etc/rsyslog.conf" ;;
    corosync) echo "/usr/sbin/corosync -f" ;;
    pacemaker) echo "/usr/sbin/pacemakerd" ;;
    corosync-qdevice) echo "/usr/sbin/corosync-qdevice -f" ;;
    corosync-qnetd) echo "/usr/bin/corosync-qnetd -f -s off" ;;
    haproxy) echo "/usr/sbin/haproxy -W -db -f /etc/haproxy/haproxy.cfg" ;;
    webapp) echo "/usr/bin/python3 ${LAB_BIN:?}/webapp.py /srv/app/app.conf" ;;
    *) return 1 ;;
  esac
}

# Maps systemd unit names to lab service names.
svc_name() {
  local n="${1%.service}"
  case "$n" in
    ssh | sshd) echo sshd ;;
    rsyslog | syslog) echo rsyslog ;;
    corosync | pacemaker | corosync-qdevice | corosync-qnetd | haproxy | webapp) echo "$n" ;;
    *) return 1 ;;
  esac
}

svc_pid() {
  local f="$HK_SVC_DIR/$1.pid" pid
  [ -s "$f" ] || return 1
  read -r pid <"$f" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

svc_running() { svc_pid "$1" >/dev/null; }

# Waits until a command succeeds (up to $1 tenths of a second).
svc_wait_for() {
  local tenths="$1" i=0
  shift
  while ! "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -ge "$tenths" ] && return 1
    sleep 0.1
  done
}

svc_start() {
  local name="$1" cmd
  cmd="$(svc_cmd "$name")" || {
    echo "unknown service $name" >&2
    return 1
  }
  svc_running "$name" && return 0
  mkdir -p "$HK_SVC_DIR" /var/log/hacheck
  case "$name" in
    pacemaker)
      svc_start corosync
      # pacemakerd exits at once when corosync's CFG service is not answering yet.
      svc_wait_for 150 corosync-cmapctl -g totem.cluster_name || echo "corosync not answering, starting pacemaker anyway" >&2
      export PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=daemon
      ;;
    corosync-qdevice)
      svc_start corosync
      svc_wait_for 150 corosync-cmapctl -g totem.cluster_name || true
      ;;
  esac
  # shellcheck disable=SC2086
  setsid $cmd </dev/null >>"/var/log/hacheck/$name.out" 2>&1 &
  echo $! >"$HK_SVC_DIR/$name.pid"
  case "$name" in
    corosync) svc_wait_for 150 corosync-cmapctl -g totem.cluster_name || true ;;
  esac
  return 0
}

svc_stop() {
  local name="$1" pid i
  case "$name" in
    corosync)
      svc_stop pacemaker
      svc_stop corosync-qdevice
      ;;
  esac
  pid="$(svc_pid "$name")" || {
    rm -f "$HK_SVC_DIR/$name.pid"
    return 0
  }
  # pacemakerd stops every resource first: give it time, like systemd's TimeoutStopSec. Then, like
  # systemd's final SIGKILL, the whole process group (setsid made the service its leader): a
  # concurrent stop of every node's pacemaker was seen to hang for minutes, once in many runs.
  local tenths=300
  [ "$name" = pacemaker ] && tenths=900
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < tenths; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$(date -Is) $name (pid $pid) did not stop in $((tenths / 10)) s: killing its process group" |
      tee -a "/var/log/hacheck/$name.out" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
      kill -0 -- "-$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$HK_SVC_DIR/$name.pid"
  return 0
}
