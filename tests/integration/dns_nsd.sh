#!/bin/sh
# The built binary against NSD on a loopback port (live backend end to end):
# `authcheck spf` evaluates live.test over --resolver 127.0.0.1:PORT.
# Run from the top of the tree.  Prints "dns_nsd: N passed, M failed";
# exits non-zero on any failure.
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
. tests/lib/servers.sh
dir=$(srv_dir) || exit 1
trap 'srv_stop "$dir"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0

if ! port=$(srv_nsd "$dir" live.test=tests/zones/live.test.zone); then
	echo "dns_nsd: cannot start NSD"
	echo "dns_nsd: 0 passed, 1 failed"
	exit 1
fi
R="--resolver 127.0.0.1:$port"

# check NAME WANT_RC WANT_TEXT ARGS...: run authcheck, compare the exit
# status ("-": whatever the command's policy is, but not 2 or 3, the usage
# and DNS-failure codes) and look for WANT_TEXT in stdout+stderr; no
# sanitizer noise.
check() {
	_name=$1; _rc=$2; _want=$3; shift 3
	"$AUTHCHECK" "$@" >"$dir/out" 2>&1
	_got=$?
	if [ "$_rc" = - ] && { [ "$_got" -eq 2 ] || [ "$_got" -ge 3 ]; }; then
		echo "FAIL: $_name: exit status $_got"
	elif [ "$_rc" != - ] && [ "$_got" -ne "$_rc" ]; then
		echo "FAIL: $_name: exit status $_got, expected $_rc"
	elif ! grep -q -e "$_want" "$dir/out"; then
		echo "FAIL: $_name: no '$_want' in the output"
	elif grep -q -e 'runtime error' -e 'AddressSanitizer' "$dir/out"; then
		echo "FAIL: $_name: sanitizer report"
	else
		pass=$((pass + 1))
		return 0
	fi
	head -c 800 "$dir/out"; echo
	fail=$((fail + 1))
}

check ip4-pass - '"result":"pass"' spf live.test --ip 192.0.2.5 $R --format json
check include-pass - '"result":"pass",.*"lookups":1,.*"decided_by":{"domain":"live.test","term":"include:_spf.live.test"}' spf live.test --ip 198.51.100.7 $R --format json
check a-through-cname - '"result":"pass"' spf live.test --ip 203.0.113.9 $R --format json
check fail - '"result":"fail"' spf live.test --ip 203.0.113.1 $R --format json
check nxdomain-none - '"result":"none"' spf nope.live.test --ip 192.0.2.5 $R --format json
check text-output - '^pass: 192.0.2.5' spf live.test --ip 192.0.2.5 $R
# Nothing listens on port 1: ICMP refused, a DNS failure (exit status 3).
check dead-server 3 '"result":"temperror"' spf live.test --ip 192.0.2.5 \
    --resolver 127.0.0.1:1 --timeout 0.2 --retries 0 --format json
check bad-resolver 2 "bad --resolver 'ns.example'" spf live.test \
    --ip 192.0.2.5 --resolver ns.example
# The second server answers when the first refuses.
check rotation - '"result":"pass"' spf live.test --ip 192.0.2.5 \
    --resolver 127.0.0.1:1 $R --timeout 1 --retries 1 --format json

echo "dns_nsd: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
