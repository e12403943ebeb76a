#!/bin/sh
# --max-inflight and --qps of the live resolver against NSD on a loopback
# port: the rate cap holds (queries sent / wall time, wide tolerance: the
# machine is noisy), one query in flight gives the same report as the
# default window, a short descriptor limit caps the window with a message
# instead of failing, and bad values are usage errors.
# Run from the top of the tree.  Prints "dns_rate: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
. tests/lib/servers.sh
dir=$(srv_dir) || exit 1
trap 'srv_stop "$dir"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0

if ! port=$(srv_nsd "$dir" live.test=tests/zones/live.test.zone); then
	echo "dns_rate: cannot start NSD"
	echo "dns_rate: 0 passed, 1 failed"
	exit 1
fi
R="--resolver 127.0.0.1:$port"
printf 'live.test\nnx1.live.test\nnx2.live.test\nnx3.live.test\n' >"$dir/domains"

ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL: $1"
	[ -f "$dir/err" ] && head -c 800 "$dir/err"
	fail=$((fail + 1))
}
sanitizer() { grep -q -e 'runtime error' -e 'AddressSanitizer' "$@"; }
# same A B: the two reports hold the same fields and values.  Findings about
# answers that arrive together (two PTRs) are listed in arrival order, so
# the comparison is of the sorted pieces, not of the lines.
same() {
	tr ',' '\n' <"$1" | sort >"$1.sorted"
	tr ',' '\n' <"$2" | sort >"$2.sorted"
	cmp -s "$1.sorted" "$2.sorted"
}

# report NAME ARGS...: the JSON report of the four domains into $dir/NAME.json,
# --stats into $dir/err; sets t (wall seconds) and q (queries sent).
report() {
	_n=$1; shift
	_t0=$(date +%s.%N)
	"$AUTHCHECK" --domains "$dir/domains" --format json --no-https --stats \
	    $R "$@" >"$dir/$_n.json" 2>"$dir/err"
	_rc=$?
	_t1=$(date +%s.%N)
	t=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f", b - a }')
	q=$(sed -n 's/.* \([0-9][0-9]*\) queries sent.*/\1/p' "$dir/err")
	q=${q:-0}
	return $_rc
}

# The names outside live.test that a report asks about are REFUSED, so the
# report is incomplete (exit status 3) with every setting; only 2 is wrong.
report default
rc0=$?
if [ $rc0 -eq 2 ] || [ "$(wc -l <"$dir/default.json")" -ne 4 ] ||
    sanitizer "$dir/err"; then
	bad "default: exit status $rc0"
else
	ok
fi

# One query in flight: slower, same findings.
report one --max-inflight 1
if [ $? -ne $rc0 ] || sanitizer "$dir/err"; then
	bad "max-inflight-1: failed"
elif ! grep -q 'at most 1 in flight' "$dir/err"; then
	bad "max-inflight-1: more than one query in flight"
elif ! same "$dir/default.json" "$dir/one.json"; then
	bad "max-inflight-1: the report differs from the default's"
	diff "$dir/default.json" "$dir/one.json" | head -20
else
	ok
fi

# --qps 50: about q/50 seconds.  The bucket holds 50 ms worth (2.5
# questions), so q sent in t seconds obey q <= 50 t + 3; allow 30% more
# for clock and scheduling noise, and require enough queries to mean it.
report qps --qps 50
rc=$?
if [ $rc -ne $rc0 ] || sanitizer "$dir/err"; then
	bad "qps: exit status $rc"
elif [ "$q" -lt 60 ]; then
	bad "qps: only $q queries, too few to measure"
elif ! awk -v q="$q" -v t="$t" 'BEGIN { exit !(q <= (50 * t + 3) * 1.3) }'; then
	bad "qps: $q queries in $t s, over 50/s"
elif ! awk -v q="$q" -v t="$t" 'BEGIN { exit !(t < q / 50 * 3 + 5) }'; then
	bad "qps: $q queries took $t s, far slower than 50/s"
elif ! same "$dir/default.json" "$dir/qps.json"; then
	bad "qps: the report differs from the default's"
else
	echo "dns_rate: --qps 50: $q queries in $t s"
	ok
fi

# A descriptor limit of 300 leaves 150 for queries (half, when under twice
# the reserve): a message, not EMFILE.
(ulimit -n 300 && report lowfd --max-inflight 1024)
rc=$?
if [ $rc -ne $rc0 ] || sanitizer "$dir/err"; then
	bad "low-fd: exit status $rc"
elif ! grep -q 'at most 150 DNS queries in flight, not 1024' "$dir/err"; then
	bad "low-fd: no message about the descriptor limit"
elif ! same "$dir/default.json" "$dir/lowfd.json"; then
	bad "low-fd: the report differs from the default's"
else
	ok
fi

# usage NAME WANT ARGS...: exit status 2 and WANT on stderr.
usage() {
	_n=$1; _want=$2; shift 2
	"$AUTHCHECK" live.test $R "$@" >/dev/null 2>"$dir/err"
	_rc=$?
	if [ $_rc -ne 2 ]; then
		bad "$_n: exit status $_rc, expected 2"
	elif ! grep -q -e "$_want" "$dir/err"; then
		bad "$_n: no '$_want' on stderr"
	else
		ok
	fi
}
usage inflight-zero '--max-inflight must be a whole number' --max-inflight 0
usage inflight-big '--max-inflight must be a whole number' --max-inflight 65537
usage inflight-word '--max-inflight must be a whole number' --max-inflight many
usage inflight-none "needs a value" --max-inflight
usage qps-zero '--qps must be a number above 0' --qps 0
usage qps-negative '--qps must be a number above 0' --qps -5
usage qps-word '--qps must be a number above 0' --qps fast
usage qps-exp '--qps must be a number above 0' --qps 1e3

echo "dns_rate: $pass passed, $fail failed"
[ $fail -eq 0 ]
