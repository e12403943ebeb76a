#!/bin/sh
# DANE for SMTP (RFC 7672) against real servers on loopback: the scripted
# SMTP servers of tests/lib/smtp_server.py with certificates made now
# (tests/lib/smtp_certs.sh), and TLSA records computed here with the
# openssl command line (never by authcheck itself), served from a zone
# file (--zone; the zone backend validates no DNSSEC, so every answer is
# "unchecked": the report still matches and says so).  Cases:
#   3 1 1 on the server's key, 2 1 1 on the issuing CA (sent in the
#   chain), 3 0 1 and 3 1 2 match, at the depth expected;
#   a wrong digest: dane.mismatch (error, exit 1); a usage 2 record on a
#   server that does not send its CA, and 17 records of which the 17th
#   matches (16 are examined): dane.mismatch saying why;
#   usage 1 only: dane.bad-usage, not checked (no usable record);
#   a short digest: dane.unusable-tlsa; 3 0 0: dane.full-data;
#   an MX host that is a CNAME: the TLSA of the expanded name first;
#   one MX host with TLSA, one without: dane.partial;
#   `generate tlsa` on the test certificate, published, matches;
#   `authcheck smtp HOST:PORT --tlsa REC` before publishing.
# dane.insecure-tlsa needs a validating resolver: dane_dnssec.sh.
# Prints "dane: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
. tests/lib/servers.sh
. tests/lib/smtp_server.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-dane.XXXXXX") || exit 1
dns=$(srv_dir)
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; srv_stop "$dns"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

mkdir "$tmp/certs"
if ! sh tests/lib/smtp_certs.sh "$tmp/certs"; then
	echo "dane: 0 passed, 1 failed (certificates)"; exit 1
fi
if ! smtp_server_start "$tmp" "$tmp/certs"; then
	echo "dane: 0 passed, 1 failed"; exit 1
fi
addr() { smtp_server_addr "$tmp" "$1"; }
good=$(addr good)
withca=$(addr withca)
[ -n "$good" ] && [ -n "$withca" ] || { echo "FAIL: no good/withca server"; exit 1; }

# The association data, with the openssl command line.
C=$tmp/certs
spki() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER; }
hexof() { od -An -v -tx1 | tr -d ' \n'; }
k311=$(spki "$C/good.pem" | openssl dgst -sha256 -r | cut -d' ' -f1)
k312=$(spki "$C/good.pem" | openssl dgst -sha512 -r | cut -d' ' -f1)
k211=$(spki "$C/ca.pem" | openssl dgst -sha256 -r | cut -d' ' -f1)
k301=$(openssl x509 -in "$C/good.pem" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
k300=$(openssl x509 -in "$C/good.pem" -outform DER | hexof)
zero=0000000000000000000000000000000000000000000000000000000000000000
[ ${#k311} -eq 64 ] && [ ${#k312} -eq 128 ] && [ ${#k211} -eq 64 ] &&
    [ ${#k301} -eq 64 ] && [ ${#k300} -gt 200 ] && ok ||
	ko "openssl digests: '$k311' '$k312' '$k211' '$k301'"

# generate tlsa on the test certificate: the record openssl computed.
"$AUTHCHECK" generate tlsa --cert "$C/good.pem" --host rt.mx.test --format zone \
    >"$tmp/gen.zone" 2>"$tmp/gen.err"; rc=$?
[ $rc -eq 0 ] && [ "$(cat "$tmp/gen.zone")" = "_25._tcp.rt.mx.test. 3600 IN TLSA 3 1 1 $k311" ] &&
    [ ! -s "$tmp/gen.err" ] && ok || ko "generate tlsa: exit $rc: $(cat "$tmp/gen.zone" "$tmp/gen.err")"
"$AUTHCHECK" generate tlsa --cert "$C/ca.pem" --host rt.mx.test --usage 2 --format zone \
    >"$tmp/gen2.zone" 2>&1
grep -qx "_25._tcp.rt.mx.test. 3600 IN TLSA 2 1 1 $k211" "$tmp/gen2.zone" && ok ||
	ko "generate tlsa --usage 2: $(cat "$tmp/gen2.zone")"
"$AUTHCHECK" generate tlsa --cert "$C/good.pem" --host rt.mx.test --selector 0 --mtype 0 \
    --port 587 --format zone >"$tmp/gen3.zone" 2>"$tmp/gen3.err"
grep -qx "_587._tcp.rt.mx.test. 3600 IN TLSA 3 0 0 $k300" "$tmp/gen3.zone" &&
    grep -q '\[dane.full-data\]' "$tmp/gen3.err" && ok ||
	ko "generate tlsa 3 0 0: $(cat "$tmp/gen3.zone" "$tmp/gen3.err")"
"$AUTHCHECK" generate tlsa --cert "$C/good.pem" --host rt.mx.test --usage 1 \
    --format json >"$tmp/gen4.json" 2>&1
python3 - "$tmp/gen4.json" "$k311" <<'PY' && ok || ko "generate tlsa --usage 1: $(cat "$tmp/gen4.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["kind"] == "tlsa", o
assert o["records"][0]["value"] == "1 1 1 " + sys.argv[2], o["records"]
assert [f["id"] for f in o["findings"]] == ["dane.bad-usage"], o["findings"]
PY
# usage 2 wants the CA's certificate: said when given a leaf.
"$AUTHCHECK" generate tlsa --cert "$C/good.pem" --host rt.mx.test --usage 2 >"$tmp/gen5.txt" 2>&1
grep -q "not a CA's: give the issuing CA's certificate" "$tmp/gen5.txt" && ok ||
	ko "generate tlsa --usage 2 on a leaf: $(cat "$tmp/gen5.txt")"
# Unreadable and non-PEM files: usage errors that say why.
"$AUTHCHECK" generate tlsa --cert "$tmp/none.pem" --host rt.mx.test >/dev/null 2>"$tmp/e1"; r1=$?
"$AUTHCHECK" generate tlsa --cert "$C/good.key" --host rt.mx.test >/dev/null 2>"$tmp/e2"; r2=$?
[ $r1 -eq 2 ] && grep -q 'cannot read .*none.pem' "$tmp/e1" && [ $r2 -eq 2 ] &&
    grep -q 'no PEM certificate' "$tmp/e2" && ok ||
	ko "generate tlsa bad files: $r1 $(cat "$tmp/e1") / $r2 $(cat "$tmp/e2")"

# The world: DOMAIN.test has MX DOMAIN.mx.test.
{
	echo '$ORIGIN test.'
	echo '$TTL 300'
	mx() {	# domain address tlsa...
		d=$1; a=$2; shift 2
		echo "$d	MX	10 $d.mx.test."
		echo "$d	TXT	\"v=spf1 -all\""
		echo "$d.mx	A	$a"
		for t in "$@"; do echo "_25._tcp.$d.mx	TLSA	$t" | tr '+' ' '; done
	}
	mx m311 "$good" "3 1 1 $k311"
	mx m312 "$good" "3 1 2 $k312"
	mx m211 "$withca" "2 1 1 $k211"
	mx m301 "$good" "3 0 1 $k301" "3 1 1 $zero"
	mx mis "$good" "3 1 1 $zero"
	mx usage1 "$good" "1 1 1 $k311"
	mx short "$good" "3 1 1 abcd" "3 1 1 $k311"
	mx full "$good" "3 0 0 $k300"
	mx none "$good"
	# usage 2 on a server that does not send its CA
	mx leaf211 "$good" "2 1 1 $k211"
	# more records than are examined: the matching one is the 17th
	mx many "$good" $(i=0; while [ $i -lt 16 ]; do printf '3 1 1 %064x\n' $((i + 1)); i=$((i + 1)); done | tr ' ' '+') "3 1 1 $k311"
	# an MX host that is an alias: the expanded name's TLSA first
	echo "cname	MX	10 alias.mx.test."
	echo "alias.mx	CNAME	real.mx.test."
	echo "real.mx	A	$good"
	echo "_25._tcp.real.mx	TLSA	3 1 1 $k311"
	echo "_25._tcp.alias.mx	TLSA	3 1 1 $zero"
	# an alias whose expansion has no TLSA: the original name's
	echo "cname2	MX	10 alias2.mx.test."
	echo "alias2.mx	CNAME	real2.mx.test."
	echo "real2.mx	A	$good"
	echo "_25._tcp.alias2.mx	TLSA	3 1 1 $k311"
	# one MX host with TLSA, one without
	echo "partial	MX	10 m311.mx.test."
	echo "partial	MX	20 none.mx.test."
	echo "partial	TXT	\"v=spf1 -all\""
	# the record generate tlsa printed, published
	echo "rt	MX	10 rt.mx.test."
	echo "rt.mx	A	$good"
	cat "$tmp/gen.zone"
} >"$tmp/world.zone"

cases="m311:matched:3 1 1 $k311:0:
m312:matched:3 1 2 $k312:0:
m211:matched:2 1 1 $k211:1:
m301:matched:3 0 1 $k301:0:
mis:mismatch:::dane.mismatch
usage1:not-checked:::dane.bad-usage
short:matched:3 1 1 $k311:0:dane.unusable-tlsa
full:matched:3 0 0 $k300:0:dane.full-data
none:no-tlsa:::
leaf211:mismatch:::dane.mismatch
many:mismatch:::dane.mismatch
cname:matched:3 1 1 $k311:0:
cname2:matched:3 1 1 $k311:0:
rt:matched:3 1 1 $k311:0:
partial:matched:3 1 1 $k311:0:dane.partial"
domains=$(echo "$cases" | while IFS=: read -r d rest; do printf '%s.test ' "$d"; done)
R="--zone $tmp/world.zone --smtp-port $port --ca-file $C/ca.pem --helo probe.authcheck.test --no-https"
# shellcheck disable=SC2086
"$AUTHCHECK" $domains $R --smtp-timeout 3 --format json >"$tmp/all.json" 2>"$tmp/all.err"
rc=$?
grep -q -e 'runtime error' -e 'Sanitizer' "$tmp/all.err" && ko "report: sanitizer: $(head -5 "$tmp/all.err")"
[ "$rc" -eq 1 ] && ok || ko "report: exit $rc (want 1: dane.mismatch): $(head -3 "$tmp/all.err")"
python3 - "$tmp/all.json" "$cases" <<'PY'
import json, sys
reports = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    reports[o["domain"]] = o
passed = failed = 0
for c in sys.argv[2].split("\n"):
    name, status, rec, depth, want = c.split(":")
    o = reports.get(name + ".test")
    try:
        assert o is not None, "no report"
        ids = sorted(set(f["id"] for f in o["findings"]
                         if f["id"].startswith("dane.")))
        assert ids == ([want] if want else []), ids
        h = o["transport"]["hosts"][0]
        d = h["addresses"][0]["dane"]
        assert h["addresses"][0]["tls"]["verified"], h
        assert d["status"] == status, d
        assert d["dnssec"] == "unchecked", d
        if rec:
            assert d["matched_record"] == rec, d
            assert d["depth"] == int(depth), d
            assert d["note"] == "DNSSEC was not validated in this run", d
        else:
            assert d["matched_record"] is None and d["depth"] is None, d
        if name == "cname":
            assert d["tlsa_name"] == "_25._tcp.real.mx.test", d
        if name == "cname2":
            assert d["tlsa_name"] == "_25._tcp.alias2.mx.test", d
        if name == "mis":
            f = [f for f in o["findings"] if f["id"] == "dane.mismatch"][0]
            assert f["severity"] == "error", f
            assert "_25._tcp.mis.mx.test" in f["message"], f
            assert "DNSSEC was not validated" in f["message"], f
            assert o["verdict"] == "fail", o["verdict"]
        if name == "leaf211":
            f = [f for f in o["findings"] if f["id"] == "dane.mismatch"][0]
            assert "sends in its chain, and it sends 1 certificate" in f["message"], f
        if name == "many":
            assert d["records"] == 16 and d["records_total"] == 17, d
            f = [f for f in o["findings"] if f["id"] == "dane.mismatch"][0]
            assert "only the first 16 of 17 records were tried" in f["message"], f
        if name == "usage1":
            f = [f for f in o["findings"] if f["id"] == "dane.bad-usage"][0]
            assert "without authenticating" in f["message"], f
            assert d["note"] == "no usable TLSA record", d
        if name == "partial":
            f = [f for f in o["findings"] if f["id"] == "dane.partial"][0]
            assert "(none.mx.test)" in f["message"], f
            d2 = o["transport"]["hosts"][1]["addresses"][0]["dane"]
            assert d2["status"] == "no-tlsa", d2
        passed += 1
    except (AssertionError, KeyError, IndexError, TypeError) as e:
        failed += 1
        print("FAIL: %s: want %s %s: %r" % (name, status, want, e))
print("cases: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
if [ $? -eq 0 ]; then pass=$((pass + $(echo "$cases" | wc -l))); else fail=$((fail + 1)); fi

# The text report: one DANE line per address, the finding under it.
"$AUTHCHECK" mis.test m211.test $R >"$tmp/text.txt" 2>&1
grep -q "DANE: NO MATCH (TLSA at _25._tcp.mis.mx.test, DNSSEC unchecked)" "$tmp/text.txt" &&
    grep -q "DANE: matched 2 1 1 $k211 at depth 1" "$tmp/text.txt" &&
    grep -q "error dane.mismatch" "$tmp/text.txt" && ok || ko "text report: $(cat "$tmp/text.txt")"

# authcheck smtp HOST:PORT --tlsa: records tested before they are
# published (no DNS needed); one that does not match is the error.
"$AUTHCHECK" smtp "m311.mx.test:$port" --zone "$tmp/world.zone" --helo probe.test \
    --ca-file "$C/ca.pem" --tlsa "3 1 1 $zero" --tlsa "3 1 1 $k311" --format json >"$tmp/t1.json" 2>&1; r1=$?
"$AUTHCHECK" smtp "m311.mx.test:$port" --zone "$tmp/world.zone" --helo probe.test \
    --ca-file "$C/ca.pem" --tlsa "3 1 1 $zero" --format json >"$tmp/t2.json" 2>&1; r2=$?
python3 - "$tmp/t1.json" "$tmp/t2.json" "$k311" "$port" <<'PY' && [ $r1 -eq 0 ] && [ $r2 -eq 1 ] && ok ||
import json, sys
o = json.loads(open(sys.argv[1]).read())
d = o["transport"]["hosts"][0]["addresses"][0]["dane"]
assert d["status"] == "matched" and d["dnssec"] == "given", d
assert d["matched_record"] == "3 1 1 " + sys.argv[3] and d["depth"] == 0, d
assert d["tlsa_name"] == "_%s._tcp.m311.mx.test" % sys.argv[4], d
assert o["findings"] == [], o["findings"]
o = json.loads(open(sys.argv[2]).read())
d = o["transport"]["hosts"][0]["addresses"][0]["dane"]
assert d["status"] == "mismatch", d
f = [f for f in o["findings"] if f["id"] == "dane.mismatch"]
assert len(f) == 1 and "given with --tlsa" in f[0]["message"], o["findings"]
PY
	ko "smtp --tlsa: exit $r1/$r2: $(cat "$tmp/t1.json" "$tmp/t2.json")"
"$AUTHCHECK" smtp "m311.mx.test:$port" --tlsa "3 1 1 xyz" >"$tmp/t3.out" 2>&1; r3=$?
[ $r3 -eq 2 ] && grep -q "not hexadecimal" "$tmp/t3.out" && ok || ko "smtp --tlsa bad: exit $r3: $(cat "$tmp/t3.out")"
"$AUTHCHECK" smtp "$good:$port" --tlsa "3 1 1 $k311" >"$tmp/t6.out" 2>&1; r6=$?
[ $r6 -eq 2 ] && grep -q "needs host names" "$tmp/t6.out" && ok || ko "smtp --tlsa on an address: exit $r6: $(cat "$tmp/t6.out")"
# authcheck smtp DOMAIN: its MX hosts' TLSA at _25._tcp, from DNS.
"$AUTHCHECK" smtp mis.test --zone "$tmp/world.zone" --port "$port" --helo probe.test \
    --ca-file "$C/ca.pem" >"$tmp/t4.txt" 2>&1; r4=$?
[ $r4 -eq 1 ] && grep -q "error dane.mismatch" "$tmp/t4.txt" && ok || ko "smtp mis.test: exit $r4: $(cat "$tmp/t4.txt")"

# authcheck zone lints TLSA records offline, each at its line.
{
	echo '$ORIGIN example.com.'; echo '$TTL 300'
	echo '@ SOA ns hostmaster 1 3600 900 604800 300'; echo '@ NS ns'; echo 'ns A 192.0.2.1'
	echo "_25._tcp.mx TLSA 3 1 1 $k311"
	echo "_25._tcp.mx TLSA 3 1 1 abcd"
	echo "_25._tcp.mx TLSA 0 0 1 $k301"
	echo "_25._tcp.mx TLSA 3 1 1 xyz"
} >"$tmp/lint.zone"
"$AUTHCHECK" zone "$tmp/lint.zone" --format json >"$tmp/lint.json" 2>&1; r7=$?
python3 - "$tmp/lint.json" <<'PY' && [ $r7 -eq 1 ] && ok || ko "zone lint of TLSA: exit $r7: $(cat "$tmp/lint.json")"
import json, sys
got = []
for line in open(sys.argv[1]):
    o = json.loads(line)
    for f in o.get("findings", []):
        got.append((f["id"], f.get("line")))
assert sorted(got) == [("dane.bad-usage", 8), ("dane.unusable-tlsa", 7),
                       ("zone.syntax", 9)], got
PY

# A TLSA line a server would refuse is a zone error, not served.
printf '$ORIGIN test.\nx.mx TLSA 3 1 1 xyz\n' >"$tmp/bad.zone"
"$AUTHCHECK" smtp "x.mx.test:$port" --zone "$tmp/bad.zone" >"$tmp/t5.out" 2>&1
grep -q "bad TLSA rdata: the data is not hexadecimal" "$tmp/t5.out" && ok || ko "bad TLSA zone line: $(cat "$tmp/t5.out")"

# The live resolver: the same records from NSD over the wire (a full
# certificate makes the answer large), an alias, usage 1 beside 3; the
# certificate names *.mx.test, not mx.dane.test: DANE-EE checks no name.
cat >"$dns/dane.test.zone" <<Z
\$ORIGIN dane.test.
\$TTL 300
@	SOA	ns hostmaster 1 3600 900 604800 300
@	NS	ns
ns	A	127.0.0.1
mx	A	$good
_$port._tcp.mx	TLSA	3 1 1 $k311
_$port._tcp.mx	TLSA	1 1 1 $k311
_$port._tcp.mx	TLSA	3 0 0 $k300
alias	CNAME	mx
Z
if nsport=$(srv_nsd "$dns" dane.test="$dns/dane.test.zone"); then
	"$AUTHCHECK" smtp "mx.dane.test:$port" "alias.dane.test:$port" --resolver "127.0.0.1:$nsport" \
	    --helo probe.test --ca-file "$C/ca.pem" --format json >"$tmp/live.json" 2>"$tmp/live.err"
	grep -q "DNSSEC not validated: no DNSKEY for the trust anchor's zone" \
	    "$tmp/live.err" && ok || ko "live resolver: stderr: $(cat "$tmp/live.err")"
	python3 - "$tmp/live.json" "$k311" "$port" <<'PY' && ok || ko "live resolver: $(cat "$tmp/live.json" "$tmp/live.err")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
hosts = o["transport"]["hosts"]
for h, name in zip(hosts, ["mx", "mx"]):
    d = h["addresses"][0]["dane"]
    # validated, but this world has no root zone: indeterminate, and
    # the records are still matched
    assert d["status"] == "matched" and d["dnssec"] == "indeterminate", d
    assert "not validated" in d["note"], d
    assert d["matched_record"] in ("3 1 1 " + sys.argv[2],) or \
        d["matched_record"].startswith("3 0 0 3082"), d
    assert d["tlsa_name"] == "_%s._tcp.mx.dane.test" % sys.argv[3], d
ids = sorted(f["id"] for f in o["findings"] if f["id"].startswith("dane."))
assert ids == ["dane.bad-usage", "dane.bad-usage", "dane.full-data",
               "dane.full-data"], ids
PY
else
	ko "NSD did not start"
fi

[ ! -s "$C/forbidden.log" ] && ok || ko "the probe sent: $(cat "$C/forbidden.log")"
echo "dane: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
