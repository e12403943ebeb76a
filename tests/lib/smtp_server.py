#!/usr/bin/env python3
"""smtp_server.py -- a scripted SMTP server for the transport tests.

    python3 tests/lib/smtp_server.py OWNER_PID CERTDIR [NBENCH]

Serves one scenario per loopback address, all on the same free port:
scenario number N listens on 127.0.1.N (Linux routes all of 127.0.0.0/8
to the loopback interface), so the domain report's --smtp-port reaches
every scenario and each MX host name maps to one behaviour.  Prints
"PORT" once every listener is up, then "NAME ADDRESS" per scenario, and
"good6 ::1" when the good scenario also listens on IPv6 loopback ("-"
when there is none).
Certificates come from CERTDIR (made with openssl by the test script):
good.pem/good.key (CA-signed, *.mx.test; goodca.pem: the same with the
CA in the chain, for DANE-TA), expired.pem, expiring.pem,
wrongname.pem, selfsigned.pem (each with its .key), chain.pem (a leaf and 50
intermediates, chain.key).  Stops when OWNER_PID dies.

The probe must never send MAIL, RCPT or DATA: any of them is answered
with 503 and logged to CERTDIR/forbidden.log, which the test checks.
"""
import os
import socket
import ssl
import sys
import threading
import time

owner = int(sys.argv[1])
certdir = sys.argv[2]
# Benchmarks: NBENCH more good servers that greet after 300 ms, "benchN"
# on 127.0.3.N (tests/bench/smtp_bench.sh).
nbench = int(sys.argv[3]) if len(sys.argv) > 3 else 0

EXT = ["SIZE 10240000", "PIPELINING", "8BITMIME", "SMTPUTF8", "CHUNKING",
       "ENHANCEDSTATUSCODES"]

# name: (cert or None, options)
SCENARIOS = [
    ("good", "good", {}),
    ("g421", None, {"greeting": "421-4.3.2 mx.test busy\r\n421 4.3.2 try again later"}),
    ("g554", None, {"greeting": "554 5.7.1 client host blocked using zen.example"}),
    ("nostarttls", None, {}),
    ("dropehlo", None, {"drop_after": "EHLO"}),
    ("stall", None, {"stall": True}),
    ("expired", "expired", {}),
    ("wrongname", "wrongname", {}),
    ("selfsigned", "selfsigned", {}),
    ("tls10", "good", {"tls10": True}),
    ("auth", "good", {"auth": True}),
    ("implicit", "good", {"implicit": True}),
    ("longline", None, {"longline": True}),
    ("endless", None, {"endless": True}),
    ("garbage", None, {"starttls_garbage": True}),
    ("drophs", None, {"starttls_drop": True}),
    ("bigchain", "chain", {}),
    ("slow", "good", {"delay": 0.3}),
    ("slow2", "good", {"delay": 0.3}),
    ("slow3", "good", {"delay": 0.3}),
    ("slow4", "good", {"delay": 0.3}),
    ("blocked", None, {"blackhole": True}),
    ("refused", None, {"closed": True}),
    ("expiring", "expiring", {}),
    ("withca", "goodca", {}),
]


def log_forbidden(line):
    with open(os.path.join(certdir, "forbidden.log"), "a") as f:
        f.write(line + "\n")


def context(cert, tls10=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if tls10:
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.load_cert_chain(os.path.join(certdir, cert + ".pem"),
                        os.path.join(certdir, cert + ".key"))
    return ctx


class Conn:
    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def send(self, text):
        self.s.sendall(text.encode() + b"\r\n")

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(4096)
            if not d:
                return None
            self.buf += d
            if len(self.buf) > 65536:
                return None
        l, self.buf = self.buf.split(b"\n", 1)
        return l.rstrip(b"\r").decode("latin-1")


def dialogue(sock, name, cert, o):
    if o.get("stall"):
        time.sleep(30)
        return
    c = Conn(sock)
    if o.get("implicit"):
        c.s = context(cert).wrap_socket(sock, server_side=True)
    if o.get("delay"):
        time.sleep(o["delay"])
    if o.get("longline"):
        sock.sendall(b"220 " + b"x" * (1 << 20))
        time.sleep(2)
        return
    if o.get("endless"):
        try:
            for i in range(100000):
                sock.sendall(b"220-still greeting %d\r\n" % i)
        except OSError:
            pass
        return
    c.send(o.get("greeting", "220-%s.mx.test ESMTP scripted\r\n220 ready" % name))
    if "greeting" in o:
        return
    tls = o.get("implicit", False)
    while True:
        l = c.line()
        if l is None:
            return
        verb = l.split(" ")[0].upper()
        if verb in ("MAIL", "RCPT", "DATA"):
            log_forbidden("%s: %s" % (name, l))
            c.send("503 5.5.1 this server is a test")
            continue
        if verb in ("EHLO", "HELO"):
            if o.get("drop_after") == "EHLO":
                return
            ext = list(EXT)
            if cert is not None or o.get("starttls_garbage") or o.get("starttls_drop"):
                if not tls:
                    ext.insert(0, "STARTTLS")
            if o.get("auth"):
                ext.append("AUTH PLAIN LOGIN")
            lines = ["%s.mx.test hello %s" % (name, l[5:])] + ext
            for x in lines[:-1]:
                c.send("250-" + x)
            c.send("250 " + lines[-1])
        elif verb == "STARTTLS":
            c.send("220 2.0.0 go ahead")
            if o.get("starttls_garbage"):
                # after the client has taken the 220 and begun TLS: bytes
                # arriving with the reply would be dropped as plaintext
                # before TLS, and the result would depend on timing
                time.sleep(0.2)
                sock.sendall(b"this is not TLS at all\r\n" * 20)
                time.sleep(1)
                return
            if o.get("starttls_drop"):
                sock.recv(10)
                return
            c.s = context(cert, o.get("tls10", False)).wrap_socket(
                sock, server_side=True)
            c.buf = b""
            tls = True
        elif verb == "QUIT":
            c.send("221 2.0.0 bye")
            return
        else:
            c.send("502 5.5.2 not implemented")


def serve(ls, name, cert, o):
    while True:
        try:
            s, _ = ls.accept()
        except OSError:
            return

        def run(s=s):
            try:
                dialogue(s, name, cert, o)
            except (OSError, ssl.SSLError):
                pass
            finally:
                try:
                    s.close()
                except OSError:
                    pass
        threading.Thread(target=run, daemon=True).start()


def addr_of(i):
    name = SCENARIOS[i][0]
    if name.startswith("bench"):
        return "127.0.3.%d" % int(name[5:])
    return "127.0.1.%d" % (i + 1)


def main():
    for k in range(1, nbench + 1):
        SCENARIOS.append(("bench%d" % k, "good", {"delay": 0.3}))
    for attempt in range(50):
        probe = socket.socket()
        probe.bind(("127.0.1.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        socks = []
        try:
            for i, (name, cert, o) in enumerate(SCENARIOS):
                if o.get("closed"):
                    socks.append(None)
                    continue
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((addr_of(i), port))
                s.listen(0 if o.get("blackhole") else 64)
                socks.append(s)
            # The good scenario on IPv6 loopback too, when there is one.
            try:
                s6 = socket.socket(socket.AF_INET6)
                s6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s6.bind(("::1", port))
                s6.listen(64)
            except OSError as e:
                if e.errno == 98:	# in use: try another port
                    raise
                s6 = None
            break
        except OSError:
            for s in socks:
                if s is not None:
                    s.close()
            socks = []
    else:
        print("no free port", file=sys.stderr)
        sys.exit(1)
    keep = []
    for i, (name, cert, o) in enumerate(SCENARIOS):
        s = socks[i]
        if s is None:
            continue
        if o.get("blackhole"):
            # Fill the accept queue and never accept: further SYNs are
            # dropped, so connecting times out as behind a firewall.
            for _ in range(4):
                c = socket.socket()
                c.setblocking(False)
                try:
                    c.connect((addr_of(i), port))
                except BlockingIOError:
                    pass
                keep.append(c)
            continue
        threading.Thread(target=serve, args=(s, name, cert, o),
                         daemon=True).start()
    if s6 is not None:
        threading.Thread(target=serve, args=(s6, "good", "good", {}),
                         daemon=True).start()
    print(port)
    for i, (name, cert, o) in enumerate(SCENARIOS):
        print("%s %s" % (name, addr_of(i)))
    print("good6 %s" % ("::1" if s6 is not None else "-"))
    sys.stdout.flush()
    while True:
        time.sleep(0.5)
        try:
            os.kill(owner, 0)
        except OSError:
            os._exit(0)


main()
