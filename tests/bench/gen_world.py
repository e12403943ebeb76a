#!/usr/bin/python3
"""Write the benchmarks' synthetic DNS world: sending domains whose mail-authentication
records look like those of real organisations, and the provider zones they point at.

Usage: gen_world.py OUTDIR NDOMAINS [SEED]        (NDOMAINS at most 65000; SEED default 1)

Writes
  OUTDIR/zones/NAME.zone   one file per zone, `$ORIGIN` and `$TTL` first, then one record
                           per line as `OWNER TTL IN TYPE RDATA` with absolute owners (the
                           harnesses read these files with a simple line parser);
  OUTDIR/domains.txt       the sending domains d000000.test, d000001.test, ... one a line;
  OUTDIR/facts.tsv         per domain: spf_lookups, spf_depth, flaws, dkim selectors,
                           providers (header line first; the harnesses read columns 1-3);
  OUTDIR/keys/             the DKIM keys, made with openssl.

The world:
  - provider zones (google.test, outlook.test, mailgun.test, ...) whose SPF trees copy the
    shape of the real ones: how deeply they nest includes, how many DNS-costing terms they
    hold, an exists: macro over a wildcard (salesforce), an a: and an mx: term at the
    bottom (zendesk, pphosted), a redirect= (icloud);
  - per domain: an SPF record with its own outbound address (ip4: in 198.18.0.0/16) before
    1-5 provider includes, sometimes mx/a first; MX at the mail provider or at its own
    host; DMARC with aggregate reports to itself and sometimes to a report vendor; DKIM
    keys at the selectors its providers use (own TXT or a CNAME into the provider's zone);
    MTA-STS, TLS-RPT and BIMI TXT records for some; a few deliberate flaws (facts.tsv);
  - 18.198.in-addr.arpa with PTR records for the domains' own mail hosts;
  - the root zone, so that a name outside every zone (the DMARC tree walk's _dmarc.test,
    a typo in an include, a reverse name without a PTR) is NXDOMAIN, as on the Internet.

spf_depth is the number of round trips down the deepest include chain, the domain's own
TXT included: each include/redirect target's TXT is one level, and inside a provider's
tree an a:/exists: costs one more and an mx: two (MX, then the hosts' addresses).  The
domain's own a/mx terms are not counted (the issue's bound is (include depth + 1) x RTT).
spf_lookups counts the DNS-costing terms (include, redirect, a, mx, ptr, exists) of the
whole tree, as RFC 7208 section 4.6.4 does.  Both are computed from the records written,
not from a table.
"""
import base64
import os
import random
import subprocess
import sys

TTL = 300
SOA = "ns1.bench.test. hostmaster.bench.test. 2026120301 7200 3600 1209600 300"
ADDR_CAP = 65000        # one 198.18/198.19 address per domain


# --------------------------------------------------------------------------- records

class World:
    """Zones (origin -> record lines) and, for the cost computation, TXT by owner."""

    def __init__(self):
        self.zones = {}
        self.txt = {}

    def zone(self, origin):
        if origin not in self.zones:
            owner = "." if origin == "." else origin + "."
            self.zones[origin] = ["%s %d IN SOA %s" % (owner, TTL, SOA),
                                  "%s %d IN NS ns1.bench.test." % (owner, TTL)]
        return self.zones[origin]

    def zone_of(self, name):
        """The longest zone origin that name falls in (the root when none)."""
        labels = name.split(".")
        for k in range(len(labels)):
            z = ".".join(labels[k:])
            if z in self.zones:
                return z
        return "."

    def add(self, name, rtype, rdata):
        self.zones[self.zone_of(name)].append("%s. %d IN %s %s" % (name, TTL, rtype, rdata))
        if rtype == "TXT":
            self.txt.setdefault(name, []).append(rdata)

    def add_txt(self, name, text):
        """A TXT record of one logical string, cut into 255-octet character-strings."""
        parts = [text[k:k + 255] for k in range(0, len(text), 255)] or [""]
        self.add(name, "TXT", " ".join('"%s"' % p for p in parts))

    def spf_of(self, name):
        """The SPF text at name when there is exactly one, else None."""
        recs = ["".join(s.split('"')[1::2]) for s in self.txt.get(name, [])]
        recs = [r for r in recs if r == "v=spf1" or r.startswith("v=spf1 ")]
        return recs[0] if len(recs) == 1 else None

    def write(self, outdir):
        for origin, lines in self.zones.items():
            fname = "root" if origin == "." else origin
            with open(os.path.join(outdir, "zones", fname + ".zone"), "w") as f:
                f.write("$ORIGIN %s\n$TTL %d\n" % ("." if origin == "." else origin + ".", TTL))
                f.write("\n".join(lines) + "\n")


def spf_cost(world, text, top=True, seen=()):
    """(lookups, depth) of an SPF record's tree; see the module comment for the rules."""
    lookups, below = 0, 0
    for term in text.split()[1:]:
        low = term.lower().lstrip("+-~?")
        mech, _, arg = low.partition(":")
        if "=" in mech:
            mod, _, arg = low.partition("=")
            if mod != "redirect":
                continue
            mech = "redirect"
        mech = mech.split("/")[0]
        if mech in ("include", "redirect"):
            lookups += 1
            sub = world.spf_of(arg) if arg not in seen else None
            if sub is None:
                below = max(below, 1)           # its TXT is asked; nothing follows
                continue
            lk, dep = spf_cost(world, sub, False, seen + (arg,))
            lookups += lk
            below = max(below, dep)
        elif mech in ("a", "exists", "mx", "ptr"):
            lookups += 1
            if not top and mech in ("a", "exists"):
                below = max(below, 1)
            elif not top and mech == "mx":
                below = max(below, 2)
    return lookups, 1 + below


# -------------------------------------------------------------------------- DKIM keys

class Keys:
    """DKIM public keys (p= values) made with openssl, one file per key in OUTDIR/keys."""

    def __init__(self, outdir):
        self.dir = os.path.join(outdir, "keys")
        os.makedirs(self.dir, exist_ok=True)

    def _spki(self, tag, genargs):
        pem = os.path.join(self.dir, tag + ".pem")
        if not os.path.exists(pem):
            subprocess.run(["openssl", "genpkey"] + genargs + ["-out", pem], check=True,
                           capture_output=True)
        return subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"],
                              check=True, capture_output=True).stdout

    def rsa(self, tag, bits):
        der = self._spki(tag, ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:%d" % bits])
        return base64.b64encode(der).decode()

    def ed25519(self, tag):
        der = self._spki(tag, ["-algorithm", "ED25519"])
        return base64.b64encode(der[-32:]).decode()     # RFC 8463: the raw 32-octet key


# -------------------------------------------------------------------------- providers

GOOGLE4 = ("35.190.247.0/24 64.233.160.0/19 66.102.0.0/20 66.249.80.0/20 72.14.192.0/18 "
           "74.125.0.0/16 108.177.8.0/21 173.194.0.0/16 209.85.128.0/17 216.58.192.0/19 "
           "216.239.32.0/19")
GOOGLE6 = ("2001:4860:4000::/36 2404:6800:4000::/36 2607:f8b0:4000::/36 2800:3f0:4000::/36 "
           "2a00:1450:4000::/36 2c0f:fb50:4000::/36")
GOOGLE4B = ("172.217.0.0/19 172.217.32.0/20 172.217.128.0/19 172.217.160.0/20 "
            "172.217.192.0/19 172.253.56.0/21 172.253.112.0/20 108.177.96.0/19 35.191.0.0/16 "
            "130.211.0.0/22")


def ip4(blocks):
    return " ".join("ip4:" + b for b in blocks.split())


def ip6(blocks):
    return " ".join("ip6:" + b for b in blocks.split())


# Each provider: the zone it lives in, the name customers include, its SPF records, other
# records (name, type, rdata), the MX hosts it gives its customers (None: it does not
# receive mail), and how a customer publishes its DKIM key (see dkim_for()).
PROVIDERS = {
    "google": {
        "zone": "google.test", "include": "_spf.google.test",
        "spf": {
            "_spf.google.test": "v=spf1 include:_netblocks.google.test "
                                "include:_netblocks2.google.test "
                                "include:_netblocks3.google.test ~all",
            "_netblocks.google.test": "v=spf1 " + ip4(GOOGLE4) + " ~all",
            "_netblocks2.google.test": "v=spf1 " + ip6(GOOGLE6) + " ~all",
            "_netblocks3.google.test": "v=spf1 " + ip4(GOOGLE4B) + " ~all"},
        "mx": ["aspmx.l.google.test", "alt1.aspmx.l.google.test", "alt2.aspmx.l.google.test"],
        "dkim": "own:google"},
    "outlook": {
        "zone": "outlook.test", "include": "spf.protection.outlook.test",
        "spf": {
            "spf.protection.outlook.test": "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 "
                                           "ip4:52.100.0.0/15 ip4:52.102.0.0/16 "
                                           "ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 "
                                           "include:spfd.protection.outlook.test -all",
            "spfd.protection.outlook.test": "v=spf1 ip4:51.4.72.0/24 ip4:51.5.72.0/24 "
                                            "ip4:51.5.80.0/27 ip6:2a01:4180:4051::/48 -all"},
        "mx": "tenant", "dkim": "cname:selector1,selector2"},
    "sendgrid": {
        "zone": "sendgrid.test", "include": "sendgrid.test",
        "spf": {"sendgrid.test": "v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 "
                                 "ip4:50.31.32.0/19 ip4:198.37.144.0/20 ip4:149.72.0.0/16 ~all"},
        "mx": None, "dkim": "cname:s1,s2"},
    "mailgun": {
        "zone": "mailgun.test", "include": "mailgun.test",
        "spf": {
            "mailgun.test": "v=spf1 include:_spf.mailgun.test ~all",
            "_spf.mailgun.test": "v=spf1 include:_spf1.mailgun.test "
                                 "include:_spf2.mailgun.test ~all",
            "_spf1.mailgun.test": "v=spf1 ip4:209.61.151.0/24 ip4:166.78.68.0/22 "
                                  "ip4:198.61.254.0/23 ~all",
            "_spf2.mailgun.test": "v=spf1 ip4:161.38.192.0/20 ip4:69.72.32.0/20 ~all"},
        "mx": None, "dkim": "own:mx"},
    "mailchimp": {
        "zone": "mcsv.test", "include": "servers.mcsv.test",
        "spf": {"servers.mcsv.test": "v=spf1 ip4:205.201.128.0/20 ip4:198.2.128.0/18 "
                                     "ip4:148.105.8.0/21 ?all"},
        "mx": None, "dkim": "shared:k1"},
    "amazonses": {
        "zone": "amazonses.test", "include": "amazonses.test",
        "spf": {"amazonses.test": "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 "
                                  "ip4:54.240.0.0/18 ip4:69.169.224.0/20 ip4:23.249.208.0/20 "
                                  "ip4:76.223.176.0/20 ~all"},
        "mx": None, "dkim": None},
    "zendesk": {
        "zone": "zendesk.test", "include": "mail.zendesk.test",
        "spf": {
            "mail.zendesk.test": "v=spf1 include:_spf1.zendesk.test "
                                 "include:_spf2.zendesk.test ~all",
            "_spf1.zendesk.test": "v=spf1 ip4:192.161.144.0/20 ip4:185.12.80.0/22 ~all",
            "_spf2.zendesk.test": "v=spf1 ip4:188.172.128.0/20 a:smtp.zendesk.test ~all"},
        "extra": [("smtp.zendesk.test", "A", "192.0.2.30")],
        "mx": None, "dkim": None},
    "salesforce": {
        "zone": "salesforce.test", "include": "_spf.salesforce.test",
        "spf": {"_spf.salesforce.test": "v=spf1 exists:%{i}._spf.mta.salesforce.test -all"},
        # every client address "exists": the wildcard answers them all
        "extra": [("*._spf.mta.salesforce.test", "A", "127.0.0.2")],
        "mx": None, "dkim": None},
    "hubspot": {
        "zone": "hubspotemail.test", "include": "spf.hubspotemail.test",
        "spf": {"spf.hubspotemail.test": "v=spf1 ip4:3.93.157.0/24 ip4:3.210.190.0/24 "
                                         "ip4:18.208.124.128/25 ip4:54.174.52.0/24 -all"},
        "mx": None, "dkim": None},
    "mimecast": {
        "zone": "mimecast.test", "include": "_netblocks.mimecast.test",
        "spf": {"_netblocks.mimecast.test": "v=spf1 ip4:207.211.30.0/24 ip4:205.139.110.0/24 "
                                            "ip4:216.205.24.0/24 ip4:170.10.128.0/24 ~all"},
        "mx": ["eu-smtp-inbound-1.mimecast.test", "eu-smtp-inbound-2.mimecast.test"],
        "dkim": None},
    "zoho": {
        "zone": "zoho.test", "include": "one.zoho.test",
        "spf": {
            "one.zoho.test": "v=spf1 include:zcsend.zoho.test include:transmail.zoho.test ~all",
            "zcsend.zoho.test": "v=spf1 ip4:136.143.160.0/19 ip4:204.141.32.0/23 ~all",
            "transmail.zoho.test": "v=spf1 ip4:135.84.80.0/22 ip4:165.173.128.0/18 ~all"},
        "mx": ["mx.zoho.test", "mx2.zoho.test", "mx3.zoho.test"], "dkim": "own:zoho"},
    "pphosted": {
        "zone": "pphosted.test", "include": "_spf.pphosted.test",
        "spf": {"_spf.pphosted.test": "v=spf1 a:dispatch.pphosted.test mx:pphosted.test ~all"},
        "extra": [("dispatch.pphosted.test", "A", "192.0.2.40"),
                  ("pphosted.test", "MX", "10 mxa.pphosted.test."),
                  ("pphosted.test", "MX", "10 mxb.pphosted.test.")],
        "mx": ["mxa.pphosted.test", "mxb.pphosted.test"], "dkim": None},
    "icloud": {
        "zone": "icloud.test", "include": "icloud.test",
        "spf": {"icloud.test": "v=spf1 redirect=_spf.icloud.test",
                "_spf.icloud.test": "v=spf1 ip4:17.41.0.0/16 ip4:17.58.0.0/16 "
                                    "ip4:17.142.0.0/15 ip4:17.57.155.0/24 ~all"},
        "mx": ["mx01.mail.icloud.test", "mx02.mail.icloud.test"], "dkim": "own:sig1"},
}
# Mail-receiving providers in the order a domain's MX is chosen when it uses several.
MX_ORDER = ["google", "outlook", "mimecast", "pphosted", "zoho", "icloud"]
# How many providers a domain includes: mostly 1-3, a few up to 5.
NPROV = [1, 1, 2, 2, 2, 3, 3, 4, 5]

# DMARC report vendors: one authorises every customer by wildcard, the other per domain.
REPORTS = {"wide": "rua.dmarc-reports.test", "narrow": "agg.reportsvc.test"}


def build_providers(world):
    host = 50
    for p in PROVIDERS.values():
        world.zone(p["zone"])
    world.zone("bench.test")
    world.zone("dmarc-reports.test")
    world.zone("reportsvc.test")
    world.add("ns1.bench.test", "A", "127.0.0.1")
    for p in PROVIDERS.values():
        for name, text in p["spf"].items():
            world.add_txt(name, text)
        for name, rtype, rdata in p.get("extra", []):
            world.add(name, rtype, rdata)
        if isinstance(p["mx"], list):
            for h in p["mx"]:
                world.add(h, "A", "192.0.2.%d" % host)
                host += 1
    for h in REPORTS.values():
        zone_apex = h.split(".", 1)[1]
        world.add(h, "MX", "10 mx.%s." % zone_apex)
        world.add("mx." + zone_apex, "A", "192.0.2.%d" % host)
        host += 1
    world.add_txt("*._report._dmarc." + REPORTS["wide"], "v=DMARC1")


# ---------------------------------------------------------------------------- domains

def own_addr(i, net=18):
    """The domain's address in 198.NET.0.0/16, never .0 nor .255 of a /24."""
    i += 1 + (i // 254) * 2
    return "198.%d.%d.%d" % (net, i >> 8, i & 255)


def dashed(d):
    return d.replace(".", "-")


def build_domain(world, keys, rnd, i):
    """Write one domain's records; return its facts row."""
    d = "d%06d.test" % i
    world.zone(d)
    ps = rnd.sample(sorted(PROVIDERS), rnd.choice(NPROV))
    flaws = []
    addr, web = own_addr(i), own_addr(i, 19)

    # SPF: own mx/a first sometimes, the own address, the providers, a flaw or two
    terms = []
    if rnd.random() < 0.35:
        terms.append("mx")
    if rnd.random() < 0.25:
        terms.append("a")
    terms.append("ip4:" + addr)
    if rnd.random() < 0.2:
        terms.append("ip6:2001:db8:%x::/48" % i)
    terms += ["include:" + PROVIDERS[p]["include"] for p in ps]
    roll = rnd.random()
    if roll < 0.03:
        terms.append("include:missing." + d)
        flaws.append("void-include")
    elif roll < 0.05:
        terms.append("include:spf.protection.outlok.test")     # a typo: NXDOMAIN
        flaws.append("void-include")
    if rnd.random() < 0.03:
        terms.append("ptr")
        flaws.append("ptr")
    ending = rnd.choice(["-all", "~all", "~all", "-all", "~all", "-all", "~all", "?all"])
    if rnd.random() < 0.03:
        ending = "+all"
        flaws.append("pass-all")
    elif ending == "?all":
        flaws.append("neutral-all")
    spf = "v=spf1 " + " ".join(terms + [ending])
    world.add_txt(d, spf)
    if rnd.random() < 0.03:
        world.add_txt(d, "v=spf1 include:sendgrid.test -all")
        flaws.append("multiple-spf")
    lookups, depth = spf_cost(world, spf)
    if lookups > 10:
        flaws.append("too-many-lookups")

    # TXT clutter every real apex has
    world.add_txt(d, "google-site-verification=%016x" % rnd.getrandbits(64))
    if rnd.random() < 0.4:
        world.add_txt(d, "MS=ms%08d" % rnd.randrange(10 ** 8))

    # web address, MX
    world.add(d, "A", web)
    if rnd.random() < 0.3:
        world.add(d, "AAAA", "2001:db8:%x::80" % i)
    mxp = next((p for p in MX_ORDER if p in ps), None)
    if mxp == "outlook":
        host = "%s.mail.protection.outlook.test" % dashed(d)
        world.add(d, "MX", "0 %s." % host)
        world.add(host, "A", "192.0.2.%d" % (100 + i % 100))
    elif mxp is not None:
        for k, h in enumerate(PROVIDERS[mxp]["mx"]):
            world.add(d, "MX", "%d %s." % (10 * (k + 1), h))
    else:
        world.add(d, "MX", "10 mail.%s." % d)
        if rnd.random() < 0.04:
            flaws.append("mx-no-address")
        else:
            world.add("mail." + d, "A", addr)
            if rnd.random() < 0.25:
                world.add("mail." + d, "AAAA", "2001:db8:%x::25" % i)
            rev = ".".join(reversed(addr.split(".")[2:])) + ".18.198.in-addr.arpa"
            if rnd.random() < 0.05:
                world.add(rev, "PTR", "host-%s.dyn.bench.test." % addr.replace(".", "-"))
                flaws.append("ptr-mismatch")
            elif rnd.random() < 0.9:
                world.add(rev, "PTR", "mail.%s." % d)
            else:
                flaws.append("ptr-missing")

    # DMARC
    policy = None
    if rnd.random() < 0.12:
        flaws.append("no-dmarc")
    else:
        policy = rnd.choice(["none", "none", "quarantine", "reject", "reject"])
        rec = "v=DMARC1; p=%s; rua=mailto:dmarc@%s" % (policy, d)
        roll = rnd.random()
        if roll < 0.2:
            rec += ",mailto:%s@%s" % (dashed(d), REPORTS["wide"])
        elif roll < 0.35:
            rec += ",mailto:%s@%s" % (dashed(d), REPORTS["narrow"])
            if rnd.random() < 0.6:
                world.add_txt("%s._report._dmarc.%s" % (d, REPORTS["narrow"]), "v=DMARC1")
            else:
                flaws.append("rua-unauthorized")
        if policy != "none" and rnd.random() < 0.3:
            rec += "; sp=%s; adkim=s" % rnd.choice(["quarantine", "reject"])
        if rnd.random() < 0.04:
            rec = rec.replace("p=" + policy, "p=rejected", 1)
            flaws.append("dmarc-bad-policy")
            policy = None
        elif policy == "none":
            flaws.append("dmarc-p-none")
        world.add_txt("_dmarc." + d, rec)

    # DKIM, at the selectors the providers use
    sels = []
    for p in ps:
        how = PROVIDERS[p]["dkim"]
        if how is None:
            continue
        kind, _, names = how.partition(":")
        for sel in names.split(","):
            sels.append(sel)
            owner = "%s._domainkey.%s" % (sel, d)
            if kind == "own":
                roll = rnd.random()
                key = keys["rsa2048"] if roll < 0.87 else keys["rsa1024"] \
                    if roll < 0.98 else keys["rsa512"]
                if key is keys["rsa1024"]:
                    flaws.append("dkim-1024")
                elif key is keys["rsa512"]:
                    flaws.append("dkim-weak")
                world.add_txt(owner, "v=DKIM1; k=rsa; p=" + key)
            elif kind == "shared":
                world.add(owner, "CNAME", "dkim.%s." % PROVIDERS[p]["zone"])
            else:
                target = "%s-%s._domainkey.%s" % (sel, dashed(d), PROVIDERS[p]["zone"])
                world.add(owner, "CNAME", target + ".")
                if rnd.random() < 0.04:
                    world.add_txt(target, "v=DKIM1; k=rsa; p=")
                    flaws.append("dkim-revoked")
                else:
                    world.add_txt(target, "v=DKIM1; k=rsa; p=" + keys["rsa2048b"])
    if mxp is None and rnd.random() < 0.5:
        # its own MTA signs: an Ed25519 key next to an RSA one, or RSA alone
        sels.append("default")
        world.add_txt("default._domainkey." + d, "v=DKIM1; k=rsa; p=" + keys["rsa2048"])
        if rnd.random() < 0.3:
            sels.append("dkim")
            world.add_txt("dkim._domainkey." + d, "v=DKIM1; k=ed25519; p=" + keys["ed25519"])

    # MTA-STS, TLS-RPT, BIMI
    if rnd.random() < 0.45:
        sts_id = "20261203T%06d" % rnd.randrange(10 ** 6)
        if rnd.random() < 0.05:
            sts_id = "2026-12-03"
            flaws.append("sts-bad-id")
        world.add_txt("_mta-sts." + d, "v=STSv1; id=%s;" % sts_id)
        world.add("mta-sts." + d, "A", web)
    if rnd.random() < 0.4:
        uri = "mailto:tlsrpt@" + d
        if rnd.random() < 0.05:
            uri = "tlsrpt@" + d
            flaws.append("tlsrpt-bad-uri")
        world.add_txt("_smtp._tls." + d, "v=TLSRPTv1; rua=%s" % uri)
    if policy in ("quarantine", "reject") and rnd.random() < 0.3:
        logo = "https://%s/brand/logo.svg" % d
        if rnd.random() < 0.1:
            logo = "http://%s/brand/logo.svg" % d
            flaws.append("bimi-http-logo")
        world.add_txt("default._bimi." + d, "v=BIMI1; l=%s; a=;" % logo)
    return (d, lookups, depth, ",".join(flaws) or "-", ",".join(sels) or "-",
            ",".join(ps))


def main():
    if len(sys.argv) not in (3, 4) or not sys.argv[2].isdigit():
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    outdir, n = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    if not 0 < n <= ADDR_CAP:
        print("gen_world.py: NDOMAINS must be 1..%d" % ADDR_CAP, file=sys.stderr)
        return 2
    os.makedirs(os.path.join(outdir, "zones"), exist_ok=True)
    rnd = random.Random(seed)
    k = Keys(outdir)
    keys = {"rsa2048": k.rsa("rsa2048", 2048), "rsa2048b": k.rsa("rsa2048b", 2048),
            "rsa1024": k.rsa("rsa1024", 1024), "rsa512": k.rsa("rsa512", 512),
            "ed25519": k.ed25519("ed25519")}

    world = World()
    world.zone(".")
    world.zone("18.198.in-addr.arpa")
    build_providers(world)
    world.add_txt("dkim.mcsv.test", "v=DKIM1; k=rsa; p=" + keys["rsa2048b"])
    rows = [build_domain(world, keys, rnd, i) for i in range(n)]

    world.write(outdir)
    with open(os.path.join(outdir, "domains.txt"), "w") as f:
        f.write("".join(r[0] + "\n" for r in rows))
    with open(os.path.join(outdir, "facts.tsv"), "w") as f:
        f.write("domain\tspf_lookups\tspf_depth\tflaws\tselectors\tproviders\n")
        f.writelines("%s\t%d\t%d\t%s\t%s\t%s\n" % r for r in rows)
    print("gen_world.py: %d zones, %d domains in %s" % (len(world.zones), n, outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
