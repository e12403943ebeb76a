#!/usr/bin/python3
"""Validate `authcheck DOMAIN --format json` output against the documented
fields (authcheck(1), DOMAIN REPORT JSON) and expect a finding ID.

Usage: check_json.py FILE ID|clean|expect:CONDS EXIT_STATUS
       check_json.py --manifest LIST
LIST has one "FILE ID EXIT_STATUS NAME" line per run (one interpreter for
many runs: its start-up is slow on a busy machine); each failing run is
printed as "FAIL: NAME: why" and the closing line is "N passed, M failed".
FILE holds one JSON object per line (JSON Lines).  With an ID, some line's
findings must contain it and the exit status must match its severity
(1 for an error, else 0 or 1); with "clean", no line may hold an error or a
warning and the exit status must be 0; with "expect:C1,C2,..." each
condition of check_expect() must hold.  Prints why on failure, exits 1.
"""
import json
import sys

SEVERITIES = {"error", "warning", "info"}
FINDING_KEYS = {"id", "severity", "message", "reference", "domain", "record",
                "span", "fix"}


class Bad(Exception):
    pass


def fail(msg):
    raise Bad(msg)


def check_finding(f):
    if set(f) != FINDING_KEYS:
        fail("finding keys %s" % sorted(f))
    if f["severity"] not in SEVERITIES:
        fail("bad severity %r" % f["severity"])
    for k in ("id", "message", "reference", "fix"):
        if not isinstance(f[k], str) or not f[k]:
            fail("finding %s: empty %s" % (f.get("id"), k))
    span = f["span"]
    if span is not None:
        if (not isinstance(span, list) or len(span) != 2 or
                not all(isinstance(x, int) and x >= 0 for x in span)):
            fail("bad span %r" % (span,))
        if f["record"] is None or span[0] + span[1] > len(f["record"].encode()):
            fail("span %r outside the record" % (span,))


def check_report(o):
    for k in ("domain", "verdict", "score", "incomplete", "counts",
              "providers", "findings", "spf", "dmarc", "dkim"):
        if k not in o:
            fail("missing key %r" % k)
    if o["verdict"] not in ("pass", "warn", "fail", "incomplete"):
        fail("bad verdict %r" % o["verdict"])
    if not isinstance(o["score"], int) or not 0 <= o["score"] <= 100:
        fail("bad score %r" % o["score"])
    for f in o["findings"]:
        check_finding(f)
    counts = {s: sum(1 for f in o["findings"] if f["severity"] == s)
              for s in SEVERITIES}
    if counts != o["counts"]:
        fail("counts %r but findings say %r" % (o["counts"], counts))
    if counts["error"] and o["verdict"] != "fail":
        fail("errors but verdict %r" % o["verdict"])
    spf = o["spf"]
    for k in ("record", "lookups", "void_lookups", "void_terms", "tree"):
        if k not in spf:
            fail("spf: missing %r" % k)
    if not isinstance(spf["lookups"], int) or spf["lookups"] < 0:
        fail("spf.lookups %r" % spf["lookups"])
    tree = spf["tree"]
    if tree is not None and tree["subtree_cost"] != spf["lookups"]:
        fail("spf.lookups %d != tree cost %d" % (spf["lookups"],
                                                 tree["subtree_cost"]))
    for k in ("record", "found_at", "policy", "org_domain"):
        if k not in o["dmarc"]:
            fail("dmarc: missing %r" % k)
    for s in o["dkim"]:
        for k in ("selector", "name", "found", "key_type", "bits", "source"):
            if k not in s:
                fail("dkim: missing %r" % k)
    t = o.get("transport")
    if t is None:
        fail("missing key 'transport'")
    for k in ("probed", "skipped", "error", "port25_blocked", "hosts"):
        if k not in t:
            fail("transport: missing %r" % k)
    for h in t["hosts"]:
        for k in ("host", "port", "addresses_total", "addresses"):
            if k not in h:
                fail("transport host: missing %r" % k)
        for a in h["addresses"]:
            for k in ("ip", "port", "probed", "not_probed_because"):
                if k not in a:
                    fail("transport address: missing %r" % k)


REPUTATION_KEYS = {"target", "role", "via", "list", "zone", "listed",
                   "matters", "codes", "meaning", "reason", "status"}


def check_reputation(o):
    """The Reputation area (authcheck(1), JSON OUTPUT): optional keys."""
    if "reputation" not in o:
        return
    for r in o["reputation"]:
        if set(r) != REPUTATION_KEYS:
            fail("reputation row keys %s" % sorted(r))
        if r["status"] not in ("listed", "clear", "refused", "broken",
                               "unknown"):
            fail("reputation status %r" % r["status"])
        if r["listed"] != (r["status"] == "listed"):
            fail("reputation: listed %r with status %r" % (r["listed"],
                                                           r["status"]))
    for k in ("skipped", "lists", "targets", "not_checked"):
        if k not in o.get("reputation_scan", {}):
            fail("reputation_scan: missing %r" % k)


def check_expect(reports, conds, rc):
    """want = "expect:C1,C2,...": each condition must hold.
    ID     the finding is reported        !ID    it is not
    verdict=V                             noerror / nowarning
    parked=protected|missing|no           found=SEL: selector SEL has a key
    notfound=SEL: selector SEL has none (or was not listed)"""
    ids = [f["id"] for o in reports for f in o["findings"]]
    sevs = [f["severity"] for o in reports for f in o["findings"]]
    for c in conds.split(","):
        if c.startswith("!"):
            if c[1:] in ids:
                fail("%s reported (got %s)" % (c[1:], ids))
        elif c.startswith("verdict="):
            got = [o["verdict"] for o in reports]
            if got != [c[8:]]:
                fail("verdict %s, want %s (findings %s)" % (got, c[8:], ids))
        elif c == "noerror":
            if "error" in sevs or rc not in (0, 3):
                fail("errors: %s (exit %d)" % (ids, rc))
        elif c == "nowarning":
            if "warning" in sevs:
                fail("warnings: %s" % ids)
        elif c.startswith("parked="):
            p = reports[0].get("parked")
            want = c[7:]
            got = ("no" if p is None else
                   "protected" if p["protected"] else "missing")
            if got != want:
                fail("parked %r, want %s" % (p, want))
        elif c.startswith("found=") or c.startswith("notfound="):
            sel = c.split("=", 1)[1]
            hit = [s for s in reports[0]["dkim"] if s["selector"] == sel]
            has = bool(hit) and hit[0]["found"] and bool(hit[0]["bits"])
            if c.startswith("found=") and not has:
                fail("selector %s: no key found (%s)" % (sel, hit))
            if c.startswith("notfound=") and hit and hit[0]["found"]:
                fail("selector %s: taken for a key (%s)" % (sel, hit))
        elif c not in ids:
            fail("%s not reported (got %s, exit %d)" % (c, ids, rc))


def check_run(path, want, rc):
    with open(path, encoding="utf-8") as fp:
        lines = [l for l in fp.read().split("\n") if l]
    if not lines:
        fail("no output (exit %d)" % rc)
    reports = []
    for l in lines:
        try:
            reports.append(json.loads(l))
        except ValueError as e:
            fail("not JSON: %s: %.80s" % (e, l))
    for o in reports:
        check_report(o)
        check_reputation(o)
    if want.startswith("expect:"):
        check_expect(reports, want[7:], rc)
        return
    ids = [f["id"] for o in reports for f in o["findings"]]
    if want == "clean":
        bad = [f["id"] for o in reports for f in o["findings"]
               if f["severity"] in ("error", "warning")]
        if bad:
            fail("clean domain has %s" % bad)
        if rc != 0:
            fail("clean domain: exit %d" % rc)
        return
    if want not in ids:
        fail("%s not reported (got %s, exit %d)" % (want, ids, rc))
    sev = [f["severity"] for o in reports for f in o["findings"]
           if f["id"] == want][0]
    if rc in (2,) or rc > 3:
        fail("exit %d" % rc)
    if sev == "error" and rc not in (1, 3):
        fail("error finding but exit %d" % rc)


def main():
    if sys.argv[1] == "--manifest":
        passed = failed = 0
        with open(sys.argv[2], encoding="utf-8") as fp:
            for line in fp:
                path, want, rc, name = line.split(" ", 3)
                try:
                    check_run(path, want, int(rc))
                    passed += 1
                except Bad as e:
                    failed += 1
                    print("FAIL: %s: %s" % (name.strip(), e))
        print("%d passed, %d failed" % (passed, failed))
        sys.exit(1 if failed else 0)
    try:
        check_run(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    except Bad as e:
        print(e)
        sys.exit(1)


main()
