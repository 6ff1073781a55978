#!/usr/bin/python3
"""The lab's application server (web profile role app; the cluster's cloned web service).

Settings are KEY=VALUE, from the file given as the only argument, or as arguments:
  port=8080  bind=0.0.0.0  name=app1  cert=/etc/hacheck-web/site.pem (optional: serve HTTPS)
  sessions=local | redis-sentinel | memcached   (where login sessions live; default local)
  sentinels=H:P,H:P,...  master=NAME            (redis-sentinel: the Sentinels and the master's name)
  servers=H:P,H:P,...                           (memcached: the servers, keys hashed over them)
NAME defaults to the host name (the node's own, in its UTS namespace).
Answers every GET with "hello from NAME" and /health with "ok".
Sessions: GET /login?user=U creates one (cookie sid, 1 h) and answers "logged in U on NAME";
GET /whoami answers "U on NAME" (200) for a known session, 401 for an unknown one (lost or never
made), 503 when the session store cannot be reached.

The listen backlog is 128, not socketserver's 5: under a burst of new connections while the
node is busy (a cluster transition), a full accept queue drops SYNs, and a client then waits
a whole SYN retransmit (1 s). That would be the lab's own defect, not the failover's.
"""
import http.server
import secrets
import socket
import ssl
import sys
import threading
import urllib.parse

SESSION_TTL_S = 3600


class LocalStore:
    """Sessions in this process only: lost when the app node goes, invisible to the other apps."""

    def __init__(self):
        self.lock = threading.Lock()
        self.data = {}

    def set(self, key, value):
        with self.lock:
            self.data[key] = value

    def get(self, key):
        with self.lock:
            return self.data.get(key)


class RedisSentinelStore:
    """Sessions in the Redis master that the Sentinels name (re-asked on every new connection)."""

    def __init__(self, sentinels, master):
        from redis.sentinel import Sentinel

        hosts = [(h, int(p)) for h, p in (x.rsplit(":", 1) for x in sentinels.split(","))]
        self.sentinel = Sentinel(hosts, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.master = self.sentinel.master_for(master, socket_timeout=0.5, socket_connect_timeout=0.5)

    def set(self, key, value):
        self.master.set(key, value, ex=SESSION_TTL_S)

    def get(self, key):
        v = self.master.get(key)
        return v.decode() if v is not None else None


class MemcachedStore:
    """Sessions hashed over the memcached servers (a server lost takes its share of sessions with it)."""

    def __init__(self, servers):
        from pymemcache.client.hash import HashClient

        hosts = [(h, int(p)) for h, p in (x.rsplit(":", 1) for x in servers.split(","))]
        self.client = HashClient(hosts, connect_timeout=0.5, timeout=0.5, ignore_exc=False, retry_attempts=1)

    def set(self, key, value):
        self.client.set(key, value.encode(), expire=SESSION_TTL_S)

    def get(self, key):
        v = self.client.get(key)
        return v.decode() if v is not None else None


def make_store(conf):
    kind = conf.get("sessions", "local")
    if kind == "redis-sentinel":
        return RedisSentinelStore(conf["sentinels"], conf.get("master", "sessions"))
    if kind == "memcached":
        return MemcachedStore(conf["servers"])
    return LocalStore()


def load(path):
    conf = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                conf[k.strip()] = v.strip()
    return conf


def main():
    args = sys.argv[1:]
    if len(args) == 1 and "=" not in args[0]:
        conf = load(args[0])
    else:
        conf = dict(a.split("=", 1) for a in args)
    name = conf.get("name") or socket.gethostname()
    store = make_store(conf)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, status, text, cookie=None):
            body = (text + "\n").encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            if cookie:
                self.send_header("Set-Cookie", f"sid={cookie}; Path=/; HttpOnly")
            self.end_headers()
            self.wfile.write(body)

        def sid(self):
            for part in self.headers.get("Cookie", "").split(";"):
                k, _, v = part.strip().partition("=")
                if k == "sid" and v:
                    return v
            return None

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/health":
                return self.answer(200, "ok")
            try:
                if url.path == "/login":
                    user = urllib.parse.parse_qs(url.query).get("user", ["anonymous"])[0][:64]
                    sid = secrets.token_hex(16)
                    store.set(f"sess:{sid}", user)
                    return self.answer(200, f"logged in {user} on {name}", cookie=sid)
                if url.path == "/whoami":
                    sid = self.sid()
                    user = store.get(f"sess:{sid}") if sid else None
                    if user is None:
                        return self.answer(401, f"no session on {name}")
                    return self.answer(200, f"{user} on {name}")
            except Exception as err:  # the session store could not be reached
                return self.answer(503, f"session store unavailable on {name}: {type(err).__name__}")
            return self.answer(200, f"hello from {name}")

        def do_HEAD(self):
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, fmt, *args):
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 128

    server = Server((conf.get("bind", "0.0.0.0"), int(conf.get("port", "8080"))), Handler)
    cert = conf.get("cert")
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
