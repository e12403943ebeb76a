#!/usr/bin/python3
"""Time the domain report (`authcheck DOMAIN --format json --no-https`) on the bench world.

Usage (inside the bench namespace, see check_bench.sh):
    check_bench.py WORLD_DIR NDOMAINS
Environment: AUTHCHECK (binary), DELAY_MS (the proxy's added delay, default 20), REPEAT
(timed runs per domain and of the batch, median taken; default 3), AUTHCHECK_ARGS (extra
arguments), BENCH_TSV (optional file for the per-domain rows).
Exit status: 0 measured (whatever the ratios), 3 world not answering, 2 usage.

Every DNS query goes through the delay proxy, which counts them (SIGUSR1 -> WORLD/count,
read before and after each run; see spf_bench.py, whose World and Proxy are reused).

THE CHAIN RULE.  The ideal is the issue's "(deepest dependency chain + 1) x DELAY_MS",
where the chain counts the dependent steps after the first question; we count round trips
instead, so `chain` = steps + 1 and ideal = chain x DELAY_MS.  A reference report, read
from the world's zone files, lists every question the issue's report needs and the round
trip in which a perfect prefetcher could send it: a question whose name is known from the
domain alone is round 1; a question whose name comes from an answer goes out the round
after that answer.  Per area:
  spf    TXT <domain> and type 99 <domain>: 1.  include:/redirect= target TXT, a (A+AAAA),
         exists (A), exp= (TXT): round of the record + 1; mx: MX + 1, then A+AAAA of each
         host + 2.  The whole tree is expanded (lint, not one client's evaluation); macro
         targets (salesforce's exists:%{i}...) need a client address and are not asked;
         a name with several SPF records is not expanded; ptr needs an address: no query.
         (facts.tsv spf_depth, shown as `dep`, counts that macro exists as a level, so it
         is 1 above `spf` for salesforce-deepest domains; `spf` is what a linter can ask.)
  mx     MX <domain>: 1; A+AAAA of each host: 2; PTR of each address: 3; A+AAAA of each
         PTR name: 4.  The world has one reverse zone, 18.198.in-addr.arpa, with PTR
         records for most domains' own mail hosts (those reach round 4); the providers'
         addresses have none (NXDOMAIN from the root zone: asked at round 3, counted,
         nothing follows).  A domain with an address-less MX host stops at 2.
  dmarc  TXT _dmarc.<each walk name> (RFC 9989 tree walk; all names are known at once):
         1, and A <domain> (RFC 8020 np/sp): 1.  _dmarc.test is outside every zone but
         the root, so it is NXDOMAIN (asked, counted, nothing follows).  The record that
         applies names its
         mailto: hosts: MX, A, AAAA of each, and for a host outside the domain the
         authorisation TXT <domain>._report._dmarc.<host>: record's round + 1.
  dkim   TXT _domainkey.<domain> and TXT <selector>._domainkey.<domain> for each common
         selector of data/dkim-selectors.txt (the copy the binary reads; no provider is
         recognised from the world's .test names): 1.  NSD follows a CNAME into any zone
         it serves within the same answer (outlook's selector1 CNAME: still round 1); a
         target outside its zones would cost one more round (none in this world).
  other  TXT _mta-sts.<domain>, _smtp._tls.<domain>, default._bimi.<domain>: 1.
The wildcard probes (TXT and MX <random>.<domain>, TXT <random>._domainkey.<domain>,
TXT <random>.<each walk name>: round 1) have a random label, so they are not in the
reference; they show as "RANDOM" among the questions beyond it.
A REFUSED, NXDOMAIN or empty answer ends its branch: the question still counts and still
costs its round.  `chain` = the deepest round of any reference question (the issue's
bound); `ch_ac` = the deepest round among the reference questions authcheck really asked
(from a traced run), the floor for the questions it chose to ask.

Questions asked are observed in one extra, untimed run per domain through a small logging
forwarder on 127.0.0.2:53 (in front of the delay proxy): it gives `waves` (bursts of
questions more than RTT/2 apart: the rounds authcheck really used) and the questions
missing from / added to the reference, summarised by pattern.
"""
import ipaddress
import json
import os
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spf_bench import World, Proxy, dns_ready, dns_query, median_ms, loadavg  # noqa: E402

TARGET = 1.3            # the bound: wall time <= 1.3 x ideal
ORDER = 10              # "an order of magnitude faster" than a sequential checker
RUN_TIMEOUT = 120       # seconds per run
TRACE_ADDR = "127.0.0.2"
QTYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT",
          28: "AAAA", 99: "SPF", 257: "CAA"}
STATS = re.compile(r"(\d+) questions, (\d+) answered from the cache \(([\d.]+)%\), "
                   r"(\d+) queries sent, (\d+) packets, (\d+) TCP, (\d+) timeouts")


# ------------------------------------------------------------- the reference report

class Ref:
    """The questions of the issue's report over World, each with its earliest round."""

    def __init__(self, world, selectors):
        self.w, self.selectors = world, selectors
        self.q = {}                 # (name, type) -> round
        self.area = {}              # area -> deepest round

    def zone_of(self, name):
        best = None
        for z in self.w.zones:
            if (name == z or name.endswith("." + z)) and (best is None or len(z) > len(best)):
                best = z
        return best

    def ask(self, area, name, typ, rnd):
        """Ask at round rnd; returns (status, rdata, round of the final answer).  NSD
        follows a CNAME into any zone it serves, in the same answer (with EDNS; a 2048-bit
        key behind a CNAME does not fit 512 octets); a target outside them is asked again,
        one round later (this world has none)."""
        name = name.rstrip(".").lower()
        key = (name, typ)
        rnd = min(rnd, self.q.get(key, rnd))
        self.q[key] = rnd
        self.area[area] = max(self.area.get(area, 0), rnd)
        for _ in range(8):
            cn = self.w.rr.get((name, "CNAME"))
            if typ == "CNAME" or not cn or self.zone_of(name) is None:
                break
            name = cn[0].split()[-1].rstrip(".").lower()
            if self.zone_of(name) is None:
                return self.ask(area, name, typ, rnd + 1)
        st, data = self.w.lookup(name, typ)
        return st, data, rnd

    def spf(self, name, rnd, path=()):
        if name in path or len(path) > 20:
            return
        st, txts, got = self.ask("spf", name, "TXT", rnd)
        recs = [t for t in txts if re.match(r"v=spf1( |$)", t, re.I)]
        if st != "ok" or len(recs) != 1:
            return
        nxt, has_all, redirect = got + 1, False, None
        for term in recs[0].split()[1:]:
            m = re.match(r"([a-zA-Z][\w.-]*)=(.*)$", term)
            if m:
                if m.group(1).lower() == "redirect":
                    redirect = m.group(2)
                elif m.group(1).lower() == "exp" and "%" not in m.group(2):
                    self.ask("spf", m.group(2), "TXT", nxt)
                continue
            term = term.lstrip("+-~?")
            mech, _, arg = term.partition(":")
            mech = mech.split("/")[0].lower()
            arg = arg.split("/")[0]
            target = arg or name
            if "%" in target:
                continue            # a macro needs a client: nothing to ask
            if mech == "all":
                has_all = True
            elif mech == "include":
                self.spf(target.lower(), nxt, path + (name,))
            elif mech == "a":
                self.ask("spf", target, "A", nxt)
                self.ask("spf", target, "AAAA", nxt)
            elif mech == "exists":
                self.ask("spf", target, "A", nxt)
            elif mech == "mx":
                st, hosts, r2 = self.ask("spf", target, "MX", nxt)
                for h in hosts[:10]:
                    self.ask("spf", h, "A", r2 + 1)
                    self.ask("spf", h, "AAAA", r2 + 1)
        if redirect and not has_all and "%" not in redirect:
            self.spf(redirect.lower(), nxt, path + (name,))

    def mx(self, d):
        st, hosts, r = self.ask("mx", d, "MX", 1)
        for h in hosts:
            for typ in ("A", "AAAA"):
                st, addrs, r2 = self.ask("mx", h, typ, r + 1)
                for a in addrs:
                    if typ == "A":
                        rev = ".".join(reversed(a.split("."))) + ".in-addr.arpa"
                    else:
                        rev = ipaddress.ip_address(a).reverse_pointer
                    st, names, r3 = self.ask("mx", rev, "PTR", r2 + 1)
                    for n in names:
                        self.ask("mx", n, "A", r3 + 1)
                        self.ask("mx", n, "AAAA", r3 + 1)

    def dmarc(self, d):
        labels = d.split(".")
        walk = [".".join(labels[i:]) for i in range(len(labels))]
        self.ask("dmarc", d, "A", 1)
        found = None
        for w in walk:
            st, txts, r = self.ask("dmarc", "_dmarc." + w, "TXT", 1)
            recs = [t for t in txts if re.match(r"v=DMARC1\s*(;|$)", t)]
            if found is None and len(recs) == 1:
                found = (w, recs[0], r)
        if found is None:
            return
        at, rec, r = found
        for m in re.finditer(r"mailto:[^@,;\s]+@([A-Za-z0-9.-]+)", rec):
            host = m.group(1).rstrip(".").lower()
            for typ in ("MX", "A", "AAAA"):
                self.ask("dmarc", host, typ, r + 1)
            if not (host == d or host.endswith("." + d)):
                self.ask("dmarc", "%s._report._dmarc.%s" % (at, host), "TXT", r + 1)

    def dkim(self, d):
        self.ask("dkim", "_domainkey." + d, "TXT", 1)
        for s in self.selectors:
            self.ask("dkim", "%s._domainkey.%s" % (s, d), "TXT", 1)

    def report(self, d):
        self.ask("spf", d, "SPF", 1)
        self.spf(d, 1)
        self.mx(d)
        self.dmarc(d)
        self.dkim(d)
        for n in ("_mta-sts.", "_smtp._tls.", "default._bimi."):
            self.ask("other", n + d, "TXT", 1)
        return self


def read_selectors(ac):
    """The common selectors the binary reads (data/ next to it; the first word per line)."""
    path = os.path.join(os.path.dirname(ac), "data", "dkim-selectors.txt")
    out = []
    try:
        with open(path) as f:
            for line in f:
                w = line.split("#", 1)[0].split()
                if w:
                    out.append(w[0].lower())
    except OSError:
        pass
    return out


def pattern(name, typ, d):
    """A question with the domain replaced by D, addresses by *, for summaries."""
    if name == d or name.endswith("." + d):
        name = name[: len(name) - len(d)] + "D"
    if name.endswith(".in-addr.arpa") or name.endswith(".ip6.arpa"):
        name = "*." + name.split(".", 4)[-1] if name.endswith("in-addr.arpa") else "*.ip6.arpa"
    # the wildcard probes' random label (src/wildcard.c): one pattern for all
    name = re.sub(r"(^|\.)x[a-z0-9]{23}(\.|$)", r"\1RANDOM\2", name)
    name = re.sub(r"d\d{6}-test", "D-dashed", name)
    name = re.sub(r"d\d{6}\.test", "D", name)
    return "%s %s" % (typ, name)


# ------------------------------------------------------------ the logging forwarder

class Tracer:
    """A UDP forwarder on TRACE_ADDR:53 to the proxy on 127.0.0.1:53 that logs (time,
    name, type) of every question the moment it arrives; one thread and one select()
    loop, so the log's times are the client's, not ours.  Only for the untimed traced
    runs.  (Over TCP the client would find nothing there: --stats shows TCP use.)"""

    def __init__(self):
        self.log, self.lock = [], threading.Lock()
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind((TRACE_ADDR, 53))
        self.up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.up.connect(("127.0.0.1", 53))
        self.pending, self.next_id, self.stop = {}, 0, False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    @staticmethod
    def parse(pkt):
        try:
            i, labels = 12, []
            while pkt[i]:
                labels.append(pkt[i + 1:i + 1 + pkt[i]].decode("ascii", "replace"))
                i += 1 + pkt[i]
            typ = struct.unpack("!H", pkt[i + 1:i + 3])[0]
            return ".".join(labels).lower(), QTYPES.get(typ, str(typ))
        except (IndexError, struct.error):
            return "?", "?"

    def loop(self):
        import select
        while not self.stop:
            ready, _, _ = select.select([self.front, self.up], [], [], 0.2)
            if self.front in ready:
                pkt, addr = self.front.recvfrom(65535)
                t = time.monotonic()
                if len(pkt) >= 12:
                    with self.lock:
                        self.log.append((t,) + self.parse(pkt))
                    self.next_id = (self.next_id + 1) & 0xFFFF
                    self.pending[self.next_id] = (addr, pkt[:2])
                    self.up.send(struct.pack("!H", self.next_id) + pkt[2:])
            if self.up in ready:
                pkt = self.up.recv(65535)
                hit = self.pending.pop(struct.unpack("!H", pkt[:2])[0], None) \
                    if len(pkt) >= 12 else None
                if hit:
                    self.front.sendto(hit[1] + pkt[2:], hit[0])

    def take(self):
        with self.lock:
            out, self.log = self.log, []
        self.pending.clear()
        return out

    def close(self):
        self.stop = True
        self.thread.join()
        self.front.close()
        self.up.close()


def waves(log, rtt):
    """Bursts of questions: a new one starts when a question comes more than 3/4 RTT after
    the start of the current burst (an answer cannot come sooner than one RTT)."""
    n, start = 0, None
    for t, _, _ in sorted(log):
        if start is None or t - start > rtt * 0.75 / 1000.0:
            n, start = n + 1, t
    return n


# ------------------------------------------------------------------ running the tool

def rcvbuf_errors():
    """UDP datagrams this network namespace dropped for a full receive buffer (the delay
    proxy's sockets keep the default size; NSD sets 2 MB)."""
    try:
        with open("/proc/net/snmp") as f:
            rows = [line.split() for line in f if line.startswith("Udp:")]
        return int(rows[1][rows[0].index("RcvbufErrors")])
    except (OSError, IndexError, ValueError):
        return 0


DROPS = [0]     # datagrams dropped during the runs so far


def run(proxy, argv):
    """One run: (wall ms, queries seen by the proxy, stdout, stderr, rc); the drops of the
    world during the run are added to DROPS."""
    before = proxy.total()
    drops = rcvbuf_errors()
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=RUN_TIMEOUT)
        ms, out, err, rc = (time.monotonic() - t0) * 1000, p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired:
        ms, out, err, rc = (time.monotonic() - t0) * 1000, "", "timeout", -1
    time.sleep(0.01)     # let the proxy read any datagram still queued before we count
    DROPS[0] += rcvbuf_errors() - drops
    return ms, proxy.total() - before, out, err, rc


def burst_query(qnames, timeout=2):
    """Send TXT queries for all qnames at once to the proxy; return (answers received
    before the first wait of `timeout`, ms from the first send to the last answer)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    got, t0 = 0, time.monotonic()
    last = t0
    try:
        for i, name in enumerate(qnames):
            qname = b"".join(bytes([len(x)]) + x.encode() for x in name.split(".")) + b"\0"
            s.sendto(struct.pack("!6H", i, 0x0100, 1, 0, 0, 0) + qname
                     + struct.pack("!2H", 16, 1), ("127.0.0.1", 53))
        for _ in qnames:
            s.recv(65535)
            got += 1
            last = time.monotonic()
    except OSError:
        pass
    finally:
        s.close()
    return got, (last - t0) * 1000


def parse_report(out):
    """[(domain, verdict, incomplete, finding ids)] from JSON Lines."""
    rows = []
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                o = json.loads(line)
            except ValueError:
                rows.append(("?", "?json", None, []))
                continue
            rows.append((o.get("domain"), o.get("verdict"), o.get("incomplete"),
                         [f.get("id") for f in o.get("findings", [])]))
    return rows


def parse_stats(err):
    m = STATS.search(err)
    return tuple(int(x) if "." not in x else float(x) for x in m.groups()) if m else None


def names(items, cap=12):
    more = " (+%d more)" % (len(items) - cap) if len(items) > cap else ""
    return " ".join(items[:cap]) + more


LINE = ("%-13s %3s %3s %2s %2s %2s %2s %5s %5s %6s %5s %5s %6s %6s %5s %5s %5s %5s %5s %5s"
        " %6s %5s  %s")
HEAD = ("domain", "dep", "spf", "mx", "dm", "dk", "ot", "chain", "ideal", "ac_ms", "ratio",
        "net_r", "off_ms", "first", "tail", "ch_ac", "waves", "ref_q", "ac_q", "qst", "seq_ms",
        "speed", "verdict")


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    wdir, n = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    ac = os.environ["AUTHCHECK"]
    extra = os.environ.get("AUTHCHECK_ARGS", "").split()
    rtt = float(os.environ.get("DELAY_MS", "20"))
    repeat = max(1, int(os.environ.get("REPEAT", "3")))
    world = World(wdir)
    facts = {}
    with open(os.path.join(wdir, "facts.tsv")) as f:
        next(f)
        for line in f:
            d, _lk, dep = line.split("\t")[:3]
            facts[d] = int(dep)
    domains = [d for d in open(os.path.join(wdir, "domains.txt")).read().split() if d][:n]
    if not domains or not dns_ready(domains[0]):
        print("check_bench: the bench world does not answer on 127.0.0.1:53", file=sys.stderr)
        return 3
    proxy = Proxy(wdir)
    tracer = Tracer()
    selectors = read_selectors(ac)
    zones = sorted(os.path.join(wdir, "zones", z) for z in os.listdir(os.path.join(wdir, "zones")))
    report = [ac, "--format", "json", "--no-https", "--stats"] + extra
    offline = [a for z in zones for a in ("--zone", z)]

    rtt_real = median_ms(lambda: dns_query(domains[0]))
    burst = median_ms(lambda: burst_query(["%s._domainkey.%s" % (x, domains[0]) for x in
                                           selectors] + ["_dmarc." + domains[0]]), 5)
    # The world's throughput: 256 questions at once (authcheck's in-flight cap).
    many = ["%s._domainkey.%s" % (x, d) for d in domains for x in selectors][:256]
    many_got, many_ms = burst_query(many)
    per_ms = many_got / many_ms if many_ms > 0 else 0
    starts = []

    def sample_start():
        t0 = time.monotonic()
        subprocess.run([ac, "--help"], capture_output=True)
        starts.append((time.monotonic() - t0) * 1000)
    for _ in range(5):
        sample_start()
    print("authcheck: %s %s DOMAIN\nRTT %.0f ms per query, %d timed runs per domain (median "
          "wall; max queries), %d common DKIM selectors\nfixed costs: one query through the "
          "proxy %.1f ms (median of 9), a burst of %d at once %.1f ms until the last answer "
          "(median of 5), %d at once: %d answered, the last after %.0f ms (%.2f answers/ms); "
          "`authcheck --help` %.1f ms (median of 5); load average %s\n"
          % (ac, " ".join(report[1:]), rtt, repeat, len(selectors), rtt_real,
             len(selectors) + 1, burst, len(many), many_got, many_ms, per_ms,
             statistics.median(starts), loadavg()))
    print("== phase 1: one domain per run")
    print(LINE % HEAD)
    tsv = open(os.environ["BENCH_TSV"], "w") if os.environ.get("BENCH_TSV") else None
    if tsv:
        tsv.write("\t".join(HEAD) + "\n")
    rows, missing, added = [], {}, {}
    for d in domains:
        ref = Ref(world, selectors).report(d)
        chain = max(ref.q.values())
        runs = [run(proxy, [ac, d] + report[1:]) for _ in range(repeat)]
        ms = statistics.median(r[0] for r in runs)
        acq = max(r[1] for r in runs)
        st = parse_stats(runs[0][3])
        rtx = max((p[4] - p[3]) for p in (parse_stats(x[3]) for x in runs) if p) \
            if any(parse_stats(x[3]) for x in runs) else 0
        rep = parse_report(runs[0][2])
        verdict = rep[0][1] if rep else "?rc%d" % runs[0][4]
        # the offline cost: the same report from the zone files, no network
        t0 = time.monotonic()
        subprocess.run([ac, d] + report[1:] + offline, capture_output=True, timeout=RUN_TIMEOUT)
        off = (time.monotonic() - t0) * 1000
        # the traced run: which questions, in how many waves
        tracer.take()
        t0 = time.monotonic()
        subprocess.run([ac, d] + report[1:] + ["--resolver", TRACE_ADDR], capture_output=True,
                       timeout=RUN_TIMEOUT)
        t1 = time.monotonic()
        time.sleep(0.01)
        log = tracer.take()
        first = (min(t for t, _, _ in log) - t0) * 1000 if log else 0.0
        tail = (t1 - max(t for t, _, _ in log)) * 1000 if log else 0.0
        asked = {(nm, ty) for _, nm, ty in log}
        ch_ac = max([ref.q[k] for k in asked if k in ref.q] or [0])
        for k in set(ref.q) - asked:
            missing.setdefault(pattern(k[0], k[1], d), []).append(d)
        for k in asked - set(ref.q):
            added.setdefault(pattern(k[0], k[1], d), []).append(d)
        r = {"domain": d, "dep": facts.get(d, 0), "chain": chain, "ideal": chain * rtt,
             "ms": ms, "q": acq, "ref_q": len(ref.q), "qst": st[0] if st else None,
             "off": off, "first": first, "tail": tail, "ch_ac": ch_ac, "waves": waves(log, rtt), "seq": acq * rtt,
             "verdict": verdict, "rtx": rtx, "area": ref.area, "incomplete": rep[0][2] if rep else None,
             "ids": rep[0][3] if rep else []}
        rows.append(r)
        a = ref.area
        vals = (d, r["dep"], a.get("spf", 0), a.get("mx", 0), a.get("dmarc", 0), a.get("dkim", 0),
                a.get("other", 0), chain, "%.0f" % r["ideal"], "%.1f" % ms,
                "%.2f" % (ms / r["ideal"]), "%.2f" % ((ms - off) / r["ideal"]), "%.1f" % off,
                "%.1f" % first, "%.1f" % tail, ch_ac, r["waves"], r["ref_q"], acq, r["qst"] if r["qst"] is not None else "-",
                "%.0f" % r["seq"], "%.1f" % (r["seq"] / ms), verdict)
        print(LINE % vals, flush=True)
        if tsv:
            tsv.write("\t".join(str(v) for v in vals) + "\n")
        sample_start()
    if tsv:
        tsv.close()

    start = statistics.median(starts)

    def ratio(_key, minus=lambda r: 0.0, div="ideal"):
        v = [(r["ms"] - minus(r)) / (r["ideal"] if div == "ideal" else
                                     r["chain"] * burst if div == "burst" else
                                     r["ch_ac"] * rtt) for r in rows]
        over = [r["domain"] for r, x in zip(rows, v) if x > TARGET]
        return "median %.2f  max %.2f  over %.1fx: %d/%d%s" % (
            statistics.median(v), max(v), TARGET, len(over), len(rows),
            (": " + names(over)) if over else "")

    total_ms = sum(r["ms"] for r in rows)
    total_seq = sum(r["seq"] for r in rows)
    speed = [r["seq"] / r["ms"] for r in rows]
    q = [r["q"] for r in rows]
    refq = [r["ref_q"] for r in rows]
    print("summary (phase 1):")
    print("  wall/ideal (ideal = chain x RTT, the issue's bound):   " + ratio("ideal"))
    print("  (wall - start-up %.1f ms)/ideal:                        " % start
          + ratio("ideal", lambda r: start))
    print("  (wall - offline run of the same report)/ideal:          "
          + ratio("ideal", lambda r: r["off"]))
    print("  wall/(ch_ac x RTT), the floor of the questions asked:   "
          + ratio("ideal", div="ch_ac"))
    print("  offline run (same report from the zone files, no network): median %.1f ms, "
          "max %.1f ms" % (statistics.median(r["off"] for r in rows), max(r["off"] for r in rows)))
    print("  traced run: first question %.1f ms after exec (median; max %.1f), last question "
          "to exit %.1f ms (median; max %.1f)" % (
              statistics.median(r["first"] for r in rows), max(r["first"] for r in rows),
              statistics.median(r["tail"] for r in rows), max(r["tail"] for r in rows)))
    print("  wall/(chain x burst RTT %.1f ms), the world's own floor:   " % burst
          + ratio("ideal", div="burst"))
    print("  retransmissions (--stats packets - queries, max of the runs): %d in %d domains; "
          "datagrams the world dropped (UDP RcvbufErrors) in phase 1: %d"
          % (sum(r["rtx"] for r in rows), sum(1 for r in rows if r["rtx"]), DROPS[0]))
    print("  rounds: chain median %s max %d; ch_ac median %s max %d; waves seen median %s "
          "max %d" % (statistics.median(r["chain"] for r in rows), max(r["chain"] for r in rows),
                      statistics.median(r["ch_ac"] for r in rows), max(r["ch_ac"] for r in rows),
                      statistics.median(r["waves"] for r in rows), max(r["waves"] for r in rows)))
    more_waves = ["%s(%d>%d)" % (r["domain"], r["waves"], r["ch_ac"]) for r in rows
                  if r["waves"] > r["ch_ac"]]
    print("  domains taking more waves than ch_ac: %d/%d %s"
          % (len(more_waves), len(rows), names(more_waves)))
    print("  total wall %.0f ms vs sequential estimate (queries x RTT) %.0f ms: %.1fx faster; "
          "per domain median %.1fx, min %.1fx; under %dx: %d/%d"
          % (total_ms, total_seq, total_seq / total_ms, statistics.median(speed), min(speed),
             ORDER, sum(1 for s in speed if s < ORDER), len(rows)))
    best = [r["q"] / r["chain"] for r in rows]
    print("  best possible speed-up at these query counts (ac_q / chain): median %.1fx, "
          "min %.1fx" % (statistics.median(best), min(best)))
    print("  queries per domain (proxy): median %s, max %d, total %d; reference questions: "
          "median %s, max %d, total %d" % (statistics.median(q), max(q), sum(q),
                                           statistics.median(refq), max(refq), sum(refq)))
    print("  reference questions authcheck did not ask (pattern: domains):")
    for k in sorted(missing, key=lambda k: (-len(missing[k]), k)):
        print("    %-40s %d" % (k, len(missing[k])))
    print("  questions authcheck asked beyond the reference (pattern: domains):")
    for k in sorted(added, key=lambda k: (-len(added[k]), k)):
        print("    %-40s %d" % (k, len(added[k])))
    verdicts = {}
    for r in rows:
        verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    print("  verdicts: " + ", ".join("%s %d" % kv for kv in sorted(verdicts.items())))
    dnsf = [r["domain"] for r in rows if "dns.failure" in r["ids"]]
    print("  domains with dns.failure: %d/%d" % (len(dnsf), len(rows)))

    # ---- phase 2: every domain in one run
    print("\n== phase 2: all %d domains in one run (--domains FILE)" % len(domains))
    dfile = os.path.join(wdir, "bench-domains.txt")
    with open(dfile, "w") as f:
        f.write("\n".join(domains) + "\n")
    DROPS[0] = 0
    runs = [run(proxy, report + ["--domains", dfile]) for _ in range(repeat)]
    ms = statistics.median(r[0] for r in runs)
    bq = max(r[1] for r in runs)
    st = parse_stats(runs[0][3])
    got = parse_report(runs[0][2])
    bchain = max(r["chain"] for r in rows)
    print("  wall: median %.0f ms of %d (runs: %s); ideal (deepest chain %d x RTT) %.0f ms: "
          "ratio %.2f" % (ms, repeat, " ".join("%.0f" % r[0] for r in runs), bchain,
                          bchain * rtt, ms / (bchain * rtt)))
    print("  reports: %d of %d domains; queries seen by the proxy: %d (%.1f per domain) vs "
          "%d in phase 1 (one domain per run)" % (len(got), len(domains), bq,
                                                  bq / len(domains), sum(q)))
    if st:
        print("  --stats: %d questions, %d answered from the cache (hit rate %.1f%%), %d queries "
              "sent, %d packets, %d TCP, %d timeouts" % st)
    else:
        print("  --stats: no statistics line on stderr: %r" % runs[0][3][-300:])
    floor = max(bchain * rtt, bq / per_ms if per_ms else 0)
    print("  the world's floor: max(chain x RTT, queries / %.2f answers per ms) = %.0f ms: "
          "ratio %.2f" % (per_ms, floor, ms / floor if floor else 0))
    rtxs = [p[4] - p[3] for p in (parse_stats(x[3]) for x in runs) if p]
    print("  retransmissions per run (--stats packets - queries): %s; datagrams the world "
          "dropped (UDP RcvbufErrors) over the %d runs: %d" % (
              " ".join(str(x) for x in rtxs), repeat, DROPS[0]))
    print("  sequential estimate (phase-1 queries x RTT) %.0f ms: %.0fx the batch's wall"
          % (total_seq, total_seq / ms))
    print("\nload average at the end: %s (wall times and ratios are only meaningful on an "
          "idle machine; query counts are not affected)" % loadavg())
    print("""
columns: dep = facts.tsv spf_depth; spf/mx/dm/dk/ot = deepest round per area (the chain
  rule is in check_bench.py); chain = max; ideal = chain x RTT; ratio = ac_ms/ideal;
  net_r = (ac_ms - off_ms)/ideal, off_ms = the same report offline (--zone, every zone
  file); first/tail = traced run: exec to the first question, the last question to exit;
  ch_ac = chain over the questions authcheck asked; waves = bursts of questions seen;
  ref_q = reference questions; ac_q = queries the proxy saw; qst = questions per --stats
  (cache hits included); seq_ms = ac_q x RTT; speed = seq_ms/ac_ms.""")
    tracer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
