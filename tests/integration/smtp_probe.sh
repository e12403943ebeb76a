#!/bin/sh
# The SMTP probe against real servers on loopback: tests/lib/smtp_server.py
# serves one scripted behaviour per address 127.0.1.N, all on one port,
# with certificates made now by tests/lib/smtp_certs.sh.  The domain
# report reaches them through --zone (MX hosts NAME.mx.test on those
# addresses) and --smtp-port; `authcheck smtp` through HOST:PORT.  Each
# case must yield its finding ID:
#   smtp.greeting-refused (421, 554), smtp.no-starttls, smtp.dropped,
#   smtp.timeout, smtp.bad-reply (1 MB line, endless greeting),
#   smtp.unreachable, smtp.address-unreachable, smtp.port25-blocked,
#   smtp.auth-before-tls, tls.cert-expired, tls.cert-expiring,
#   tls.cert-name-mismatch, tls.cert-untrusted (self-signed, a chain of
#   50), tls.old-protocol, tls.handshake-failed (garbage instead of TLS,
#   a drop during the handshake), tls.mta-sts-cert-invalid (an enforced
#   MTA-STS policy served by tests/lib/https_server.py);
# the good server none; each address's result the same whether its
# dialogue started beside the DNS work (the report) or after it
# (`authcheck smtp`), and the dialogue hidden inside a slow DNS path;
# all probes of a run at once (4 servers that
# greet after 300 ms take ~300 ms, not 1.2 s); at most 2 connections to
# one address; never MAIL, RCPT or DATA.
# Prints "smtp_probe: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
. tests/lib/smtp_server.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-smtp.XXXXXX") || exit 1
srv=; https=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; [ -n "$https" ] && kill "$https" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

mkdir "$tmp/certs"
if ! sh tests/lib/smtp_certs.sh "$tmp/certs"; then
	echo "smtp_probe: 0 passed, 1 failed (certificates)"; exit 1
fi
if ! smtp_server_start "$tmp" "$tmp/certs"; then
	echo "smtp_probe: 0 passed, 1 failed"; exit 1
fi
addr() { smtp_server_addr "$tmp" "$1"; }

# The zone: NAME.test has MX NAME.mx.test at the scenario's address.
{
	echo '$ORIGIN test.'
	echo '$TTL 300'
	tail -n +2 "$tmp/srv.out" | grep -v '^good6 ' | while read -r name a; do
		echo "$name	MX	10 $name.mx.test."
		echo "$name	TXT	\"v=spf1 -all\""
		echo "$name.mx	A	$a"
	done
	echo "partial	MX	10 partial.mx.test."
	echo "partial.mx	A	$(addr good)"
	echo "partial.mx	A	$(addr refused)"
	echo "doc	MX	10 doc.mx.test."
	echo "doc.mx	A	192.0.2.25"
	for x in a b c d; do echo "slow-$x.mx	A	$(addr slow)"; done
} >"$tmp/world.zone"

R="--zone $tmp/world.zone --smtp-port $port --ca-file $tmp/certs/ca.pem --helo probe.authcheck.test --no-https"
cases="good:none
g421:smtp.greeting-refused
g554:smtp.greeting-refused
nostarttls:smtp.no-starttls
dropehlo:smtp.dropped
stall:smtp.timeout
expired:tls.cert-expired
expiring:tls.cert-expiring
wrongname:tls.cert-name-mismatch
selfsigned:tls.cert-untrusted
tls10:tls.old-protocol
longline:smtp.bad-reply
endless:smtp.bad-reply
garbage:tls.handshake-failed
drophs:tls.handshake-failed
bigchain:tls.cert-untrusted
refused:smtp.unreachable
partial:smtp.address-unreachable
doc:none"
domains=$(for c in $cases; do printf '%s.test ' "${c%%:*}"; done)
start=$(date +%s.%N)
# shellcheck disable=SC2086
"$AUTHCHECK" $domains $R --smtp-timeout 2 --format json >"$tmp/all.json" 2>"$tmp/all.err"
rc=$?
end=$(date +%s.%N)
grep -q -e 'runtime error' -e 'Sanitizer' "$tmp/all.err" && ko "report: sanitizer: $(head -5 "$tmp/all.err")"
[ "$rc" -eq 1 ] && ok || ko "report: exit $rc (want 1: error findings): $(head -3 "$tmp/all.err")"
# Every probe at once: the stalled server's 2 s bound the whole run.
python3 -c "import sys; sys.exit(0 if $end - $start < 8 else 1)" && ok ||
	ko "report of $(echo $domains | wc -w) domains took $(python3 -c "print(round($end - $start, 1))") s"

python3 - "$tmp/all.json" "$cases" <<'PY' || fail=$((fail + 1))
import json, sys
reports = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    reports[o["domain"]] = o
passed = failed = 0
for c in sys.argv[2].split():
    name, want = c.split(":")
    o = reports.get(name + ".test")
    try:
        assert o is not None, "no report"
        t = o["transport"]
        ids = sorted(set(f["id"] for f in o["findings"]
                     if f["id"].split(".")[0] in ("smtp", "tls")))
        if want == "none":
            assert ids == [], ids
        else:
            assert want in ids, ids
        assert t["probed"] and t["skipped"] is None, t
        if name == "good":
            a = t["hosts"][0]["addresses"][0]
            assert a["greeting_code"] == 220 and a["ehlo_code"] == 250, a
            assert "STARTTLS" in a["extensions"] and "SIZE" in a["extensions"], a
            assert a["tls"]["verified"] and a["tls"]["name_match"], a["tls"]
            assert a["tls"]["key"] == {"type": "RSA", "bits": 2048}, a["tls"]
            assert a["tls"]["names"] == ["*.mx.test"], a["tls"]
            assert a["end"] == "ok" and a["connect_ms"] is not None, a
        if name == "g421":
            f = [f for f in o["findings"] if f["id"] == want][0]
            assert "421" in f["message"] and "try again later" in f["message"], f
        if name == "g554":
            f = [f for f in o["findings"] if f["id"] == want][0]
            assert "blocked using zen.example" in f["message"], f
        if name == "tls10":
            assert t["hosts"][0]["addresses"][0]["tls"]["version"] == "TLSv1", t
        if name == "bigchain":
            assert t["hosts"][0]["addresses"][0]["tls"]["chain_length"] == 51, t
        if name == "doc":
            a = t["hosts"][0]["addresses"][0]
            assert not a["probed"] and "documentation" in a["not_probed_because"], a
        passed += 1
    except AssertionError as e:
        failed += 1
        print("FAIL: %s: want %s: %s" % (name, want, e))
print("cases: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
[ $? -eq 0 ] && pass=$((pass + $(echo "$cases" | wc -l)))

# The report starts each dialogue as soon as its MX host's addresses are
# known, beside the rest of the DNS work; `authcheck smtp DOMAIN...` probes
# the same MX hosts after DNS.  What each address shows must not depend on
# when its dialogue ran: the two agree on every field but the times (the
# documentation address is left out: `authcheck smtp` probes whatever it
# is given).
# shellcheck disable=SC2086
"$AUTHCHECK" smtp $(echo "$domains" | sed 's/doc\.test//') --zone "$tmp/world.zone" \
    --port "$port" --ca-file "$tmp/certs/ca.pem" --helo probe.authcheck.test \
    --smtp-timeout 2 --format json >"$tmp/after.json" 2>"$tmp/after.err"
python3 - "$tmp/all.json" "$tmp/after.json" <<'PY' && ok || ko "report vs authcheck smtp: $(head -c 600 "$tmp/after.json")"
import json, sys
def strip(a):
    # times, and the days a certificate made minutes ago has left
    a = {k: v for k, v in a.items() if k not in ("connect_ms", "total_ms")}
    if a.get("tls"):
        a["tls"] = {k: v for k, v in a["tls"].items() if k != "days_left"}
    return a
early = {}
for line in open(sys.argv[1]):
    for h in json.loads(line)["transport"]["hosts"]:
        for a in h["addresses"]:
            if a["probed"]:
                early[(h["host"], a["ip"])] = strip(a)
after = {}
for h in json.loads(open(sys.argv[2]).read())["transport"]["hosts"]:
    for a in h["addresses"]:
        after[(h["host"], a["ip"])] = strip(a)
assert len(early) >= 19 and set(early) == set(after), (sorted(early), sorted(after))
for k in early:
    assert early[k] == after[k], (k, early[k], after[k])
PY

# Port 25 blocked: every connect of the run times out (a listener whose
# accept queue is full drops the SYNs, as a firewall would).
"$AUTHCHECK" blocked.test $R --smtp-timeout 1 --format json >"$tmp/blocked.json" 2>"$tmp/blocked.err"
grep -q "outbound port $port is probably blocked" "$tmp/blocked.err" && ok ||
	ko "port25-blocked: not said on standard error: $(cat "$tmp/blocked.err")"
python3 - "$tmp/blocked.json" <<'PY' && ok || ko "port25-blocked: $(cat "$tmp/blocked.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
ids = [f["id"] for f in o["findings"] if f["id"].startswith(("smtp.", "tls."))]
assert ids == ["smtp.port25-blocked"], ids
assert o["transport"]["port25_blocked"], o["transport"]
PY

# --zone without --smtp-port: nothing is probed, and the report says why.
"$AUTHCHECK" good.test --zone "$tmp/world.zone" --no-https >"$tmp/zone.txt" 2>&1
grep -q 'not probed: DNS answers come from zone files' "$tmp/zone.txt" && ok ||
	ko "zone mode probed: $(cat "$tmp/zone.txt")"
# --no-smtp: skipped too.
"$AUTHCHECK" g421.test $R --no-smtp --format json >"$tmp/nosmtp.json" 2>&1
grep -q '"skipped":"--no-smtp"' "$tmp/nosmtp.json" && ! grep -q smtp.greeting "$tmp/nosmtp.json" && ok ||
	ko "--no-smtp: $(cat "$tmp/nosmtp.json")"

# `authcheck smtp`: a submission port offering AUTH before TLS.
"$AUTHCHECK" smtp "$(addr auth):$port" --helo probe.test --ca-file "$tmp/certs/ca.pem" \
    --format json >"$tmp/auth.json" 2>&1
python3 - "$tmp/auth.json" <<'PY' && ok || ko "auth-before-tls: $(cat "$tmp/auth.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
ids = [f["id"] for f in o["findings"]]
assert ids == ["smtp.auth-before-tls"], ids
a = o["transport"]["hosts"][0]["addresses"][0]
assert a["auth"] == "PLAIN LOGIN" and a["tls"]["verified"], a
PY
# Implicit TLS (as on port 465): TLS first, then the greeting.
"$AUTHCHECK" smtp "$(addr implicit):$port" --implicit-tls --helo probe.test \
    --ca-file "$tmp/certs/ca.pem" --format json >"$tmp/implicit.json" 2>&1
python3 - "$tmp/implicit.json" <<'PY' && ok || ko "implicit TLS: $(cat "$tmp/implicit.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
a = o["transport"]["hosts"][0]["addresses"][0]
assert o["findings"] == [], o["findings"]
assert a["tls_mode"] == "implicit" and a["greeting_code"] == 220, a
assert a["tls"]["verified"] and a["end"] == "ok", a
PY
# A domain through its MX (from the zone), in text.
"$AUTHCHECK" smtp good.test --zone "$tmp/world.zone" --port "$port" --helo probe.test \
    --ca-file "$tmp/certs/ca.pem" >"$tmp/good.txt" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q 'MX good.mx.test port' "$tmp/good.txt" &&
    grep -q 'chain verified; names the host' "$tmp/good.txt" && ok ||
	ko "smtp good.test: exit $rc: $(cat "$tmp/good.txt")"

# Concurrency: 4 servers that greet after 300 ms, probed at once.
t0=$(date +%s.%N)
"$AUTHCHECK" smtp "$(addr slow):$port" "$(addr slow2):$port" "$(addr slow3):$port" \
    "$(addr slow4):$port" --helo probe.test --ca-file "$tmp/certs/ca.pem" >/dev/null 2>&1
t1=$(date +%s.%N)
python3 -c "import sys; sys.exit(0 if $t1 - $t0 < 1.0 else 1)" && ok ||
	ko "4 slow servers took $(python3 -c "print(round($t1 - $t0, 2))") s (sequential: 1.2 s)"
# ... but at most 2 connections to one address: 4 names of one address
# take 2 rounds.
t0=$(date +%s.%N)
"$AUTHCHECK" smtp slow-a.mx.test:$port slow-b.mx.test:$port slow-c.mx.test:$port \
    slow-d.mx.test:$port --zone "$tmp/world.zone" --helo probe.test \
    --ca-file "$tmp/certs/ca.pem" >/dev/null 2>&1
t1=$(date +%s.%N)
python3 -c "import sys; sys.exit(0 if $t1 - $t0 >= 0.6 else 1)" && ok ||
	ko "4 probes of one address took $(python3 -c "print(round($t1 - $t0, 2))") s (< 2 rounds of 300 ms)"
# The same dialogue asked for 4 times runs once; each target has its result.
"$AUTHCHECK" smtp "$(addr good):$port" "$(addr good):$port" "$(addr good):$port" \
    "$(addr good):$port" --helo probe.test --ca-file "$tmp/certs/ca.pem" \
    --format json >"$tmp/dedup.json" 2>&1
python3 - "$tmp/dedup.json" <<'PY' && ok || ko "same target 4 times: $(cat "$tmp/dedup.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
hosts = o["transport"]["hosts"]
assert len(hosts) == 4, hosts
assert all(h["addresses"][0]["end"] == "ok" and h["addresses"][0]["tls"]["verified"]
           for h in hosts), hosts
PY
# IPv6 loopback, when the machine has it.
if [ "$(addr good6)" = "::1" ]; then
	"$AUTHCHECK" smtp "[::1]:$port" --helo probe.test --ca-file "$tmp/certs/ca.pem" \
	    --format json >"$tmp/v6.json" 2>&1
	python3 - "$tmp/v6.json" <<'PY' && ok || ko "IPv6: $(cat "$tmp/v6.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
a = o["transport"]["hosts"][0]["addresses"][0]
assert o["findings"] == [] and a["ip"] == "::1" and a["tls"]["verified"], o
PY
else
	echo "no IPv6 loopback: IPv6 case skipped"
fi
# A host with no address is unreachable (in the report it is mx.no-address).
"$AUTHCHECK" smtp nohost.mx.test:$port --zone "$tmp/world.zone" --helo probe.test \
    --format json >"$tmp/noaddr.json" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q '"id":"smtp.unreachable"' "$tmp/noaddr.json" && ok ||
	ko "no address: exit $rc: $(cat "$tmp/noaddr.json")"

# MTA-STS in enforce mode (the "good" policy of tests/lib/https_server.py:
# mx mail.good.test) and an MX whose certificate names another host: the
# error compliant senders act on, instead of the warning.
python3 tests/lib/https_server.py $$ >"$tmp/https.out" 2>"$tmp/https.err" &
https=$!
n=0
while [ ! -s "$tmp/https.out" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if read -r hport hca <"$tmp/https.out"; then
	cat "$hca" "$tmp/certs/ca.pem" >"$tmp/both.pem"
	cat >"$tmp/sts.zone" <<Z
\$ORIGIN good.test.
\$TTL 300
@	MX	10 mail.good.test.
mail	A	$(addr wrongname)
mta-sts	A	127.0.0.1
_mta-sts	TXT	"v=STSv1; id=20261203T000000"
Z
	AUTHCHECK_HTTPS_PORT=$hport "$AUTHCHECK" good.test --zone "$tmp/sts.zone" \
	    --smtp-port "$port" --ca-file "$tmp/both.pem" --helo probe.test --timeout 1 \
	    --format json >"$tmp/sts.json" 2>&1
	python3 - "$tmp/sts.json" <<'PY' && ok || ko "mta-sts enforce: $(cat "$tmp/sts.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["mta_sts"]["mode"] == "enforce", o["mta_sts"]
ids = [f["id"] for f in o["findings"] if f["id"].startswith(("smtp.", "tls."))]
assert ids == ["tls.mta-sts-cert-invalid"], ids
PY
else
	ko "HTTPS server did not start: $(cat "$tmp/https.err")"
fi

# The overlap itself, where it can be told apart from noise: a resolver
# (ldns-testns) that answers the MX and the MX host's address at once and
# never answers anything else, so the DNS work lasts until the last
# question gives up (--timeout 1.5 --retries 1: about 3 s), and an MX that
# never greets, so its dialogue lasts --smtp-timeout 2.  Probing after the
# DNS work takes about 3 + 2 s; starting the dialogue when the address
# arrives hides it inside the 3 s.  The margin either way is a second.
. tests/lib/servers.sh
sdir=$(srv_dir)
{
	for q in "overlap.test. IN MX" "stall.mx.test. IN A" "stall.mx.test. IN AAAA"; do
		printf 'ENTRY_BEGIN\nMATCH opcode qtype qname\nADJUST copy_id\n'
		printf 'REPLY QR AA NOERROR\nSECTION QUESTION\n%s\nSECTION ANSWER\n' "$q"
		case $q in
		*MX) echo "overlap.test. IN MX 10 stall.mx.test." ;;
		*" A") echo "stall.mx.test. IN A $(addr stall)" ;;
		esac
		printf 'ENTRY_END\n\n'
	done
} >"$tmp/overlap.rpl"
if tport=$(srv_testns "$sdir" "$tmp/overlap.rpl"); then
	O="--resolver 127.0.0.1:$tport --timeout 1.5 --retries 1 --smtp-port $port --no-https --helo probe.test --smtp-timeout 2 --format json"
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086
	"$AUTHCHECK" overlap.test $O --no-smtp >"$tmp/floor.json" 2>/dev/null
	t1=$(date +%s.%N)
	# shellcheck disable=SC2086
	"$AUTHCHECK" overlap.test $O >"$tmp/overlap.json" 2>/dev/null
	t2=$(date +%s.%N)
	python3 - "$tmp/overlap.json" "$t0" "$t1" "$t2" <<'PY' && ok || ko "overlap: $(head -c 400 "$tmp/overlap.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
t0, t1, t2 = map(float, sys.argv[2:5])
floor, full = t1 - t0, t2 - t1
a = o["transport"]["hosts"][0]["addresses"][0]
assert o["incomplete"] and a["end"] == "timeout" and a["end_step"] == "greeting", a
dialogue = a["total_ms"] / 1000
assert floor > 2.5 and dialogue > 1.9, (floor, dialogue, full)
# sequential: full >= floor + dialogue; overlapped: full ~ floor
print("overlap: DNS floor %.2f s, dialogue %.2f s, report %.2f s" % (floor, dialogue, full), file=sys.stderr)
assert full < floor + dialogue - 1, ("not overlapped", floor, dialogue, full)
PY
else
	ko "ldns-testns did not start"
fi
srv_stop "$sdir"

# The probe sends no mail.
[ ! -s "$tmp/certs/forbidden.log" ] && ok || ko "the probe sent: $(cat "$tmp/certs/forbidden.log")"

echo "smtp_probe: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
