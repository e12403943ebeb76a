#!/bin/sh
# DNSSEC validation of the domain report against a tree signed now with
# ldns-keygen/ldns-signzone (tests/lib/dnssec_world.sh) and served by NSD
# on loopback, from the tree's own trust anchor (--trust-anchor):
#   good.test     every answer secure (TXT, MX, _dmarc TXT, the MX's A,
#                 and its AAAA: a signed NODATA), no dnssec.* finding;
#   plain.test    insecure, the NSEC3 proof named (dnssec.insecure);
#   expired.test  bogus, the expired RRSIG and its date (dnssec.bogus,
#                 exit 1);
#   badds.test    bogus, no DS match (dnssec.bogus);
#   broken.test   bogus: its TXT lacks an RRSIG, its MX's AAAA (NODATA)
#                 the NSEC proof; its MX and the MX's A stay secure;
# the anchor as DNSKEY as well as DS, and one below the root (a name
# outside it is indeterminate: dnssec.indeterminate); and the cases that must never say
# bogus: an anchor this tree's root does not match (a test or bench world
# whose root is not the signed root: the Internet's root.key here), a
# resolver that strips signatures (the same tree served unsigned), the
# zone backend (--zone) and --no-dnssec.  The run-wide problem is said
# once per run on standard error, not as a finding per domain.
# Prints "dnssec: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
. tests/lib/servers.sh
. tests/lib/dnssec_world.sh
dir=$(srv_dir) || exit 1
bare=$(srv_dir) || exit 1
trap 'srv_stop "$dir"; srv_stop "$bare"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

if ! dnssec_world "$dir" >"$dir/world.log" 2>&1; then
	cat "$dir/world.log"
	echo "dnssec: 0 passed, 1 failed (signing the world)"; exit 1
fi
if ! port=$(dnssec_world_nsd "$dir"); then
	echo "dnssec: 0 passed, 1 failed (NSD)"; exit 1
fi
run() {	# OUT ARGS...: the report as JSON; OUT.rc, OUT.err
	_o=$1; shift
	"$AUTHCHECK" --resolver "127.0.0.1:$port" --no-https --no-smtp \
	    --format json "$@" >"$dir/$_o" 2>"$dir/$_o.err"
	echo $? >"$dir/$_o.rc"
}
# expect OUT CONDITION...: each "NAME TYPE STATUS [REASON-PART]" must hold
# of the dnssec object; "finding ID" / "no-finding PREFIX" of the findings;
# "skipped TEXT-PART"; "rc N".
expect() {
	_o=$1; shift
	if python3 - "$dir/$_o" "$(cat "$dir/$_o.rc")" "$@" <<'EOF'; then ok; else ko "$_o: $*"; fi
import json, sys
path, rc = sys.argv[1], int(sys.argv[2])
o = json.loads(open(path).readline())
d = o["dnssec"]
ids = [f["id"] for area in o.get("findings", {}).values() for f in area] \
    if isinstance(o.get("findings"), dict) else [f["id"] for f in o.get("findings", [])]
bad = []
for c in sys.argv[3:]:
    w = c.split(" ", 3)
    if w[0] == "finding":
        if w[1] not in ids:
            bad.append("no finding %s in %s" % (w[1], ids))
    elif w[0] == "no-finding":
        if any(i.startswith(w[1]) for i in ids):
            bad.append("a %s finding: %s" % (w[1], ids))
    elif w[0] == "skipped":
        if d["validated"] or c[8:] not in (d["skipped"] or ""):
            bad.append("not skipped for %r: %r" % (c[8:], d))
    elif w[0] == "rc":
        if rc != int(w[1]):
            bad.append("exit %d, not %s" % (rc, w[1]))
    else:
        name, typ, st = w[0], w[1], w[2]
        m = [n for n in d["names"] if n["name"] == name and n["type"] == typ]
        if not m:
            bad.append("%s %s not validated: %s" % (name, typ, d["names"]))
        elif m[0]["status"] != st:
            bad.append("%s %s is %s, not %s (%s)" % (name, typ,
                       m[0]["status"], st, m[0]["reason"]))
        elif len(w) > 3 and w[3] not in (m[0]["reason"] or ""):
            bad.append("%s %s: reason %r lacks %r" % (name, typ,
                       m[0]["reason"], w[3]))
if bad:
    print("\n".join(bad))
    sys.exit(1)
EOF
}

run good good.test --trust-anchor "$dir/anchor.ds"
expect good "good.test TXT secure" "good.test MX secure" \
    "_dmarc.good.test TXT secure" "mx.good.test A secure" \
    "mx.good.test AAAA secure" "no-finding dnssec." "rc 0"
run goodkey good.test --trust-anchor "$dir/anchor.key"
expect goodkey "good.test TXT secure" "mx.good.test A secure"

run plain plain.test --trust-anchor "$dir/anchor.ds"
expect plain "plain.test TXT insecure no DS for plain.test in test (NSEC3)" \
    "plain.test MX insecure" "mx.plain.test A insecure" \
    "finding dnssec.insecure" "no-finding dnssec.bogus"

run expired expired.test --trust-anchor "$dir/anchor.ds"
expect expired "expired.test TXT bogus expired 2020-02-01" \
    "expired.test MX bogus RRSIG over expired.test DNSKEY expired" \
    "mx.expired.test A bogus" "finding dnssec.bogus" "rc 1"

run badds badds.test --trust-anchor "$dir/anchor.ds"
expect badds "badds.test TXT bogus no DS match" \
    "_dmarc.badds.test TXT bogus no DNSKEY of badds.test matches its DS in test" \
    "finding dnssec.bogus" "rc 1"

run broken broken.test --trust-anchor "$dir/anchor.ds"
expect broken "broken.test TXT bogus missing RRSIG over broken.test TXT in signed zone broken.test" \
    "mx.broken.test AAAA bogus missing NSEC/NSEC3 proof that mx.broken.test has no AAAA" \
    "broken.test MX secure" "mx.broken.test A secure" "finding dnssec.bogus"

# An anchor for good.test alone: good.test secure from it, plain.test
# outside it, indeterminate (dnssec.indeterminate, once per report).
run below good.test plain.test --trust-anchor "$dir/good.anchor"
expect below "good.test TXT secure" "mx.good.test A secure"
if python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
o = [x for x in lines if x["domain"] == "plain.test"][0]
assert all(n["status"] == "indeterminate" and "outside the trust anchor" in
           n["reason"] for n in o["dnssec"]["names"]), o["dnssec"]
ids = [f["id"] for f in o["findings"]]
assert ids.count("dnssec.indeterminate") == 1, ids
' "$dir/below"; then ok; else ko "plain.test outside the anchor's zone"; fi

# The text report: one line per name in the Transport section.
"$AUTHCHECK" --resolver "127.0.0.1:$port" --no-https --no-smtp --no-color \
    --trust-anchor "$dir/anchor.ds" plain.test >"$dir/plain.txt" 2>&1
if grep -q '^  DNSSEC mx.plain.test: A insecure, AAAA insecure (no DS for plain.test in test (NSEC3))$' \
    "$dir/plain.txt"; then ok; else ko "text line"; cat "$dir/plain.txt"; fi

# An anchor this root does not match: indeterminate, never bogus, said
# once per run on stderr and not as a finding.
if [ -r /usr/share/dns/root.key ]; then
	run other good.test expired.test --trust-anchor /usr/share/dns/root.key
	expect other "good.test TXT indeterminate matches the trust anchor" \
	    "no-finding dnssec." "rc 0"
	n=$(grep -c 'DNSSEC not validated' "$dir/other.err")
	[ "$n" -eq 1 ] && ok || ko "run-wide note said $n times"
	if python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert all(n["status"] == "indeterminate" for n in o["dnssec"]["names"]), o
' "$dir/other"; then ok; else ko "second domain not indeterminate"; fi
else
	ko "dns-root-data is not installed"
fi

# A resolver that strips signatures: the same tree without them (the
# root's keys are there, no RRSIG).
for z in root test good.test expired.test; do
	grep -v -E 'IN[[:space:]]+(RRSIG|NSEC|NSEC3|NSEC3PARAM)[[:space:]]' \
	    "$dir/$z.zone.signed" >"$bare/$z.zone"
done
cp "$dir/plain.test.zone" "$bare/"
if bport=$(srv_nsd "$bare" test="$bare/test.zone" .="$bare/root.zone" \
    good.test="$bare/good.test.zone" plain.test="$bare/plain.test.zone" \
    expired.test="$bare/expired.test.zone"); then
	"$AUTHCHECK" --resolver "127.0.0.1:$bport" --no-https --no-smtp \
	    --format json --trust-anchor "$dir/anchor.ds" expired.test \
	    >"$dir/strip" 2>"$dir/strip.err"
	echo $? >"$dir/strip.rc"
	expect strip "expired.test TXT indeterminate strips DNSSEC records" \
	    "no-finding dnssec." "rc 0"
	grep -q 'DNSSEC not validated: the resolver gave no RRSIG' \
	    "$dir/strip.err" && ok || ko "strip note: $(cat "$dir/strip.err")"
else
	ko "NSD for the stripped tree"
fi

run off expired.test --trust-anchor "$dir/anchor.ds" --no-dnssec
expect off "skipped --no-dnssec" "no-finding dnssec."
"$AUTHCHECK" --zone "$dir/expired.test.zone.signed" --no-https --no-smtp \
    --format json expired.test >"$dir/zone" 2>"$dir/zone.err"
echo $? >"$dir/zone.rc"
expect zone "skipped zone files" "no-finding dnssec."

# A bad anchor file is a usage error.
echo "not an anchor" >"$dir/bad.anchor"
"$AUTHCHECK" --resolver "127.0.0.1:$port" --trust-anchor "$dir/bad.anchor" \
    good.test >/dev/null 2>"$dir/bad.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q 'trust-anchor' "$dir/bad.err" && ok ||
    ko "bad anchor: exit $rc: $(cat "$dir/bad.err")"

echo "dnssec: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
