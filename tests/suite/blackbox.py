#!/usr/bin/env python3
"""Black-box runner for the openspf RFC 7208 suite (see tests/suite/README).

  blackbox.py gen SUITE.yml[.gz] DIR
      Write, per section N, DIR/N.data (an ldns-testns data file serving the
      section's zonedata) and DIR/N.cases (the section's tests, JSON lines).
  blackbox.py run AUTHCHECK JOBS DIR/N.cases=PORT...
      Run every case of the given sections, JOBS at a time, through
      `AUTHCHECK spf --resolver 127.0.0.1:PORT ...` (PORT: that section's
      server); compare result, explanation and exit status, and report
      sanitizer errors; print one line per failure and
      "cases run: P passed, F failed".

The zonedata conventions are those of pyspf's testspf.py (the suite's
reference driver), the same as tests/suite/test_openspf.c:
  - entries of a name count up to its TIMEOUT entry; a query for a type with
    no entry before TIMEOUT gets no usable answer (see TIMEOUT below);
  - a name without a TXT entry serves its SPF entries as TXT, unless it has a
    TIMEOUT (testspf generates those TXT after TIMEOUT, so TXT times out);
  - "TXT: NONE" is no TXT record;
  - absent name: NXDOMAIN; present name (or empty non-terminal) without the
    type: NOERROR with no answer (NODATA).

ldns-testns answers with the first entry that matches; a query that matches no
entry gets no reply.  The last entry is a catch-all NXDOMAIN, so a TIMEOUT
name cannot simply be left out.  Its entry instead answers with a decoy: a
well-formed response with a fixed message ID and a question for another name
(decoy.invalid.).  A resolver must ignore a response that does not match its
query (RFC 5452 section 9.1), so for the client the query stays unanswered
until its timeout: from its side, exactly a server that does not reply.  A
client that accepted the decoy would see NOERROR/NODATA instead of a timeout
and fail the TIMEOUT cases.

Answers over 512 octets are served like a server without EDNS does: over UDP
a truncated (TC) empty answer, the full answer over TCP.
"""

import concurrent.futures
import gzip
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time

import yaml

QUERY_TYPES = ("A", "AAAA", "MX", "TXT", "PTR", "CNAME", "SPF")
UDP_MAX = 512
DECOY_ID = 0x5A5A
# authcheck spf --help: 0 pass, 3 temperror, 1 any other result
EXIT_CODES = {"pass": 0, "temperror": 3, "fail": 1, "softfail": 1,
              "neutral": 1, "none": 1, "permerror": 1}


def norm(name):
    return name.rstrip(".").lower()


def load_zone(zd):
    """zonedata -> {lowername: {"owner", "rrs": [(type, value)], "timeout"}}

    Mirrors testspf.getrdata/DNSLookup: entries after TIMEOUT are never seen,
    generated TXT (from SPF) come after TIMEOUT."""
    zone = {}
    for name, entries in (zd or {}).items():
        if isinstance(entries, str):
            entries = [entries]
        rrs, spf, have_txt, timeout = [], [], False, False
        for e in entries:
            if e == "TIMEOUT":
                timeout = True
                break
            for t, v in e.items():
                if v == "TIMEOUT":
                    raise SystemExit("per-type TIMEOUT not supported: %s" % name)
                if t in ("TXT", "SPF") and isinstance(v, str):
                    v = [v]
                if t == "TXT":
                    have_txt = True
                    if v == ["NONE"]:
                        continue
                elif t == "SPF":
                    spf.append(v)
                rrs.append((t, v))
        if not have_txt and not timeout:
            rrs.extend(("TXT", v) for v in spf)
        zone[norm(name)] = {"owner": name.rstrip("."), "rrs": rrs,
                            "timeout": timeout}
    return zone


def valid_name(name):
    if len(name) > 253:
        return False
    return all(0 < len(lab.encode()) <= 63 for lab in name.split("."))


def esc_name(name):
    """Presentation form, absolute, every odd byte as \\DDD."""
    if name in ("", "."):
        return "."
    out = []
    for b in name.rstrip(".").encode("utf-8"):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-_."):
            out.append(c)
        else:
            out.append("\\%03d" % b)
    return "".join(out) + "."


def esc_str(s):
    out = ['"']
    for b in s:
        c = chr(b)
        if 0x20 <= b < 0x7F and c not in '"\\':
            out.append(c)
        else:
            out.append("\\%03d" % b)
    out.append('"')
    return "".join(out)


def txt_strings(v):
    """A TXT value (list of str) -> character-strings of <= 255 bytes; longer
    ones are split, which joins back to the same text."""
    out = []
    for s in v:
        b = s.encode("utf-8")
        if not b:
            out.append(b)
        while b:
            out.append(b[:255])
            b = b[255:]
    # "SPF: [ ]" (zero strings) cannot be sent; one empty string joins to
    # the same empty text
    return out or [b""]


def rdata(t, v):
    """(zone-file rdata text, wire rdata length)."""
    if t == "A":
        return v, 4
    if t == "AAAA":
        return v, 16
    if t in ("PTR", "CNAME"):
        return esc_name(v), len(v) + 2
    if t == "MX":
        return "%d %s" % (int(v[0]), esc_name(v[1])), len(v[1]) + 4
    if t in ("TXT", "SPF"):
        ss = txt_strings(v)
        return " ".join(esc_str(s) for s in ss), sum(len(s) + 1 for s in ss)
    raise SystemExit("unknown type %s" % t)


def answer(zone, qname, qtype):
    """Resolve like an authoritative server for the whole zone: follow CNAMEs
    inside the zone.  Returns (rcode, [(owner, type, value)]) or None when
    the chain reaches a TIMEOUT name (the answer is not served: the client
    asks the target itself)."""
    out, seen, name = [], set(), norm(qname)
    while True:
        node = zone.get(name)
        if node is None:
            ent = any(k.endswith("." + name) for k in zone)
            return ("NOERROR" if ent else "NXDOMAIN"), out
        rrs = [(node["owner"], t, v) for t, v in node["rrs"] if t == qtype]
        if rrs:
            return "NOERROR", out + rrs
        cname = [(node["owner"], t, v) for t, v in node["rrs"] if t == "CNAME"]
        if not cname or qtype == "CNAME":
            return ("TIMEOUT" if node["timeout"] else "NOERROR"), out
        out.append(cname[0])
        seen.add(name)
        name = norm(cname[0][2])
        if name in seen or len(seen) > 8:
            return "NOERROR", out


def entry(lines, match, reply, qname, qtype, answers=(), adjust=True,
          hexdata=None):
    lines.append("ENTRY_BEGIN")
    lines.append("MATCH " + match)
    if adjust:
        lines.append("ADJUST copy_id copy_query")
    lines.append("REPLY " + reply)
    lines.append("SECTION QUESTION")
    lines.append("%s IN %s" % (esc_name(qname), qtype))
    if answers:
        lines.append("SECTION ANSWER")
        for owner, t, v in answers:
            lines.append("%s 300 IN %s %s" % (esc_name(owner), t,
                                              rdata(t, v)[0]))
    if hexdata is not None:
        lines.append("HEX_ANSWER_BEGIN")
        lines.append(hexdata)
        lines.append("HEX_ANSWER_END")
    lines.append("ENTRY_END")


def wire_size(qname, answers):
    size = 12 + len(qname) + 2 + 4
    for owner, t, v in answers:
        size += len(owner) + 2 + 10 + rdata(t, v)[1]
    return size


def decoy_hex():
    """A response nobody asked for: fixed ID, question decoy.invalid. A."""
    q = b"".join(bytes([len(lab)]) + lab for lab in (b"decoy", b"invalid"))
    msg = struct.pack(">HHHHHH", DECOY_ID, 0x8400, 1, 0, 0, 0)
    msg += q + b"\x00" + struct.pack(">HH", 1, 1)
    return msg.hex()


def gen_section(zone):
    lines = ["; generated by tests/suite/blackbox.py"]
    skipped = []
    for key, node in zone.items():
        name = node["owner"]
        if not valid_name(name):
            skipped.append(name)	# cannot exist in the DNS
            continue
        for qtype in QUERY_TYPES:
            rcode, ans = answer(zone, name, qtype)
            if not ans:
                continue	# NODATA/timeout entries below
            if rcode == "TIMEOUT":
                rcode = "NOERROR"	# CNAMEs only: the client asks
                # the target, which times out
            ans = [a for a in ans if valid_name(a[0])]
            if wire_size(name, ans) > UDP_MAX:
                entry(lines, "opcode qtype qname UDP", "QR AA TC NOERROR",
                      name, qtype)
            entry(lines, "opcode qtype qname", "QR AA " + rcode, name, qtype,
                  ans)
        if node["timeout"]:
            entry(lines, "qname", "QR AA NOERROR", name, "A", adjust=False,
                  hexdata=decoy_hex())
        else:
            entry(lines, "qname", "QR AA NOERROR", name, "A")
    # empty non-terminals exist (NODATA), like in a real zone
    ents = set()
    for key in zone:
        labels = key.split(".")
        for i in range(1, len(labels)):
            ents.add(".".join(labels[i:]))
    for ent in sorted(ents - set(zone)):
        if valid_name(ent):
            entry(lines, "qname", "QR AA NOERROR", ent, "A")
    # Catch-all.  Its question is only a placeholder for copy_query to
    # overwrite: ldns-testns keeps the header's QDCOUNT from the entry, so
    # an entry without a question would answer with QDCOUNT 0.
    entry(lines, "opcode", "QR AA NXDOMAIN", "nxdomain.invalid", "A")
    return "\n".join(lines) + "\n", skipped


def open_suite(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def cmd_gen(path, outdir):
    with open_suite(path) as f:
        docs = list(yaml.safe_load_all(f))
    total = 0
    for n, doc in enumerate(docs, 1):
        data, skipped = gen_section(load_zone(doc.get("zonedata")))
        for s in skipped:
            print("section %d: not served (invalid DNS name): %s" % (n, s[:60]),
                  file=sys.stderr)
        with open(os.path.join(outdir, "%02d.data" % n), "w") as f:
            f.write(data)
        with open(os.path.join(outdir, "%02d.cases" % n), "w") as f:
            for name, t in doc["tests"].items():
                res = t["result"]
                f.write(json.dumps({
                    "name": name, "host": t["host"],
                    "mailfrom": t.get("mailfrom", ""), "helo": t["helo"],
                    "result": res if isinstance(res, list) else [res],
                    "explanation": t.get("explanation"),
                    "section": doc.get("description", "").strip()[:40],
                }) + "\n")
                total += 1
    print(total)


def run_case(case, port, authcheck):
    argv = [authcheck, "spf", "--resolver", "127.0.0.1:%d" % port,
            "--timeout", "1", "--retries", "0", "--format", "json",
            "--ip", case["host"], "--sender", case["mailfrom"],
            "--helo", case["helo"]]
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "authcheck did not finish in 60 s"
    except OSError as e:
        return "cannot run %s: %s" % (authcheck, e)
    if os.environ.get("OPENSPF_TIMES"):
        print("time %.2f %s" % (time.monotonic() - t0, case["name"]),
              file=sys.stderr)
    try:
        out = json.loads(p.stdout.decode("utf-8", "replace"))
    except ValueError:
        return "no JSON (exit %d): %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[:200])
    got = out.get("result")
    exp = out.get("explanation")
    wexp = case["explanation"]
    why = ""
    err = p.stderr.decode("utf-8", "replace")
    for mark in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                 "runtime error:"):
        if mark in err:
            # where: the first frame in our sources
            frames = re.findall(r" in (\S+) (\S*src/\S+)", err)
            where = " at %s %s" % frames[0] if frames else ""
            why += "%s%s; " % (mark.replace("ERROR: ", ""), where)
            break
    want_rc = EXIT_CODES.get(got)
    if want_rc is not None and p.returncode != want_rc:
        why = "result %s but exit status %d (documented: %d); " % (
            got, p.returncode, want_rc)
    if got not in case["result"]:
        why += "expected %s, got %s" % ("|".join(case["result"]), got)
    elif wexp is not None:
        if wexp == "DEFAULT" and exp is not None:
            why += "expected no explanation, got %r" % exp
        elif wexp != "DEFAULT" and exp != wexp:
            why += "expected explanation %r, got %r" % (wexp, exp)
    if why and out.get("problem"):
        why += " (problem: %s)" % out["problem"]
    return why


def cmd_run(authcheck, jobs, pairs):
    """pairs: "DIR/N.cases=PORT" -- all sections at once, each against its
    own server, so that one case's DNS timeout does not hold up the rest."""
    only = os.environ.get("OPENSPF_ONLY")
    cases = []
    for pair in pairs:
        path, port = pair.rsplit("=", 1)
        sect = os.path.basename(path).split(".")[0]
        with open(path) as f:
            for line in f:
                if line.strip():
                    c = json.loads(line)
                    if not only or c["name"] == only:
                        cases.append((sect, int(port), c))
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = [(s, c, ex.submit(run_case, c, port, authcheck))
                for s, port, c in cases]
        for sect, c, fut in futs:
            why = fut.result()
            if why:
                failed += 1
                print("FAIL section %s %s: %s" % (sect, c["name"], why))
            else:
                passed += 1
    print("cases run: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def main(argv):
    if len(argv) == 3 and argv[0] == "gen":
        cmd_gen(argv[1], argv[2])
        return 0
    if len(argv) >= 4 and argv[0] == "run":
        return cmd_run(argv[1], int(argv[2]), argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
