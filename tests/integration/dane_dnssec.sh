#!/bin/sh
# DANE over DNSSEC-validated answers, end to end through the live
# resolver: the signed tree of tests/lib/dnssec_world.sh served by NSD,
# validated from its own trust anchor (--trust-anchor), with every MX host
# on the good scenario of tests/lib/smtp_server.py (certificates made now
# by tests/lib/smtp_certs.sh) and TLSA records computed here with the
# openssl command line (never by authcheck).  The SMTP dialogues start
# from the MX callbacks, beside the DNS work, and wait for the TLSA
# lookup; DNSSEC validation runs after the DNS work.  Cases:
#   good.test       signed, 3 1 1 of the server's key: matched, the record,
#                   dnssec secure, no dane.* finding, exit 0;
#   bad.good.test   signed, a digest that matches nothing: dane.mismatch
#                   (error), exit 1;
#   cn.good.test    MX www.good.test, a signed CNAME to mx.good.test: the
#                   expanded name's TLSA (RFC 7672 §2.2.3) matches, not
#                   the alias's own (which matches nothing), no dane.*
#                   finding (mx.cname is the MX area's error: exit 1);
#   plain.test      unsigned, a TLSA that matches nothing:
#                   dane.insecure-tlsa, no dane.mismatch, exit 0;
#   ci.good.test    MX ins.good.test, a signed CNAME into plain.test: the
#                   addresses are insecure, so no DANE (RFC 7672 §2.2.2):
#                   the original name's signed TLSA, dane.insecure-tlsa,
#                   no mismatch, though the expansion's TLSA (which the
#                   dialogue, started before validation, was given)
#                   matches nothing;
#   expired.test    bogus, a TLSA that matches nothing: dnssec.bogus, DANE
#                   not evaluated (not-checked, no dane.* finding);
#   ss.good.test    signed, a self-signed certificate its 3 1 1 record
#                   authenticates: no tls.cert-untrusted or
#                   tls.cert-name-mismatch (DANE-EE needs neither);
# the same results when all of them are checked in one run; the text
# report's DANE line of the secure match; and `authcheck smtp DOMAIN`
# with the same verdicts (validated too), unchecked with --no-dnssec.
# Prints "dane_dnssec: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
. tests/lib/servers.sh
. tests/lib/smtp_server.sh
. tests/lib/dnssec_world.sh
dir=$(srv_dir) || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-dane-dnssec.XXXXXX") || exit 1
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; srv_stop "$dir"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

mkdir "$tmp/certs"
if ! sh tests/lib/smtp_certs.sh "$tmp/certs"; then
	echo "dane_dnssec: 0 passed, 1 failed (certificates)"; exit 1
fi
smtp_server_start "$tmp" "$tmp/certs" || { echo "dane_dnssec: 0 passed, 1 failed"; exit 1; }
good=$(smtp_server_addr "$tmp" good)
selfsigned=$(smtp_server_addr "$tmp" selfsigned)
if [ -z "$good" ] || [ -z "$selfsigned" ]; then
	echo "FAIL: SMTP server without the good or selfsigned scenario"
	echo "dane_dnssec: 0 passed, 1 failed"; exit 1
fi

# The association data, with the openssl command line.
C=$tmp/certs
k311=$(openssl x509 -in "$C/good.pem" -noout -pubkey |
    openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
zero=0000000000000000000000000000000000000000000000000000000000000000
kss=$(openssl x509 -in "$C/selfsigned.pem" -noout -pubkey |
    openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
[ ${#kss} -eq 64 ] && [ "$kss" != "$k311" ] && ok || ko "openssl digest: '$kss'"
[ ${#k311} -eq 64 ] && [ "$k311" != "$zero" ] && ok || ko "openssl digest: '$k311'"

# The tree: mx.good.test's TLSA (dnssec_world's own) is 3 1 1 $k311.
DNSSEC_WORLD_MX_A=$good
DNSSEC_WORLD_TLSA=$k311
cat >"$dir/good.test.more" <<EOF
bad	IN MX 10 mxbad
bad	IN TXT "v=spf1 -all"
mxbad	IN A $good
_25._tcp.mxbad	IN TLSA 3 1 1 $zero
cn	IN MX 10 www
cn	IN TXT "v=spf1 -all"
_25._tcp.www	IN TLSA 3 1 1 $zero
ci	IN MX 10 ins
ci	IN TXT "v=spf1 -all"
ins	IN CNAME mx.plain.test.
_25._tcp.ins	IN TLSA 3 1 1 $zero
ss	IN MX 10 mxss
ss	IN TXT "v=spf1 -all"
mxss	IN A $selfsigned
_25._tcp.mxss	IN TLSA 3 1 1 $kss
EOF
printf '_25._tcp.mx\tIN TLSA 3 1 1 %s\n' "$zero" >"$dir/plain.test.more"
printf '_25._tcp.mx\tIN TLSA 3 1 1 %s\n' "$zero" >"$dir/expired.test.more"
if ! dnssec_world "$dir" >"$dir/world.log" 2>&1; then
	cat "$dir/world.log"
	echo "dane_dnssec: $pass passed, $((fail + 1)) failed (signing the world)"; exit 1
fi
if ! ns=$(dnssec_world_nsd "$dir"); then
	echo "dane_dnssec: $pass passed, $((fail + 1)) failed (NSD)"; exit 1
fi

R="--resolver 127.0.0.1:$ns --trust-anchor $dir/anchor.ds --smtp-port $port
    --ca-file $C/ca.pem --helo probe.authcheck.test --smtp-timeout 5 --no-https"
# One run per case: each exit status is the case's own.
all="good.test bad.good.test cn.good.test ci.good.test plain.test expired.test
    ss.good.test"
for d in $all; do
	# shellcheck disable=SC2086
	"$AUTHCHECK" $R --format json "$d" >"$tmp/$d.json" 2>"$tmp/$d.err"
	echo $? >"$tmp/$d.rc"
	grep -q -e 'runtime error' -e 'Sanitizer' "$tmp/$d.err" &&
	    ko "$d: sanitizer: $(head -5 "$tmp/$d.err")"
done

# check DOMAIN RC STATUS DNSSEC RECORD TLSA-NAME FINDINGS [MORE]: the
# exit status, the dane object of the MX host's address (its status,
# dnssec, matched record, tlsa_name), the dane.* and dnssec.* findings
# exactly (space-separated, "-" for none); MORE is a Python expression
# over o (the report), d (the dane object) and f (findings by ID).
check() {
	python3 - "$tmp/$1.json" "$(cat "$tmp/$1.rc")" "$@" <<'PY' && ok ||
import json, sys
path, rc = sys.argv[1], int(sys.argv[2])
dom, want_rc, st, sec, rec, name, ids = sys.argv[3:10]
more = sys.argv[10] if len(sys.argv) > 10 else "True"
o = json.loads(open(path).readline())
assert o["domain"] == dom, o["domain"]
assert rc == int(want_rc), "exit %d, not %s" % (rc, want_rc)
hosts = o["transport"]["hosts"]
assert len(hosts) == 1, hosts
addrs = hosts[0]["addresses"]
assert len(addrs) == 1, addrs
d = addrs[0]["dane"]
assert d is not None, addrs[0]
assert d["status"] == st, d
assert d["dnssec"] == sec, d
assert d["matched_record"] == (rec or None), d
assert d["tlsa_name"] == name, d
got = sorted(x["id"] for x in o["findings"]
             if x["id"].startswith(("dane.", "dnssec.")))
assert got == sorted(ids.split()) if ids != "-" else got == [], got
f = {}
for x in o["findings"]:
    f.setdefault(x["id"], x)
assert eval("(" + more + ")"), (more, d, o["findings"])
PY
	ko "$1: exit $(cat "$tmp/$1.rc"): $(python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
print([(f["id"], f["message"]) for f in o["findings"]])
print([a["dane"] for h in o["transport"]["hosts"] for a in h["addresses"]])
' <"$tmp/$1.json" 2>&1) $(tail -3 "$tmp/$1.err")"
}

# 1. signed, the record matches: a DNSSEC-secure match.
check good.test 0 matched secure "3 1 1 $k311" _25._tcp.mx.good.test - \
    'd["depth"] == 0 and d["note"] is None and addrs[0]["tls"]["verified"]
     and any(n["name"] == "_25._tcp.mx.good.test" and n["type"] == "TLSA"
             and n["status"] == "secure" for n in o["dnssec"]["names"])'
# 2. signed, nothing matches: the error, without the "not validated" note.
check bad.good.test 1 mismatch secure "" _25._tcp.mxbad.good.test dane.mismatch \
    'f["dane.mismatch"]["severity"] == "error" and o["verdict"] == "fail"
     and "_25._tcp.mxbad.good.test" in f["dane.mismatch"]["message"]
     and "not validated" not in f["dane.mismatch"]["message"]'
# 5. an MX host that is a signed alias: the expanded name's TLSA (the
# alias itself is the MX area's error, mx.cname: exit 1).
check cn.good.test 1 matched secure "3 1 1 $k311" _25._tcp.mx.good.test - \
    'hosts[0]["host"] == "www.good.test" and "mx.cname" in f
     and any(n["name"] == "_25._tcp.www.good.test" and n["type"] == "TLSA"
             and n["status"] == "secure" for n in o["dnssec"]["names"])'
# 3. unsigned, a TLSA that matches nothing: ignored by senders, said so.
check plain.test 0 insecure insecure "" _25._tcp.mx.plain.test \
    "dane.insecure-tlsa dnssec.insecure" \
    '"not DNSSEC-signed" in f["dane.insecure-tlsa"]["message"]
     and "_25._tcp.mx.plain.test" in f["dane.insecure-tlsa"]["message"]'
# 6. a signed TLSA whose host is an alias into the unsigned zone: the
# addresses are insecure, so senders do not use DANE (RFC 7672 §2.2.2):
# dane.insecure-tlsa, no mismatch though nothing matches.
check ci.good.test 1 insecure secure "" _25._tcp.ins.good.test \
    "dane.insecure-tlsa dnssec.insecure" \
    '"addresses of ins.good.test are not DNSSEC-signed" in
     f["dane.insecure-tlsa"]["message"] and "mx.cname" in f
     and "alias into an unsigned zone" in d["note"]'
# 4. bogus: the DNSSEC finding; DANE not evaluated.
# The bogus records the early dialogue was given do not spoil the
# certificate's own verification either.
check expired.test 1 not-checked bogus "" _25._tcp.mx.expired.test dnssec.bogus \
    '"bogus" in d["note"] and addrs[0]["tls"]["verified"]
     and "tls.cert-untrusted" not in f'

# 7. a self-signed certificate that a secure DANE-EE record
# authenticates: DANE senders need no CA and no name (RFC 7672 §3.1.1),
# so neither tls.cert-untrusted nor tls.cert-name-mismatch, though the
# chain does not verify against the CAs.
check ss.good.test 0 matched secure "3 1 1 $kss" _25._tcp.mxss.good.test - \
    'not addrs[0]["tls"]["verified"] and "tls.cert-untrusted" not in f
     and "tls.cert-name-mismatch" not in f'

# All the domains in one run: the dialogues of one batch start beside one
# another's DNS work and validation, and each domain's dane object and
# dane.*/dnssec.* findings are those of its own run.
# shellcheck disable=SC2086
"$AUTHCHECK" $R --format json $all >"$tmp/all.json" 2>"$tmp/all.err"
echo $? >"$tmp/all.rc"
python3 - "$tmp" $all <<'PY' && [ "$(cat "$tmp/all.rc")" -eq 1 ] && ok ||
import json, sys
tmp, doms = sys.argv[1], sys.argv[2:]
def key(o):
    return ([a["dane"] for h in o["transport"]["hosts"] for a in h["addresses"]],
            sorted(f["id"] for f in o["findings"]
                   if f["id"].startswith(("dane.", "dnssec."))))
together = {}
for line in open(tmp + "/all.json"):
    o = json.loads(line)
    together[o["domain"]] = key(o)
assert sorted(together) == sorted(doms), sorted(together)
for d in doms:
    alone = key(json.loads(open("%s/%s.json" % (tmp, d)).readline()))
    assert together[d] == alone, (d, together[d], alone)
PY
	ko "one run of all: exit $(cat "$tmp/all.rc"): $(tail -3 "$tmp/all.err")"

# The text report: the DANE line of a secure match.
# shellcheck disable=SC2086
"$AUTHCHECK" $R --no-color good.test >"$tmp/good.txt" 2>&1
grep -q "DANE: matched 3 1 1 $k311 at depth 0" "$tmp/good.txt" &&
    ! grep -q 'dane\.' "$tmp/good.txt" && ok || ko "text report: $(cat "$tmp/good.txt")"

# `authcheck smtp DOMAIN` validates the TLSA answers too: the same
# verdicts as the report (secure match, secure mismatch, insecure);
# --no-dnssec leaves them unchecked.  (--port: the scripted servers'
# port; the TLSA stays at _25._tcp, the MX hosts' role.)
S="--resolver 127.0.0.1:$ns --trust-anchor $dir/anchor.ds --port $port
    --ca-file $C/ca.pem --helo probe.authcheck.test --smtp-timeout 5"
smtp_case() {	# DOMAIN RC STATUS DNSSEC FINDING [ARGS...]
	_d=$1 _rc=$2 _st=$3 _sec=$4 _id=$5; shift 5
	# shellcheck disable=SC2086
	"$AUTHCHECK" smtp $S "$@" --format json "$_d" >"$tmp/smtp.json" \
	    2>"$tmp/smtp.err"
	_got=$?
	python3 - "$tmp/smtp.json" "$_got" "$_rc" "$_st" "$_sec" "$_id" <<'PY' && ok ||
import json, sys
path, got, rc, st, sec, fid = sys.argv[1:]
o = json.loads(open(path).readline())
assert int(got) == int(rc), "exit %s, not %s" % (got, rc)
ds = [a["dane"] for h in o["transport"]["hosts"] for a in h["addresses"]]
assert len(ds) == 1 and ds[0] is not None, ds
assert ds[0]["status"] == st and ds[0]["dnssec"] == sec, ds
ids = [f["id"] for f in o["findings"] if f["id"].startswith("dane.")]
assert ids == ([fid] if fid != "-" else []), ids
PY
	ko "smtp $_d $*: exit $_got: $(head -c 600 "$tmp/smtp.json") $(tail -3 "$tmp/smtp.err")"
	grep -q -e 'runtime error' -e 'Sanitizer' "$tmp/smtp.err" &&
	    ko "smtp $_d: sanitizer: $(head -5 "$tmp/smtp.err")"
}
smtp_case good.test 0 matched secure -
smtp_case bad.good.test 1 mismatch secure dane.mismatch
smtp_case plain.test 0 insecure insecure dane.insecure-tlsa
smtp_case good.test 0 matched unchecked - --no-dnssec

[ ! -s "$C/forbidden.log" ] && ok || ko "the probe sent: $(cat "$C/forbidden.log")"
echo "dane_dnssec: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
