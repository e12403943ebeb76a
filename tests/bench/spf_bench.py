#!/usr/bin/python3
"""Time `authcheck spf --ip` against spfquery (libspf2) on the bench world.

Usage (inside the bench namespace, see spf_bench.sh):
    spf_bench.py WORLD_DIR NDOMAINS
Environment: AUTHCHECK (binary; empty = spfquery only), SPFQUERY (default spfquery),
DELAY_MS (the proxy's added delay, default 20), REPEAT (timed runs per tool and domain,
median taken; default 3), BENCH_TSV (optional file for the per-domain rows).

Every DNS query goes through the delay proxy, which counts them: SIGUSR1 makes it write
the running total to WORLD/count, so the queries of one run are the difference of the
totals read before and after it (no reset, so a late signal cannot lose a query).

Besides the two tools, a small reference check_host() (RFC 7208, lazy, left to right)
reads the zone files directly.  It gives the queries the evaluation needs (need_q) and,
for each needed query, the earliest round trip in which a perfect prefetcher could have
sent it; the deepest round is the dependency chain (chain), the physical floor of the
wall time.  Exit status: 0 measured (whatever the ratios), 3 world not answering,
2 usage.
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
import time

TARGET = 1.3            # the bound: wall time <= 1.3 x ideal
RUN_TIMEOUT = 60        # seconds per tool run

# ---------------------------------------------------------------- the world, from zone files

TXT_STR = re.compile(r'"((?:[^"\\]|\\.)*)"')


class World:
    """(name, type) -> rdata list from gen_world.py's zone files (its simple, fixed format:
    absolute or relative owners, every record on one line with its TTL and class).  The
    world serves the root zone (origin ""), so a name outside the other zones is NXDOMAIN;
    REFUSED is left for a world without one."""

    def __init__(self, wdir):
        self.rr, self.names, self.zones, self.wild = {}, set(), set(), set()
        zdir = os.path.join(wdir, "zones")
        for fn in sorted(os.listdir(zdir)):
            origin = None
            with open(os.path.join(zdir, fn)) as f:
                for line in f:
                    line = line.strip()
                    if line.startswith("$ORIGIN"):
                        origin = line.split()[1].rstrip(".").lower()
                        self.zones.add(origin)
                        continue
                    if not line or line.startswith("$") or line.startswith(";"):
                        continue
                    owner, _ttl, _cls, typ, rdata = line.split(None, 4)
                    if owner == "@":
                        name = origin
                    elif owner.endswith("."):
                        name = owner[:-1].lower()
                    else:
                        name = owner.lower() + "." + origin
                    if typ == "TXT":
                        rdata = "".join(TXT_STR.findall(rdata))
                    elif typ == "MX":
                        rdata = rdata.split()[1].rstrip(".").lower()
                    self.rr.setdefault((name, typ), []).append(rdata)
                    self.names.add(name)
                    if name.startswith("*."):
                        self.wild.add(name[2:])

    def lookup(self, name, typ):
        """('ok'|'nodata'|'nxdomain'|'refused', rdata list), as NSD would answer."""
        name = name.rstrip(".").lower()
        if not any(z == "" or name == z or name.endswith("." + z) for z in self.zones):
            return "refused", []
        if name not in self.names:
            if self.exists(name):
                return "nodata", []         # empty non-terminal
            encloser = name
            while not self.exists(encloser):
                encloser = encloser.split(".", 1)[1] if "." in encloser else ""
            if encloser not in self.wild:   # RFC 4592: only the closest encloser's *
                return "nxdomain", []
            name = "*." + encloser
        got = self.rr.get((name, typ), [])
        return ("ok", got) if got else ("nodata", [])

    def exists(self, name):
        """Owner name or empty non-terminal (a zone apex always has records)."""
        return name in self.names or (name != "" and
                                      any(n.endswith("." + name) for n in self.names))

    def spf_record(self, name):
        recs = [r for r in self.rr.get((name, "TXT"), []) if re.match(r"v=spf1( |$)", r, re.I)]
        return recs[0] if len(recs) == 1 else None

    def ip4_terms(self):
        for (_, typ), vals in self.rr.items():
            if typ == "TXT":
                for v in vals:
                    for t in v.split():
                        m = re.match(r"[-+~?]?ip4:(\S+)", t, re.I)
                        if m:
                            yield ipaddress.ip_network(m.group(1), strict=False)


# ------------------------------------------------------------- reference check_host()

QUAL = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
MACRO = re.compile(r"%(?:\{([a-zA-Z])(\d*)(r?)([-.+,/_=]*)\}|(.))")


class Ref:
    """Lazy RFC 7208 check_host() over World; records every query with the earliest
    round trip a prefetcher could send it in (round 1 = the domain's own TXT)."""

    def __init__(self, world, ip, sender, helo):
        self.w, self.ip, self.sender, self.helo = world, ipaddress.ip_address(ip), sender, helo
        self.queries = {}           # (name, type) -> round
        self.lookups = self.voids = 0

    def query(self, name, typ, rnd):
        key = (name.rstrip(".").lower(), typ)
        self.queries[key] = min(rnd, self.queries.get(key, rnd))
        st, data = self.w.lookup(*key)
        return st, data, self.queries[key]      # a cached answer is as early as its first ask

    def expand(self, spec, dom):
        local, _, sdom = self.sender.rpartition("@")
        if self.ip.version == 4:
            i = str(self.ip)
        else:
            i = ".".join(self.ip.exploded.replace(":", ""))
        vals = {"s": self.sender, "l": local or "postmaster", "o": sdom, "d": dom, "i": i,
                "h": self.helo, "v": "in-addr" if self.ip.version == 4 else "ip6"}

        def one(m):
            if m.group(5) is not None:
                return {"%": "%", "_": " ", "-": "%20"}[m.group(5)]
            parts = re.split("[" + re.escape(m.group(4) or ".") + "]", vals[m.group(1).lower()])
            if m.group(3):
                parts.reverse()
            if m.group(2):
                parts = parts[-int(m.group(2)):]
            return ".".join(parts)
        return MACRO.sub(one, spec)

    def count_lookup(self):
        self.lookups += 1
        return self.lookups > 10

    def void(self, st):
        if st in ("nodata", "nxdomain"):
            self.voids += 1
        return self.voids > 2

    def addr_match(self, name, cidr, rnd):
        """Does name have an address in the client's family within cidr?  (match, error)"""
        st, addrs, _ = self.query(name, "A" if self.ip.version == 4 else "AAAA", rnd)
        if st == "refused":
            return False, "temperror"
        if self.void(st):
            return False, "permerror"
        for a in addrs:
            if self.ip in ipaddress.ip_network("%s/%d" % (a, cidr), strict=False):
                return True, None
        return False, None

    def check_host(self, dom, rnd=1):
        st, txts, got = self.query(dom, "TXT", rnd)
        if st == "refused":
            return "temperror"
        spf = [t for t in txts if re.match(r"v=spf1( |$)", t, re.I)]
        if not spf:
            return "none"
        if len(spf) > 1:
            return "permerror"
        nxt = got + 1               # the record's own queries go out the round after it
        redirect = None
        for term in spf[0].split()[1:]:
            m = re.match(r"([a-zA-Z][\w.-]*)=(.*)$", term)
            if m:
                if m.group(1).lower() == "redirect":
                    redirect = m.group(2)
                continue
            q = "+"
            if term[0] in QUAL:
                q, term = term[0], term[1:]
            mech, _, arg = term.partition(":")
            mech = mech.lower()
            raw = arg
            m = re.match(r"(.*?)(?:/(\d+))?(?://(\d+))?$", arg if arg else mech)
            if arg:
                arg = m.group(1)
            else:
                mech = m.group(1).lower()
            c4 = int(m.group(2)) if m.group(2) else 32
            c6 = int(m.group(3)) if m.group(3) else 128
            cidr = c4 if self.ip.version == 4 else c6
            target = self.expand(arg, dom) if arg else dom
            match, err = False, None
            if mech in ("include", "a", "mx", "ptr", "exists") and self.count_lookup():
                return "permerror"
            if mech == "all":
                match = True
            elif mech in ("ip4", "ip6"):
                net = ipaddress.ip_network(raw, strict=False)
                match = net.version == self.ip.version and self.ip in net
            elif mech == "include":
                r = self.check_host(target, nxt)
                if r in ("none", "permerror"):
                    self.void("nxdomain")
                    return "permerror"
                if r == "temperror":
                    return r
                match = r == "pass"
            elif mech == "a":
                match, err = self.addr_match(target, cidr, nxt)
            elif mech == "mx":
                st, hosts, mxr = self.query(target, "MX", nxt)
                if st == "refused":
                    return "temperror"
                if self.void(st) or len(hosts) > 10:
                    return "permerror"
                for h in hosts:
                    match, err = self.addr_match(h, cidr, mxr + 1)
                    if match or err:
                        break
            elif mech == "exists":
                st, _, _ = self.query(target, "A", nxt)
                if st == "refused":
                    return "temperror"
                if self.void(st):
                    return "permerror"
                match = st == "ok"
            elif mech == "ptr":
                rev = self.ip.reverse_pointer
                st, names, pr = self.query(rev, "PTR", nxt)
                for n in names[:10]:        # a PTR lookup error is just no match (5.5)
                    if n == target or n.endswith("." + target):
                        hit, _ = self.addr_match(n, 32 if self.ip.version == 4 else 128, pr + 1)
                        if hit:
                            match = True
                            break
            else:
                return "permerror"
            if err:
                return err
            if match:
                return QUAL[q]
        if redirect is not None:
            if self.count_lookup():
                return "permerror"
            r = self.check_host(self.expand(redirect, dom), nxt)
            return "permerror" if r == "none" else r
        return "neutral"


# ----------------------------------------------------------------- running the tools

class Proxy:
    """The delay proxy's running query total, read through SIGUSR1 + WORLD/count."""

    def __init__(self, wdir):
        self.countfile = os.path.join(wdir, "count")
        with open(os.path.join(wdir, "proxy.pid")) as f:
            self.pid = int(f.read().strip())

    def total(self):
        try:
            os.unlink(self.countfile)
        except FileNotFoundError:
            pass
        os.kill(self.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with open(self.countfile) as f:
                    s = f.read()
                if s.endswith("\n"):
                    return int(s)
            except FileNotFoundError:
                pass
            time.sleep(0.002)
        raise RuntimeError("delay proxy did not answer SIGUSR1")


def run_tool(proxy, argv, parse):
    """One run: (wall ms, queries, result text)."""
    before = proxy.total()
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=RUN_TIMEOUT)
        ms = (time.monotonic() - t0) * 1000
        res = parse(p.stdout) or "?rc%d" % p.returncode
    except subprocess.TimeoutExpired:
        ms, res = (time.monotonic() - t0) * 1000, "timeout"
    except OSError as e:
        ms, res = (time.monotonic() - t0) * 1000, "?exec:" + e.strerror
    time.sleep(0.01)     # let the proxy read any datagram still queued before we count
    return ms, proxy.total() - before, res


def parse_authcheck(out):
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                return json.loads(line).get("result")
            except ValueError:
                return "?json"
    return None


SPFQ_NAMES = {"unknown": "permerror", "error": "temperror"}


def parse_spfquery(out):
    """The first line that is a bare result; an error block (StartError ...) may precede it."""
    for line in out.splitlines():
        w = line.strip()
        if w in ("pass", "fail", "softfail", "neutral", "none", "permerror", "temperror",
                 "unknown", "error"):
            return SPFQ_NAMES.get(w, w)
    return None


def measure(proxy, argv, parse, repeat):
    runs = [run_tool(proxy, argv, parse) for _ in range(repeat)]
    results = {r[2] for r in runs}
    return (statistics.median(r[0] for r in runs), max(r[1] for r in runs),
            runs[0][2] if len(results) == 1 else "/".join(sorted(results)))


def dns_query(name, timeout=2):
    """One TXT query to the proxy on 127.0.0.1:53: (rcode, answer count, ms) or None."""
    qname = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    pkt = struct.pack("!6H", 0x4242, 0x0100, 1, 0, 0, 0) + qname + struct.pack("!2H", 16, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        t0 = time.monotonic()
        s.sendto(pkt, ("127.0.0.1", 53))
        ans = s.recv(4096)
        ms = (time.monotonic() - t0) * 1000
    except OSError:
        return None
    finally:
        s.close()
    if len(ans) < 12 or ans[:2] != pkt[:2]:
        return None
    flags, _qd, an = struct.unpack("!HHH", ans[2:8])
    return flags & 0xF, an, ms


def dns_ready(name):
    """True when the world answers name's TXT with data (three tries)."""
    for _ in range(3):
        r = dns_query(name)
        if r:
            return r[0] == 0 and r[1] > 0
    return False


def median_ms(fn, n=9):
    v = []
    for _ in range(n):
        t0 = time.monotonic()
        fn()
        v.append((time.monotonic() - t0) * 1000)
    return statistics.median(v)


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return "?"


# ----------------------------------------------------------------------------- report

def fmt(x, spec):
    return "-" if x is None else format(x, spec)


LINE = "%-13s %3s %3s %5s %6s %7s %7s %7s %7s %7s %4s %7s %4s  %-9s %-9s %-9s"


def table_head():
    print(LINE % ("domain", "dep", "lk", "chain", "need_q", "ideal_f", "ideal_c", "ac_ms",
                  "ratio_f", "ratio_c", "ac_q", "sq_ms", "sq_q", "ac_res", "sq_res", "ref_res"))


def table_row(r, pass_case):
    print(LINE % (r["domain"], r["depth"], r["lookups"], r["chain"], r["need_q"],
                  r["ideal_f"], r["ideal_c"], fmt(r["ac_ms"], ".1f"),
                  "-" if pass_case else fmt(r["ratio_f"], ".2f"), fmt(r["ratio_c"], ".2f"),
                  fmt(r["ac_q"], "d"), fmt(r["sq_ms"], ".1f"), fmt(r["sq_q"], "d"),
                  r["ac_res"] or "-", r["sq_res"], r["ref_res"]), flush=True)


def names(items, cap=12):
    """Space-separated, at most cap of them, then how many were left out."""
    more = " (+%d more)" % (len(items) - cap) if len(items) > cap else ""
    return " ".join(items[:cap]) + more


def summary(rows, pass_case, have_ac, ac_start):
    def stat(key, minus=0.0):
        v = [(r["ac_ms"] - minus) / r[key] if r[key] else 0 for r in rows]
        over = [r["domain"] for r, x in zip(rows, v) if x > TARGET]
        return "median %.2f  max %.2f  over %.1fx: %d/%d%s" % (
            statistics.median(v), max(v), TARGET, len(over), len(rows),
            (": " + names(over)) if over else "")

    need = sum(r["need_q"] for r in rows)
    sq_q = sum(r["sq_q"] for r in rows)
    sq_ms = sum(r["sq_ms"] for r in rows)
    sq_dis = [r["domain"] for r in rows if r["sq_res"] != r["ref_res"]]
    if have_ac:
        ac_q = sum(r["ac_q"] for r in rows)
        ac_ms = sum(r["ac_ms"] for r in rows)
        if not pass_case:
            print("  wall/ideal_f (ideal_f = spf_depth x RTT): " + stat("ideal_f"))
        print("  wall/ideal_c (ideal_c = chain x RTT):     " + stat("ideal_c"))
        print("  same without authcheck's start-up (%.1f ms: median of `authcheck --help`, "
              "sampled after every domain):" % ac_start)
        if not pass_case:
            print("    (wall - start)/ideal_f:                 " + stat("ideal_f", ac_start))
        print("    (wall - start)/ideal_c:                 " + stat("ideal_c", ac_start))
        print("  wall time, all domains: authcheck %.0f ms, spfquery %.0f ms "
              "(spfquery/authcheck %.2f)"
              % (ac_ms, sq_ms, sq_ms / ac_ms if ac_ms else 0))
        print("  queries: authcheck %d, spfquery %d, needed (reference) %d" % (ac_q, sq_q, need))
        more_need = ["%s(%d>%d)" % (r["domain"], r["ac_q"], r["need_q"])
                     for r in rows if r["ac_q"] > r["need_q"]]
        more_sq = ["%s(%d>%d)" % (r["domain"], r["ac_q"], r["sq_q"])
                   for r in rows if r["ac_q"] > r["sq_q"]]
        print("  authcheck sent more than needed: %d/%d %s"
              % (len(more_need), len(rows), names(more_need)))
        print("  authcheck sent more than spfquery: %d/%d %s"
              % (len(more_sq), len(rows), names(more_sq)))
        dis = ["%s(ac=%s sq=%s ref=%s)" % (r["domain"], r["ac_res"], r["sq_res"], r["ref_res"])
               for r in rows if r["ac_res"] != r["sq_res"]]
        print("  results authcheck = spfquery: %d/%d agree %s"
              % (len(rows) - len(dis), len(rows), names(dis)))
        dis = [r["domain"] for r in rows if r["ac_res"] != r["ref_res"]]
        print("  results authcheck = reference: %d/%d agree %s"
              % (len(rows) - len(dis), len(rows), names(dis)))
    else:
        print("  queries: spfquery %d, needed (reference) %d; spfquery wall %.0f ms"
              % (sq_q, need, sq_ms))
    print("  results spfquery = reference: %d/%d agree %s"
          % (len(rows) - len(sq_dis), len(rows), names(sq_dis)))


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    wdir, n = sys.argv[1], int(sys.argv[2])
    # spf_bench.sh stops us with SIGTERM; as an exception it makes subprocess.run
    # kill the tool it is waiting for, so nothing outlives the torn-down world.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    ac = os.environ.get("AUTHCHECK", "")
    spfquery = os.environ.get("SPFQUERY", "spfquery")
    rtt = float(os.environ.get("DELAY_MS", "20"))
    repeat = max(1, int(os.environ.get("REPEAT", "3")))
    world = World(wdir)
    facts = {}
    with open(os.path.join(wdir, "facts.tsv")) as f:
        next(f)
        for line in f:
            d, lk, dep = line.split("\t")[:3]
            facts[d] = (int(lk), int(dep))
    domains = [d for d in open(os.path.join(wdir, "domains.txt")).read().split() if d][:n]
    if not domains or not dns_ready(domains[0]):
        print("spf_bench: the bench world does not answer on 127.0.0.1:53", file=sys.stderr)
        return 3
    proxy = Proxy(wdir)

    # A client address no ip4: term in the world covers, so only DNS terms can decide.
    nets = list(world.ip4_terms())
    nomatch = next(a for a in ipaddress.ip_network("100.64.0.0/10").hosts()
                   if not any(a in net for net in nets))

    def own_ip(d):
        """The first single-address ip4: of d's SPF record(s), even when there are two."""
        for rec in world.rr.get((d, "TXT"), []):
            m = re.search(r"^v=spf1 (?:.* )?\+?ip4:(\d+\.\d+\.\d+\.\d+)(?: |$)", rec)
            if m:
                return m.group(1)
        return None

    # The fixed costs inside every wall time, so a ratio can be read: one query's
    # round trip through the proxy, and starting each tool (the first run also warms
    # the page cache so the first domain is not charged for it).
    rtt_real = median_ms(lambda: dns_query(domains[0]))
    calib = ["one query through the proxy %.1f ms" % rtt_real]
    # Start-up is sampled again after every domain, so its median sees the same
    # machine load as the runs it is subtracted from.
    starts = {"authcheck": [], "spfquery": []}
    start_argv = {"authcheck": [ac, "--help"] if ac else None,
                  "spfquery": [spfquery, "-version"]}

    def sample_starts():
        for name, argv in start_argv.items():
            if argv:
                t0 = time.monotonic()
                subprocess.run(argv, capture_output=True)
                starts[name].append((time.monotonic() - t0) * 1000)
    for _ in range(5):
        sample_starts()
    for name, argv in start_argv.items():
        if argv:
            calib.append("%s %.1f ms" % (" ".join([name] + argv[1:]),
                                         statistics.median(starts[name])))

    tsv = open(os.environ["BENCH_TSV"], "w") if os.environ.get("BENCH_TSV") else None
    cols = ("pass", "domain", "depth", "lookups", "chain", "need_q", "ideal_f", "ideal_c",
            "ac_ms", "ratio_f", "ratio_c", "ac_q", "sq_ms", "sq_q", "ac_res", "sq_res", "ref_res")
    if tsv:
        tsv.write("\t".join(cols) + "\n")
    print("authcheck: %s\nspfquery:  %s\nRTT %.0f ms per query, %d runs per tool and domain "
          "(median wall time; max queries)" % (ac or "(not built; spfquery only)",
                                                 spfquery, rtt, repeat))
    print("fixed costs (median of 9, start-ups of 5): %s; load average %s\n" % (", ".join(calib), loadavg()))
    for pass_case in (False, True):
        rows = []
        if pass_case:
            print("\n== pass 2: client IP = the domain's own ip4: term (evaluation stops "
                  "there; later includes are not needed)")
        else:
            print("== pass 1: client IP %s matches no ip4:/ip6: term in the world "
                  "(the whole tree is walked, unless a DNS term or +all decides first)" % nomatch)
        table_head()
        for d in domains:
            ip = own_ip(d) if pass_case else str(nomatch)
            if ip is None:
                continue
            sender = "postmaster@" + d
            ref = Ref(world, ip, sender, d)
            ref_res = ref.check_host(d)
            chain = max(ref.queries.values())
            lk, dep = facts.get(d, (0, 0))
            r = {"domain": d, "depth": dep, "lookups": lk, "chain": chain,
                 "need_q": len(ref.queries), "ideal_f": dep * rtt, "ideal_c": chain * rtt,
                 "ref_res": ref_res, "ac_ms": None, "ac_q": None, "ac_res": None,
                 "ratio_f": None, "ratio_c": None}
            if ac:
                r["ac_ms"], r["ac_q"], r["ac_res"] = measure(
                    proxy, [ac, "spf", d, "--ip", ip, "--sender", sender, "--format", "json"]
                    + os.environ.get("AUTHCHECK_ARGS", "").split(),
                    parse_authcheck, repeat)
                r["ratio_f"] = r["ac_ms"] / r["ideal_f"] if r["ideal_f"] else 0
                r["ratio_c"] = r["ac_ms"] / r["ideal_c"]
            r["sq_ms"], r["sq_q"], r["sq_res"] = measure(
                proxy, [spfquery, "-ip", ip, "-sender", sender, "-helo", d],
                parse_spfquery, repeat)
            rows.append(r)
            table_row(r, pass_case)
            sample_starts()
            if tsv:
                tsv.write("\t".join(str(int(pass_case) + 1) if c == "pass" else
                                    "-" if r[c] is None else
                                    ("%.2f" % r[c]) if isinstance(r[c], float) else str(r[c])
                                    for c in cols) + "\n")
        print("summary:")
        summary(rows, pass_case, bool(ac),
                statistics.median(starts["authcheck"]) if ac else 0.0)
    if tsv:
        tsv.close()
    print("\nload average at the end: %s (ratios are only meaningful on an idle machine)"
          % loadavg())
    print("\ndep = facts.tsv spf_depth: round trips down the deepest include chain, the "
          "domain's own TXT included\n  (= include depth + 1); ideal_f = dep x RTT is the "
          "issue's (include depth + 1) x RTT.\nchain = round trips a perfect prefetcher "
          "needs for the queries the evaluation really needs\n  (mx = MX then A: 2 rounds "
          "below its record; a, exists, include: 1); ideal_c = chain x RTT.\nlk = facts.tsv "
          "spf_lookups (terms that cost a lookup, whole tree); need_q = distinct queries "
          "the\n  reference check_host() sends; ac_q/sq_q = queries the proxy saw from "
          "authcheck/spfquery.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
