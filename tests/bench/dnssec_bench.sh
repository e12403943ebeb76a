#!/bin/sh
# What DNSSEC validation costs a bulk run: `authcheck --domains FILE
# --format json --no-https --no-smtp --stats` on the bench world with
# validation on (the default: the system's root anchor) and with
# --no-dnssec, in the same run, every DNS query delayed DELAY_MS.
#
#   sh tests/bench/dnssec_bench.sh [NDOMAINS]     (from the repository top; root)
#
# The bench world's root is not the signed root, so the anchor's zone gives
# no key matching it: every answer is indeterminate and nothing is bogus
# (checked below), but every DS and DNSKEY question of the chains is still
# asked -- the cost a bulk run pays.  Prints the median wall time of REPEAT
# runs (default 3) of each and the --stats line of one.  Exit: 0 measured,
# 1 the world could not be set up or a report said dnssec.bogus, 2 usage.

N=${1:-200}
case $N in
'' | *[!0-9]* | 0)
	echo "usage: sh tests/bench/dnssec_bench.sh [NDOMAINS]" >&2
	exit 2 ;;
esac
NAME=dnssec_bench
NS=${NS:-acbench3}
REPEAT=${REPEAT:-3}
AUTHCHECK=${AUTHCHECK:-$(cd "$(dirname "$0")/../.." && pwd)/authcheck}
. "$(dirname "$0")/world.sh"

bench_check openssl
[ -x "$AUTHCHECK" ] || fail "$AUTHCHECK not built (make authcheck)"
[ -r /usr/share/dns/root.key ] || fail "no /usr/share/dns/root.key (dns-root-data)"
bench_tmp
bench_copy "$REPO/data"
bench_up
head -n "$N" "$W/domains.txt" >"$TMP/list"
echo "$NAME: $(wc -l <"$TMP/list") domains, ${DELAY_MS} ms per query, $REPEAT runs each"

# one ARGS...: one timed run inside the namespace; prints "ms" and keeps
# stdout/stderr in $TMP/out, $TMP/err.
one() {
	_t0=$(date +%s%N)
	AUTHCHECK_DATADIR=$TMP/data ip netns exec "$NS" "$AUTHCHECK" \
	    --domains "$TMP/list" --format json --no-https --no-smtp --stats \
	    "$@" >"$TMP/out" 2>"$TMP/err"
	_t1=$(date +%s%N)
	echo $(((_t1 - _t0) / 1000000))
}

median() { tr ' ' '\n' | sort -n | sed -n "$(((REPEAT + 1) / 2))p"; }

# Alternate the two (off first) so that a drift of the machine's load
# weighs on both alike.
on=; off=
i=0
while [ $i -lt "$REPEAT" ]; do
	off="$off $(one --no-dnssec)"
	cp "$TMP/err" "$TMP/err.off"
	on="$on $(one)"
	cp "$TMP/err" "$TMP/err.on"
	if grep -q 'dnssec.bogus' "$TMP/out"; then
		echo "$NAME: dnssec.bogus in a world without signatures" >&2
		exit 1
	fi
	i=$((i + 1))
done
for mode in off on; do
	eval "times=\$$mode"
	echo "dnssec $mode: median $(echo $times | median) ms (runs:$times)"
	grep -E 'questions|DNSSEC not validated' "$TMP/err.$mode" | sed 's/^/  /'
done
