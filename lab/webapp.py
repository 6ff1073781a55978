#!/usr/bin/python3
"""The lab's application server (web profile, role app).

Reads KEY=VALUE lines from the file given as argv[1]:
  port=8080  bind=0.0.0.0  name=app1  cert=/etc/hacheck-web/site.pem (optional: serve HTTPS)
Answers every GET with "hello from NAME" and /health with "ok".
"""
import http.server
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
    conf = load(sys.argv[1])
    name = conf.get("name", "app")

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

    server = http.server.ThreadingHTTPServer((conf.get("bind", "0.0.0.0"), int(conf.get("port", "8080"))), Handler)
    cert = conf.get("cert")
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
