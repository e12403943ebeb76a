#!/bin/sh
# Zone-lint throughput: `authcheck zone` against `named-checkzone -i none`
# (BIND 9) on the same 1M-record zone, in the same run.
#
#   sh tests/bench/zone_bench.sh [NHOSTS]     # default 170000 hosts = ~1.02M RRs
#
# The zone comes from tests/bench/gen_bigzone.py into a mktemp -d directory
# removed at exit.  Each tool runs REPEAT times (default 3), alternating,
# under /usr/bin/time -v; the median wall and CPU times and the largest peak
# RSS are reported, then the ratios.  The goal (issue 5):
# authcheck at least 2x faster with peak memory no higher.  authcheck's exit
# status 1 is expected only if the zone has errors; the bench also checks
# that a syntax error planted in the middle of a copy is reported.
# Environment: AUTHCHECK (default ./authcheck), AUTHCHECK_ARGS, REPEAT.
# Exit 0 when measured (a measurement, not a test), 1 on set-up
# failure, 2 on a usage error.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-170000}
case $n in
'' | *[!0-9]* | 0)
	echo "usage: sh tests/bench/zone_bench.sh [NHOSTS]" >&2
	exit 2 ;;
esac
repeat=${REPEAT:-3}
bin=${AUTHCHECK:-$top/authcheck}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
for t in python3 openssl named-checkzone /usr/bin/time "$bin"; do
	command -v "$t" >/dev/null 2>&1 || { echo "zone_bench: $t not found" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
zone=$tmp/big.test.zone
python3 "$top/tests/bench/gen_bigzone.py" "$zone" "$n" ||
    { echo "zone_bench: gen_bigzone.py failed" >&2; exit 1; }
rrs=$(grep -c -v '^\$' "$zone")
echo "zone: $zone, $rrs records, $(wc -c <"$zone") bytes"

# run1 LABEL CMD...: one timed run, appended to $tmp/LABEL.times
run1() {
	label=$1; shift
	/usr/bin/time -v "$@" >"$tmp/$label.out" 2>"$tmp/$label.err"
	rc=$?
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/$label.err" |
	    awk -F: '{ s = 0; for (k = 1; k <= NF; k++) s = s * 60 + $k; print s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/$label.err")
	user=$(sed -n 's/.*User time (seconds): //p' "$tmp/$label.err")
	sys=$(sed -n 's/.*System time (seconds): //p' "$tmp/$label.err")
	echo "$wall $rss $rc $user $sys" >>"$tmp/$label.times"
	echo "  $label: ${wall}s wall (${user}s user, ${sys}s sys), ${rss} KB peak RSS, exit $rc"
}
# summarise LABEL: "LABEL median_wall max_rss median_cpu" into $tmp/summary
summarise() {
	med=$(sort -n "$tmp/$1.times" | awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }')
	max=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$tmp/$1.times")
	cpu=$(awk '{ print $4 + $5 }' "$tmp/$1.times" | sort -n | awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }')
	echo "$1 $med $max $cpu" >>"$tmp/summary"
}
: >"$tmp/summary"
: >"$tmp/authcheck.times"
: >"$tmp/named-checkzone.times"
# Alternate the tools so that a change in machine load hits both.
i=0
while [ "$i" -lt "$repeat" ]; do
	i=$((i + 1))
	echo "run $i:"
	# shellcheck disable=SC2086
	run1 authcheck "$bin" zone ${AUTHCHECK_ARGS:-} "$zone"
	run1 named-checkzone named-checkzone -i none big.test "$zone"
done
summarise authcheck
summarise named-checkzone
tail -n 1 "$tmp/authcheck.out" | sed 's/^/authcheck summary line: /'
tail -n 1 "$tmp/named-checkzone.out" | sed 's/^/named-checkzone: /'

# A syntax error in the middle of the big zone must still be found.
half=$((rrs / 2))
awk -v h="$half" 'NR == h { print "broken IN A 192.0.2.300" } { print }' "$zone" >"$tmp/broken.zone"
line=$(grep -n '^broken IN A 192.0.2.300' "$tmp/broken.zone" | cut -d: -f1)
if "$bin" zone "$tmp/broken.zone" | grep -q "broken.zone:$line: error: .*\[zone.syntax\]"; then
	echo "syntax error planted at line $line: reported"
else
	echo "syntax error planted at line $line: NOT reported"
fi

awk '
	{ t[$1] = $2; m[$1] = $3; c[$1] = $4 }
	END {
		printf "authcheck zone:          median %.2f s wall, %.2f s CPU, peak %d KB\n", t["authcheck"], c["authcheck"], m["authcheck"]
		printf "named-checkzone -i none: median %.2f s wall, %.2f s CPU, peak %d KB\n", t["named-checkzone"], c["named-checkzone"], m["named-checkzone"]
		printf "speed: authcheck is %.2fx faster in wall time, %.2fx in CPU time (goal >= 2); memory: %.2f of named-checkzone (goal <= 1)\n",
		    t["named-checkzone"] / t["authcheck"], c["named-checkzone"] / c["authcheck"], m["authcheck"] / m["named-checkzone"]
	}' "$tmp/summary"
