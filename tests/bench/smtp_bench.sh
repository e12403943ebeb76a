#!/bin/sh
# The Transport area's concurrency, measured: 10 domains with 2 MX hosts
# each, 20 scripted servers (tests/lib/smtp_server.py, NBENCH=20) that
# greet after 300 ms, on loopback (127.0.3.N, one high port; no root
# needed).  Reports the domain report's wall time with the probe, the DNS
# floor (the same run with --no-smtp), the slowest single dialogue (from
# the JSON; medians of REPEAT runs each), their ratio  wall / (floor + slowest)  -- the goal is <= 1.3
# -- and a sequential peer in the same run: Python's smtplib doing what
# checkdmarc's STARTTLS test does (connect, EHLO, STARTTLS, EHLO, QUIT),
# one MX after the other.
#   sh tests/bench/smtp_bench.sh          (from the top of the tree)
# Environment: AUTHCHECK (default ./authcheck), REPEAT (default 3; the
# median is reported).  A measurement: exits 0 when measured.
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
REPEAT=${REPEAT:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-smtpbench.XXXXXX") || exit 1
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
mkdir "$tmp/certs"
sh tests/lib/smtp_certs.sh "$tmp/certs" || exit 1
python3 tests/lib/smtp_server.py $$ "$tmp/certs" 20 >"$tmp/srv.out" 2>"$tmp/srv.err" &
srv=$!
n=0
while ! grep -q '^good6 ' "$tmp/srv.out" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
port=$(head -n 1 "$tmp/srv.out")
[ -n "$port" ] || { echo "server did not start: $(cat "$tmp/srv.err")"; exit 1; }
{
	echo '$ORIGIN test.'
	echo '$TTL 300'
	i=1
	while [ $i -le 10 ]; do
		echo "d$i	MX	10 d$i-a.mx.test."
		echo "d$i	MX	20 d$i-b.mx.test."
		echo "d$i.mx	A	127.0.3.1"	# unused, keeps the zone tidy
		echo "d$i-a.mx	A	127.0.3.$((2 * i - 1))"
		echo "d$i-b.mx	A	127.0.3.$((2 * i))"
		i=$((i + 1))
	done
} >"$tmp/bench.zone"
domains="d1.test d2.test d3.test d4.test d5.test d6.test d7.test d8.test d9.test d10.test"
common="--zone $tmp/bench.zone --smtp-port $port --ca-file $tmp/certs/ca.pem --helo bench.authcheck.test --no-https --format json"

slowest_of() {	# the longest dialogue of a JSON report, in seconds
	python3 -c '
import json, sys
m = 0
for line in open(sys.argv[1]):
    for h in json.loads(line)["transport"]["hosts"]:
        for a in h["addresses"]:
            m = max(m, a["total_ms"] or 0)
print(m / 1000)' "$1"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }
runs() {	# label, command...
	label=$1; shift
	: >"$tmp/t.$label"
	k=0
	while [ $k -lt "$REPEAT" ]; do
		t0=$(now)
		"$@" >"$tmp/out.$label" 2>/dev/null
		t1=$(now)
		awk "BEGIN { print $t1 - $t0 }" >>"$tmp/t.$label"
		[ "$label" = full ] && slowest_of "$tmp/out.full" >>"$tmp/slowest"
		k=$((k + 1))
	done
	median <"$tmp/t.$label"
}
: >"$tmp/slowest"
# shellcheck disable=SC2086
full=$(runs full "$AUTHCHECK" $domains $common)
# shellcheck disable=SC2086
floor=$(runs floor "$AUTHCHECK" $domains $common --no-smtp)
slowest=$(median <"$tmp/slowest")
probed=$(python3 -c '
import json, sys
n = ok = 0
for line in open(sys.argv[1]):
    for h in json.loads(line)["transport"]["hosts"]:
        for a in h["addresses"]:
            n += 1; ok += a["end"] == "ok" and a["tls"] is not None and a["tls"]["verified"]
print("%d/%d" % (ok, n))' "$tmp/out.full")
cat >"$tmp/peer.py" <<'PY'
import smtplib, ssl, sys
port, ca, zone = int(sys.argv[1]), sys.argv[2], sys.argv[3]
hosts = [l.split()[2] for l in open(zone) if "-" in l.split()[0] and l.split()[1] == "A"]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
for ip in hosts:
    s = smtplib.SMTP(ip, port, local_hostname="bench.authcheck.test", timeout=10)
    s.ehlo()
    s.starttls(context=ctx)
    s.ehlo()
    s.quit()
PY
peer=$(runs peer python3 "$tmp/peer.py" "$port" "$tmp/certs/ca.pem" "$tmp/bench.zone")
python3 - "$full" "$floor" "$slowest" "$peer" "$probed" <<'PY'
import sys
full, floor, slowest, peer = map(float, sys.argv[1:5])
print("10 domains, 20 MX servers greeting after 300 ms (dialogues ok with TLS verified: %s)" % sys.argv[5])
print("  authcheck report with the probe   %.3f s" % full)
print("  DNS floor (--no-smtp)             %.3f s" % floor)
print("  slowest single dialogue           %.3f s" % slowest)
print("  ratio wall / (floor + slowest)    %.2f  (goal <= 1.3)" % (full / (floor + slowest)))
print("  sequential smtplib STARTTLS peer  %.3f s  (%.1fx authcheck's whole report)" % (peer, peer / full))
PY
