# shellcheck shell=bash
# Service control inside one lab node (sourced by node-init.sh and systemctl-shim.sh).
# Each service runs in the background, is reparented to the node's PID 1 (node-init.sh,
# which reaps it) and is tracked by the PID file /run/hk-svc/NAME.pid. PIDs are the node's
# own (its PID namespace), so nothing here can reach a process outside the node.

HK_SVC_DIR=/run/hk-svc
# Profile galera: present only until the node that bootstraps the cluster has started once.
GALERA_BOOTSTRAP=/var/lib/mysql/hk-bootstrap

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
    nginx) echo "/usr/sbin/nginx -c /etc/nginx/nginx.conf" ;;
    # VRRP only, in the foreground; logs to syslog (the node's rsyslogd, /var/log/syslog) and the console.
    keepalived) echo "/usr/sbin/keepalived --vrrp --dont-fork --log-console --log-detail -f /etc/keepalived/keepalived.conf" ;;
    webapp) echo "/usr/bin/python3 ${LAB_BIN:?}/webapp.py /srv/app/app.conf" ;;
    # Galera: the node holding the bootstrap marker (g1 at the first boot) starts a new cluster; every other
    # start joins the cluster at wsrep_cluster_address (my.cnf).
    mariadb) echo "/usr/sbin/mariadbd --defaults-file=/etc/mysql/my.cnf$([ -e "$GALERA_BOOTSTRAP" ] && echo ' --wsrep-new-cluster')" ;;
    # Profile patroni: etcd (its YAML) and Patroni as postgres (PostgreSQL refuses to run as root).
    etcd) echo "/usr/bin/etcd --config-file /etc/patroni/etcd.yml" ;;
    patroni) echo "/usr/bin/setpriv --reuid=postgres --regid=postgres --init-groups /usr/bin/patroni /etc/patroni/config.yml" ;;
    redis) echo "/usr/bin/redis-server /etc/redis/redis.conf" ;;
    # Started as redis-sentinel (its process name): `pgrep -x redis-server` is then the data server only.
    sentinel) echo "/usr/bin/redis-sentinel /etc/redis/sentinel.conf" ;;
    memcached) echo "/usr/bin/memcached -u nobody -l 0.0.0.0 -p 11211 -m 64" ;;
    # Variant redis-replica-lag only (its configuration file is there): write load + a capped replica link.
    redis-lag) echo "/bin/bash ${LAB_BIN:?}/redis-lag.sh /etc/redis/hk-lag.conf" ;;
    *) return 1 ;;
  esac
}

# Maps systemd unit names to lab service names.
svc_name() {
  local n="${1%.service}"
  case "$n" in
    ssh | sshd) echo sshd ;;
    rsyslog | syslog) echo rsyslog ;;
    corosync | pacemaker | corosync-qdevice | corosync-qnetd | haproxy | nginx | keepalived | webapp | memcached) echo "$n" ;;
    mariadb | mysql | mariadbd) echo mariadb ;;
    etcd | patroni) echo "$n" ;;
    redis | redis-server) echo redis ;;
    sentinel | redis-sentinel) echo sentinel ;;
    redis-lag) echo redis-lag ;;
    *) return 1 ;;
  esac
}

# Any other Galera node of wsrep_cluster_address accepts TCP on 4567 (bash's /dev/tcp, 1 s each).
galera_peer_up() {
  local addrs a self
  addrs="$(sed -n 's|^wsrep_cluster_address *= *gcomm://||p' /etc/mysql/my.cnf)"
  self="$(sed -n 's|^wsrep_node_address *= *||p' /etc/mysql/my.cnf)"
  for a in ${addrs//,/ }; do
    [ "$a" = "$self" ] && continue
    timeout 1 bash -c "exec 3<>/dev/tcp/$a/4567" 2>/dev/null && return 0
  done
  return 1
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
  # The web profile's LBs run one proxy flavour: the one whose configuration the lab rendered.
  case "$name" in
    haproxy) [ -f /etc/haproxy/haproxy.cfg ] || return 0 ;;
    nginx) [ -f /etc/nginx/nginx.conf ] || return 0 ;;
    redis-lag) [ -f /etc/redis/hk-lag.conf ] || return 0 ;;
  esac
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
    mariadb)
      # A joiner that finds no peer gives up at once ("failed to reach primary view"): wait (60 s at most)
      # for one to listen on Galera's port, unless this node bootstraps the cluster.
      # Profile mysql (no wsrep_cluster_address in my.cnf) has no peer to wait for.
      if grep -q '^wsrep_cluster_address' /etc/mysql/my.cnf && [ ! -e "$GALERA_BOOTSTRAP" ]; then
        svc_wait_for 600 galera_peer_up || echo "no Galera peer answering, starting mariadb anyway" >&2
      fi
      ;;
  esac
  # shellcheck disable=SC2086
  setsid $cmd </dev/null >>"/var/log/hacheck/$name.out" 2>&1 &
  echo $! >"$HK_SVC_DIR/$name.pid"
  case "$name" in
    corosync) svc_wait_for 150 corosync-cmapctl -g totem.cluster_name || true ;;
    # Bootstrap once: a later restart of this node must join, never start a second cluster (split brain).
    mariadb) rm -f "$GALERA_BOOTSTRAP" ;;
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
