#!/usr/bin/python3
"""The lab's application server (web profile role app; the cluster's cloned web service).

Settings are KEY=VALUE, from the file given as the only argument, or as arguments:
  port=8080  bind=0.0.0.0  name=app1  cert=/etc/hacheck-web/site.pem (optional: serve HTTPS)
NAME defaults to the host name (the node's own, in its UTS namespace).
Answers every GET with "hello from NAME" and /health with "ok".

The listen backlog is 128, not socketserver's 5: under a burst of new connections while the
node is busy (a cluster transition), a full accept queue drops SYNs, and a client then waits
a whole SYN retransmit (1 s). That would be the lab's own defect, not the failover's.
"""
import http.server
import socket
import ssl
import sys


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

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = ("ok\n" if self.path == "/health" else f"hello from {name}\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

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
