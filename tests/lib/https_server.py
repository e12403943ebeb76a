#!/usr/bin/env python3
"""https_server.py -- a real HTTPS server on 127.0.0.1 for the MTA-STS tests.

    python3 tests/lib/https_server.py OWNER_PID

Generates, with the openssl CLI, a throw-away CA, a server certificate
signed by it and a self-signed certificate, then serves HTTPS on a free
port of 127.0.0.1 and prints one line "PORT CAFILE" once it listens.
It stops (and removes its files) on SIGTERM/SIGINT, and by itself when
OWNER_PID dies, so a crashed test never leaves it behind.

What a request gets depends on the host name, mta-sts.NAME.test:
  good       200 text/plain, an enforce policy (mx: mail.good.test, *.backup.good.test)
  uncovered  the same policy as good, served for uncovered.test
  testing    200 text/plain, a testing policy (mx: mail.testing.test)
  none       200 text/plain, mode none without mx
  invalid    200 text/plain, a malformed policy
  ctype      200 text/html, a valid policy (wrong media type)
  redirect   301 to https://mta-sts.good.test/.well-known/mta-sts.txt
  notfound   404
  big        200 with Content-Length, 100 KiB
  stream     200 without Content-Length, 100 KiB, then close
  slow       waits 6 s, then answers like good
  wronghost  same certificate: the name is not in it
  selfsigned the SNI callback presents a self-signed certificate
"""
import http.server
import os
import shutil
import signal
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time

NAMES = ["good", "uncovered", "testing", "none", "invalid", "ctype", "redirect",
         "notfound", "big", "stream", "slow"]

POLICIES = {
    "good": b"version: STSv1\r\nmode: enforce\r\nmx: mail.good.test\r\n"
            b"mx: *.backup.good.test\r\nmax_age: 604800\r\n",
    "testing": b"version: STSv1\nmode: testing\nmx: mail.testing.test\n"
               b"max_age: 86400\n",
    "uncovered": b"version: STSv1\r\nmode: enforce\r\nmx: mail.good.test\r\n"
                 b"mx: *.backup.good.test\r\nmax_age: 604800\r\n",
    "none": b"version: STSv1\nmode: none\nmax_age: 86400\n",
    "invalid": b"version: STSv2\nmode: strict\nmx: mail.invalid.test\n",
}


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certs(d):
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=authcheck test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    openssl("req", *ec, "-keyout", "srv.key", "-out", "srv.csr",
            "-subj", "/CN=mta-sts.good.test", cwd=d)
    san = ",".join("DNS:mta-sts.%s.test" % n for n in NAMES)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n" % san)
    openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem",
            "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", "ext.cnf", "-out", "srv.pem", cwd=d)
    openssl("req", "-x509", *ec, "-keyout", "self.key", "-out", "self.pem",
            "-days", "2", "-subj", "/CN=mta-sts.selfsigned.test",
            "-addext", "subjectAltName=DNS:mta-sts.selfsigned.test", cwd=d)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_body(self, status, ctype, body, length=True):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        name = host[len("mta-sts."):-len(".test")] \
            if host.startswith("mta-sts.") and host.endswith(".test") else ""
        if self.path != "/.well-known/mta-sts.txt":
            return self.send_body(404, "text/plain", b"no such path\n")
        if name == "slow":
            time.sleep(6)
            name = "good"
        if name in POLICIES:
            return self.send_body(200, "text/plain; charset=utf-8",
                                  POLICIES[name])
        if name == "ctype":
            return self.send_body(200, "text/html", POLICIES["good"])
        if name == "redirect":
            self.send_response(301)
            self.send_header("Location",
                             "https://mta-sts.good.test/.well-known/mta-sts.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if name == "big":
            return self.send_body(200, "text/plain", b"x" * 102400)
        if name == "stream":
            return self.send_body(200, "text/plain", b"y" * 102400,
                                  length=False)
        return self.send_body(404, "text/plain", b"not found\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass	# handshakes the client aborts on purpose are expected


def main():
    owner = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    d = tempfile.mkdtemp(prefix="authcheck-https.")
    done = threading.Event()

    def cleanup(*_):
        shutil.rmtree(d, ignore_errors=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, cleanup)
    signal.signal(signal.SIGINT, cleanup)
    try:
        make_certs(d)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(d, "srv.pem"),
                            os.path.join(d, "srv.key"))
        selfctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        selfctx.load_cert_chain(os.path.join(d, "self.pem"),
                                os.path.join(d, "self.key"))

        def sni(sock, name, _ctx):
            if name == "mta-sts.selfsigned.test":
                sock.context = selfctx
        ctx.sni_callback = sni
        srv = Server(("127.0.0.1", 0), Handler)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    except Exception as e:	# noqa: BLE001 -- report any set-up failure
        print("ERROR %s" % e, flush=True)
        cleanup()

    def watch():
        while owner > 0:
            try:
                os.kill(owner, 0)
            except OSError:
                cleanup()
            time.sleep(0.2)
    threading.Thread(target=watch, daemon=True).start()
    print("%d %s" % (srv.server_address[1], os.path.join(d, "ca.pem")),
          flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
