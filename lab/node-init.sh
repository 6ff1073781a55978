#!/usr/bin/env bash
# PID 1 of one lab node. Started by bmc-power.sh at "power on" as
#   ip netns exec NETNS unshare --mount --uts --pid --fork --kill-child=SIGKILL \
#     --mount-proc --time --boottime -UPTIME node-init.sh NODE_DIR
# so it runs in the node's own network, mount, UTS, PID and time namespaces.
# It gives the node private /etc/{corosync,pacemaker,ssh,...}, /var/lib/{pacemaker,corosync},
# /var/log (bind mounts from NODE_DIR/root), fresh tmpfs /run, /dev (minimal), /dev/shm and
# /tmp, simulates POST, configures the NICs, starts the node's services and then reaps
# orphans forever. A hard power-off SIGKILLs it, which makes the kernel kill the whole node.
set -uo pipefail
# Leave the directory `lab up` was started from: it may be invisible inside the node (e.g. a checkout
# under /tmp, which is a fresh tmpfs here), and daemons such as haproxy chdir back to it and fail.
cd / || exit 1

NODE_DIR="${1:?usage: node-init.sh NODE_DIR}"
# shellcheck source=/dev/null
. "$NODE_DIR/node.env"
# shellcheck source=services.sh
. "$LAB_BIN/services.sh"

say() { echo "$(date +%T.%3N) node-init[$NODE_NAME]: $*"; }
die() {
  say "FATAL: $*"
  exit 1
}

say "power on"
mount --make-rprivate / || die "make-rprivate"
hostname "$NODE_NAME"

# Node-private configuration and state (directories and single files).
# Never fall back to the host's copy: a missing per-node source or host mount point stops the boot.
for rel in $BIND_DIRS $BIND_FILES; do
  [ -e "$NODE_DIR/root/$rel" ] || die "per-node /$rel missing ($NODE_DIR/root/$rel): refusing to use the host's"
  [ -e "/$rel" ] || die "no /$rel to mount the node's own over (is its Debian package installed? hacheck lab deps)"
  mount --bind "$NODE_DIR/root/$rel" "/$rel" || die "bind /$rel"
done

# Fresh per-boot /run, /tmp and a minimal private /dev (own /dev/log, /dev/shm, /dev/pts).
mount -t tmpfs -o mode=0755,size=64m hk-run /run || die "tmpfs /run"
mount -t tmpfs -o mode=1777,size=64m hk-tmp /tmp || die "tmpfs /tmp"
mount -t tmpfs -o mode=0755,size=1m hk-dev /dev || die "tmpfs /dev"
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
mknod -m 666 /dev/tty c 5 0
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts || die "devpts"
ln -s pts/ptmx /dev/ptmx
# libqb puts its IPC ring buffers here and their names contain (namespaced, hence repeating) PIDs.
mount -t tmpfs -o mode=1777,size=256m hk-shm /dev/shm || die "tmpfs /dev/shm"
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
exec </dev/null

# Pacemaker's panic path writes 'b' to /proc/sysrq-trigger, which would reboot the whole host.
if [ -e /proc/sysrq-trigger ]; then
  mount --bind /dev/null /proc/sysrq-trigger || die "mask sysrq-trigger"
fi
# Nodes share /root with the host, and bash sources ~/.bashrc for every ssh command. The
# host's .bashrc may run tools that take locks in /root (pyenv rehash): a node killed by a
# fence in the middle of one leaves the lock behind and every later shell waits 60 s for it.
# A node shell gets an empty .bashrc instead.
if [ -f /root/.bashrc ]; then
  mount --bind /dev/null /root/.bashrc || die "mask /root/.bashrc"
fi
# Nodes share /usr with the host: database servers installed on the host (MariaDB, Redis, DRBD)
# would make a PostgreSQL node look like it also has a stopped MariaDB or Redis. A db node gets an
# overlay of /usr/bin and /usr/sbin whose whiteouts hide those server binaries, as if they were not
# installed (before any bind mount into these directories: an overlay does not show submounts).
# A node may name its own list (HIDE_SERVERS, node.env): profile mysql hides Redis and DRBD, and gets an
# empty /etc/postgresql (HIDE_DIRS) so the host's PostgreSQL configuration does not show through either.
if [[ -n "${HIDE_SERVERS:-}" || " $BIND_DIRS " == *" var/lib/postgresql "* ]]; then
  for d in /usr/bin /usr/sbin; do
    o="/run/hk-hide${d//\//-}"
    mkdir -p "$o/upper" "$o/work"
    for b in ${HIDE_SERVERS:-mysqld mariadbd redis-server redis-sentinel drbdsetup drbdadm}; do
      if [ -e "$d/$b" ] || [ -L "$d/$b" ]; then mknod "$o/upper/$b" c 0 0; fi
    done
    mount -t overlay hk-hide -o "lowerdir=$d,upperdir=$o/upper,workdir=$o/work" "$d" || say "cannot hide servers in $d"
  done
fi
for d in ${HIDE_DIRS:-}; do
  [ -d "/$d" ] && { mount -t tmpfs -o size=1m,mode=0755 hk-hide "/$d" || say "cannot hide /$d"; }
done
# pcs and crmsh call systemctl; there is no systemd in a node.
mount --bind "$LAB_BIN/systemctl-shim.sh" /usr/bin/systemctl || die "systemctl shim"

mkdir -p /run/sshd /run/lock /run/crm /run/rsyslog /run/hk-svc /run/haproxy /run/hacheck-www
mkdir -p /run/corosync-qdevice /run/corosync-qnetd
chown hacluster:haclient /run/crm 2>/dev/null || true
chown coroqnetd:coroqnetd /run/corosync-qnetd 2>/dev/null || true
# PostgreSQL's socket directory (profile db; Debian's tmpfiles.d would make it on a real boot).
if [[ " $BIND_DIRS " == *" var/lib/postgresql "* ]]; then
  install -d -o postgres -g postgres -m 2775 /run/postgresql
  # Pacemaker 2.1.5 splits "crm_attribute -v -INFINITY" into short options: see crm-attribute-shim.sh.
  mkdir -p /run/hk-real && : >/run/hk-real/crm_attribute
  mount --bind /usr/sbin/crm_attribute /run/hk-real/crm_attribute || die "bind real crm_attribute"
  mount --bind "$LAB_BIN/crm-attribute-shim.sh" /usr/sbin/crm_attribute || die "crm_attribute shim"
fi
# MariaDB's socket and PID directory (profile galera).
if [[ " $BIND_DIRS " == *" var/lib/mysql "* ]]; then
  install -d -o mysql -g mysql -m 0755 /run/mysqld
fi
chmod 0755 /run/sshd
echo "$NODE_NAME" >/run/hacheck-www/index.html
: >/run/utmp

# NICs stay down during the simulated POST: a fenced node must not rejoin before the
# fence agent has confirmed the power cycle ("We were allegedly just fenced").
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
# A real reboot starts with an empty firewall and default qdiscs; the network namespace survives a
# lab power-off, so clear what the previous boot left (only this node's own namespace is touched).
for t in filter nat mangle raw; do iptables -t "$t" -F 2>/dev/null; iptables -t "$t" -X 2>/dev/null; done
iptables -P INPUT ACCEPT 2>/dev/null; iptables -P OUTPUT ACCEPT 2>/dev/null; iptables -P FORWARD ACCEPT 2>/dev/null
for spec in $IFACES; do tc qdisc del dev "${spec%%:*}" root 2>/dev/null || true; done
ip link set lo up
if [ -e "$NODE_DIR/fastboot" ]; then
  rm -f "$NODE_DIR/fastboot"
  say "fast boot (no POST delay)"
else
  say "POST ${BOOT_DELAY}s"
  sleep "$BOOT_DELAY"
fi
for spec in $IFACES; do
  dev="${spec%%:*}"
  addr="${spec#*:}"
  ip addr flush dev "$dev" 2>/dev/null || true
  ip addr add "$addr" dev "$dev" || say "cannot add $addr to $dev"
  ip link set "$dev" up || say "cannot bring $dev up"
done
say "network up: $IFACES"

for s in $SERVICES; do
  svc_start "$s" || say "service $s failed to start"
done
say "services started: $SERVICES"
: >/run/hk-booted

# PID 1: reap orphans (bash's SIGCHLD handling reaps them while we wait).
trap 'say "SIGTERM: stopping"; for s in $SERVICES; do svc_stop "$s"; done; exit 0' TERM
while :; do
  sleep 3600 &
  wait $!
done
