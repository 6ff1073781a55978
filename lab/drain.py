#!/usr/bin/python3
"""Connection draining for the lab's VIP (variant service-clone), run by Pacemaker's ocf:heartbeat:anything.

    drain.py VIP PORT

Colocated with the VIP and started after it, so Pacemaker stops it BEFORE the VIP leaves the node:
- start: remove this node's SYN-drop rule for VIP:PORT (left by an earlier stop), then wait;
- stop (SIGTERM): drop NEW connections to VIP:PORT (SYN only), give the requests already open
  DRAIN_S to finish, exit. Then the address is removed with no connection open on it: clients
  that were refused a SYN retransmit it (after 1 s, 3 s, ...) and reach the VIP's new holder.
  The rule is removed once the address has left this node (it is needed until then, however
  slow the VIP's stop), or after RULE_TTL_S in any case.
Without it, a request open at the instant the address leaves the node is reset by the new holder.
"""
import signal
import subprocess
import sys
import time

DRAIN_S = 0.5
RULE_TTL_S = 10


def rule(op, vip, port):
    args = ["iptables", "-w", "5", op, "INPUT", "-p", "tcp", "--syn", "-d", vip, "--dport", port, "-j", "DROP"]
    return subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def main():
    vip, port = sys.argv[1], sys.argv[2]
    while rule("-D", vip, port):
        pass

    def drain(_sig, _frame):
        rule("-I", vip, port)
        time.sleep(DRAIN_S)
        # The rule is needed until the address has left (the VIP's stop comes next), and only then:
        # a stop that is not followed by a move (the drain resource itself removed or restarted)
        # must not leave the VIP refusing connections for long.
        cmd = (
            "i=0; while [ $i -lt %d ] && ip -o addr show | grep -qF ' %s/'; do sleep 0.1; i=$((i+1)); done; "
            "while iptables -w 5 -D INPUT -p tcp --syn -d %s --dport %s -j DROP 2>/dev/null; do :; done"
        ) % (RULE_TTL_S * 10, vip, vip, port)
        subprocess.Popen(["sh", "-c", cmd], start_new_session=True, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sys.exit(0)

    signal.signal(signal.SIGTERM, drain)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
