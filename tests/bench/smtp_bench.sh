#!/bin/sh
# The Transport area's concurrency, measured: 10 domains with 2 MX hosts
# each, 20 scripted servers (tests/lib/smtp_server.py, NBENCH=20) that
# greet after 300 ms, on loopback (127.0.3.N, one high port; no root
# needed).  Each domain also has what makes the rest of the report cost
# round trips: an SPF include chain SPF_DEPTH deep, a DMARC record, PTRs
# of the MX addresses.  Two DNS paths:
#   zone  --zone: answers at once (the DNS floor is CPU only);
#   live  NSD on a loopback high port behind the benchmarks' delay proxy
#         (tests/bench/delayproxy.c, `make bench-tools`), DELAY_MS per
#         query, asked through --resolver: the SMTP dialogues overlap the
#         DNS work (they start when an MX host's addresses are known) or
#         follow it.
# For each: the domain report's wall time with the probe, the DNS floor
# (the same run with --no-smtp), the slowest single dialogue (from the
# JSON), medians of REPEAT runs, and their ratio
#   wall / (floor + slowest)   goal <= 1.3
# -- and, in the same run, a sequential peer: Python's smtplib doing what
# checkdmarc's STARTTLS test does (connect, EHLO, STARTTLS, EHLO, QUIT),
# one MX after the other.  BASELINE=BINARY measures another authcheck
# (e.g. a build of main) the same way, for before/after numbers.
#   sh tests/bench/smtp_bench.sh          (from the top of the tree)
#   make bench-smtp
# Environment: AUTHCHECK (default ./authcheck), BASELINE (none),
# REPEAT (default 3), DELAY_MS (default 40), SPF_DEPTH (default 6),
# DELAYPROXY (default build/bench/delayproxy).  A measurement: exits 0
# when measured, whatever the ratios.
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
BASELINE=${BASELINE:-}
REPEAT=${REPEAT:-3}
DELAY_MS=${DELAY_MS:-40}
SPF_DEPTH=${SPF_DEPTH:-6}
DELAYPROXY=${DELAYPROXY:-build/bench/delayproxy}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-smtpbench.XXXXXX") || exit 1
srv=; proxy=
. tests/lib/servers.sh
dir=$(srv_dir)
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; [ -n "$proxy" ] && kill "$proxy" 2>/dev/null; srv_stop "$dir"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
[ -x "$DELAYPROXY" ] || { echo "no $DELAYPROXY: make bench-tools"; exit 2; }
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
	echo '@	SOA	ns.test. hostmaster.test. 1 3600 600 86400 300'
	echo '@	NS	ns.test.'
	echo 'ns	A	127.0.0.1'
	i=1
	while [ $i -le 10 ]; do
		echo "d$i	MX	10 d$i-a.mx.test."
		echo "d$i	MX	20 d$i-b.mx.test."
		echo "d$i	TXT	\"v=spf1 mx include:s1.spf.d$i.test -all\""
		k=1
		while [ $k -lt "$SPF_DEPTH" ]; do
			echo "s$k.spf.d$i	TXT	\"v=spf1 ip4:192.0.2.$k include:s$((k + 1)).spf.d$i.test -all\""
			k=$((k + 1))
		done
		echo "s$k.spf.d$i	TXT	\"v=spf1 ip4:192.0.2.$k -all\""
		echo "_dmarc.d$i	TXT	\"v=DMARC1; p=reject; rua=mailto:dmarc@d$i.test\""
		echo "d$i-a.mx	A	127.0.3.$((2 * i - 1))"
		echo "d$i-b.mx	A	127.0.3.$((2 * i))"
		i=$((i + 1))
	done
} >"$tmp/bench.zone"
{
	echo '$ORIGIN 3.0.127.in-addr.arpa.'
	echo '$TTL 300'
	echo '@	SOA	ns.test. hostmaster.test. 1 3600 600 86400 300'
	echo '@	NS	ns.test.'
	i=1
	while [ $i -le 10 ]; do
		echo "$((2 * i - 1))	PTR	d$i-a.mx.test."
		echo "$((2 * i))	PTR	d$i-b.mx.test."
		i=$((i + 1))
	done
} >"$tmp/rev.zone"
nsdport=$(srv_nsd "$dir" test="$tmp/bench.zone" 3.0.127.in-addr.arpa="$tmp/rev.zone") ||
	{ echo "NSD did not start"; exit 1; }
pport=$(srv_port) || exit 1
"$DELAYPROXY" -l "$pport" -u "$nsdport" -d "$DELAY_MS" -c "$tmp/count" >"$tmp/proxy.err" 2>&1 &
proxy=$!
srv_wait_answer "$pport" test || { echo "delay proxy: $(cat "$tmp/proxy.err")"; exit 1; }

domains="d1.test d2.test d3.test d4.test d5.test d6.test d7.test d8.test d9.test d10.test"
common="--smtp-port $port --ca-file $tmp/certs/ca.pem --helo bench.authcheck.test --no-https --format json"
zone="--zone $tmp/bench.zone --zone $tmp/rev.zone"
live="--resolver 127.0.0.1:$pport"

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
probed_of() {	# dialogues ok with TLS verified / all
	python3 -c '
import json, sys
n = ok = 0
for line in open(sys.argv[1]):
    for h in json.loads(line)["transport"]["hosts"]:
        for a in h["addresses"]:
            n += 1; ok += a["end"] == "ok" and a["tls"] is not None and a["tls"]["verified"]
print("%d/%d" % (ok, n))' "$1"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }
runs() {	# label, command...: the median wall time of REPEAT runs
	label=$1; shift
	: >"$tmp/t.$label"
	: >"$tmp/s.$label"
	k=0
	while [ $k -lt "$REPEAT" ]; do
		t0=$(now)
		"$@" >"$tmp/out.$label" 2>/dev/null
		t1=$(now)
		awk "BEGIN { print $t1 - $t0 }" >>"$tmp/t.$label"
		case $label in full*) slowest_of "$tmp/out.$label" >>"$tmp/s.$label" ;; esac
		k=$((k + 1))
	done
	median <"$tmp/t.$label"
}
row() {	# label, full, floor, slowest
	python3 -c '
import sys
label, full, floor, slowest = sys.argv[1], *map(float, sys.argv[2:5])
print("  %-34s report %.3f s  floor %.3f s  slowest %.3f s  ratio %.2f" %
      (label, full, floor, slowest, full / (floor + slowest)))' "$@"
}
measure() {	# label, binary, dns arguments
	label=$1 bin=$2; shift 2
	# shellcheck disable=SC2086
	full=$(runs "full$label" "$bin" $domains $common "$@")
	# shellcheck disable=SC2086
	floor=$(runs "floor$label" "$bin" $domains $common --no-smtp "$@")
	slowest=$(median <"$tmp/s.full$label")
	echo "$full $floor $slowest $(probed_of "$tmp/out.full$label")"
}

cat >"$tmp/peer.py" <<'PY'
import smtplib, ssl, sys
port, ca, zone = int(sys.argv[1]), sys.argv[2], sys.argv[3]
hosts = [l.split()[2] for l in open(zone)
         if len(l.split()) == 3 and "-" in l.split()[0] and l.split()[1] == "A"]
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

echo "10 domains, 20 MX servers greeting after 300 ms; SPF include chains $SPF_DEPTH deep; goal: ratio <= 1.3"
# shellcheck disable=SC2086
set -- $(measure zone "$AUTHCHECK" $zone)
row "zone files (--zone)" "$1" "$2" "$3"
# shellcheck disable=SC2086
set -- $(measure live "$AUTHCHECK" $live)
row "live, +$DELAY_MS ms per query" "$1" "$2" "$3"
echo "    (dialogues ok with TLS verified: $4)"
lfull=$1
if [ -n "$BASELINE" ]; then
	# shellcheck disable=SC2086
	set -- $(measure bzone "$BASELINE" $zone)
	row "BASELINE zone files" "$1" "$2" "$3"
	# shellcheck disable=SC2086
	set -- $(measure blive "$BASELINE" $live)
	row "BASELINE live, +$DELAY_MS ms" "$1" "$2" "$3"
fi
python3 -c '
import sys
peer, full = map(float, sys.argv[1:3])
print("  sequential smtplib STARTTLS peer   %.3f s  (%.1fx authcheck'"'"'s whole live report)" % (peer, peer / full))' "$peer" "$lfull"
