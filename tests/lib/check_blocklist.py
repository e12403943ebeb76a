#!/usr/bin/python3
"""Judge the JSON of tests/integration/blocklist.sh.

Usage: check_blocklist.py command|report|dqs|off|timeout FILE
Every expectation comes from tests/zones/reputation/world.zone and
blocklists.json (what the test lists hold), never from an earlier run.
Prints why and exits 1 on the first failure.
"""
import json
import sys

ROW_KEYS = {"target", "role", "via", "list", "zone", "listed", "matters",
            "codes", "meaning", "reason", "status"}


class Bad(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise Bad(msg)


def rows_of(o):
    rows = o["reputation"]
    need(isinstance(rows, list), "reputation is not a list")
    by = {}
    for r in rows:
        need(set(r) == ROW_KEYS, "row keys %s" % sorted(r))
        need(r["status"] in ("listed", "clear", "refused", "broken",
                             "unknown"), "bad status %r" % r["status"])
        need(r["role"] in ("mx", "sender", "spf", "domain"),
             "bad role %r" % r["role"])
        need(r["listed"] == (r["status"] == "listed"),
             "listed and status disagree: %r" % r)
        need(r["status"] != "clear" or r["codes"] == [],
             "clear with codes: %r" % r)
        by[(r["target"], r["list"])] = r
    return by


def ids(o):
    return [f["id"] for f in o["findings"]]


def msgs(o, fid):
    return [f["message"] for f in o["findings"] if f["id"] == fid]


def listed(by, target, lst, codes, role, matters, meaning, reason):
    r = by.get((target, lst))
    need(r is not None, "no row for %s on %s" % (target, lst))
    need(r["status"] == "listed", "%s on %s: %s" % (target, lst, r))
    need(sorted(r["codes"]) == sorted(codes),
         "%s on %s: codes %s, want %s" % (target, lst, r["codes"], codes))
    need(r["role"] == role, "%s: role %s, want %s" % (target, r["role"], role))
    need(r["matters"] == matters, "%s on %s: matters %s" % (target, lst,
                                                             r["matters"]))
    for m in meaning:
        need(m in (r["meaning"] or ""), "%s: meaning %r lacks %r" %
             (target, r["meaning"], m))
    need(reason in (r["reason"] or ""), "%s: reason %r, want %r" %
         (target, r["reason"], reason))


def command(o):
    by = rows_of(o)
    need(o["incomplete"] is True, "not incomplete (servfail list)")
    listed(by, "192.0.2.10", "good", ["127.0.0.2"], "sender", True,
           ["spam source"], "spam seen at our traps")
    listed(by, "192.0.2.11", "good", ["127.0.0.10"], "sender", True,
           ["end-user range"], "dynamic range")
    listed(by, "192.0.2.12", "good", ["127.0.0.4", "127.0.0.10"], "sender",
           True, ["infected host", "end-user range"], "infected host")
    listed(by, "2001:db8::25", "good6", ["127.0.0.2"], "sender", True,
           ["spam source"], "v6 spam source")
    need(("2001:db8::25", "good") not in by, "an IPv6 address on an IPv4 list")
    for t in ("192.0.2.200", "192.0.2.8", "192.0.2.9"):
        need(by[(t, "good")]["status"] == "clear", "%s not clear" % t)
    need(("192.0.2.7", "good") not in by, "192.0.2.8/30 overran")
    for (t, lst), r in by.items():
        want = {"refuse": "refused", "wild": "broken", "outside": "broken",
                "nxrewrite": "broken",
                "servfail": "unknown"}.get(lst)
        if want:
            need(r["status"] == want, "%s on %s: %s, want %s" %
                 (t, lst, r["status"], want))
    need(by[("192.0.2.10", "outside")]["codes"] == ["192.0.2.99"],
         "the outside answer not kept")
    need(len(msgs(o, "blocklist.refused")) == 1, "refused: %s" % ids(o))
    need("127.255.255.254" in msgs(o, "blocklist.refused")[0], "no code")
    un = msgs(o, "blocklist.unusable")
    need(len(un) == 3, "unusable: %s" % un)
    need(any("Wildcard list" in m and "127.0.0.1" in m for m in un),
         "wildcard not said: %s" % un)
    need(any("Outside list" in m and "outside 127.0.0.0/8" in m and
             "the list is broken" in m for m in un),
         "outside not said: %s" % un)
    need(any("Rewritten list" in m and "rewrites NXDOMAIN" in m for m in un),
         "the rewriting resolver not said: %s" % un)
    need(any("servfail.bl.test" in m for m in msgs(o, "dns.failure")),
         "no dns.failure for the failing list")
    li = msgs(o, "blocklist.listed")
    need(len(li) == 4, "listed: %s" % li)
    need(not any("Refusing" in m or "Wildcard" in m or "Outside" in m or
                 "Rewritten" in m for m in li),
         "an unusable list's answer taken: %s" % li)
    need(o["counts"]["error"] == 4, "counts %s" % o["counts"])


def report(o):
    by = rows_of(o)
    need(o["reputation_scan"]["lists"] == 3, "lists %s" % o["reputation_scan"])
    need(o["reputation_scan"]["skipped"] is None, "skipped")
    listed(by, "rep.test", "dom", ["127.0.1.2"], "domain", True,
           ["spam domain"], "domain seen in spam")
    listed(by, "192.0.2.11", "good", ["127.0.0.10"], "mx", False,
           ["end-user range"], "dynamic range")
    listed(by, "2001:db8::25", "good6", ["127.0.0.2"], "mx", True,
           ["spam source"], "v6 spam source")
    listed(by, "192.0.2.12", "good", ["127.0.0.4", "127.0.0.10"], "spf",
           True, ["infected host"], "infected host")
    for k in range(32, 48):
        r = by.get(("192.0.2.%d" % k, "good"))
        need(r is not None and r["status"] == "clear" and r["role"] == "spf",
             "192.0.2.%d of ip4:192.0.2.32/28: %s" % (k, r))
    need(by[("192.0.2.200", "good")]["via"] == "out.rep.test", "a:out")
    need(not any(t.startswith("198.51.100.") for t, _ in by),
         "the /24 was enumerated")
    need(("192.0.2.10", "good") not in by, "include: was followed")
    need(not any(lst in ("refuse", "wild", "outside", "nxrewrite", "servfail")
                 for _, lst in by), "a list off by default was queried")
    need(any("198.51.100.0/24" in m for m in msgs(o, "blocklist.not-checked")),
         "no not-checked for the /24")
    need(any(m.startswith("192.0.2.11 (an MX address")
             for m in msgs(o, "blocklist.listed-info")),
         "no listed-info for the MX: %s" % ids(o))
    need(len(msgs(o, "blocklist.listed")) == 3, "listed %s" %
         msgs(o, "blocklist.listed"))


def dqs(o):
    by = rows_of(o)
    listed(by, "192.0.2.10", "good", ["127.0.0.4"], "sender", True,
           ["infected host"], "")
    need(by[("192.0.2.10", "good")]["zone"] == "good.bl.test", "zone")


def off(o):
    need(o["reputation"] == [], "rows without --reputation")
    need(o["reputation_scan"]["skipped"], "not said skipped")
    need(not any(i.startswith("blocklist.") for i in ids(o)), "findings")


def timeout(o):
    by = rows_of(o)
    need(by, "no rows")
    need(all(r["status"] == "unknown" for r in by.values()),
         "not unknown: %s" % [r for r in by.values()
                              if r["status"] != "unknown"])
    need(o["incomplete"] is True, "not incomplete")
    need("dns.failure" in ids(o), "no dns.failure")


def main():
    with open(sys.argv[2], encoding="utf-8") as fp:
        lines = [l for l in fp.read().split("\n") if l]
    try:
        need(len(lines) == 1, "%d lines" % len(lines))
        o = json.loads(lines[0])
        {"command": command, "report": report, "off": off, "dqs": dqs,
         "timeout": timeout}[sys.argv[1]](o)
    except (Bad, KeyError, ValueError) as e:
        print("%s: %s" % (sys.argv[1], e))
        sys.exit(1)


main()
