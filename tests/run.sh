#!/bin/sh
# Runs every test program and script; prints each one's output and a closing
# line "tests: N passed, M failed" summing the cases they report.
# Expects AUTHCHECK (sanitized binary), TESTBIN (test programs), FUZZBIN.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export AUTHCHECK TESTBIN FUZZBIN
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$(mktemp)
pass=0; fail=0; broken=""
count() {	# add the cases one component reported; $1 = name, $2 = exit code
	p=$(sed -n -e 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' \
	    -e 's/^\(.*: \)\{0,1\}\([0-9][0-9]*\) passed, [0-9][0-9]* failed.*/\2/p' "$log" | tail -n 1)
	f=$(sed -n -e 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' \
	    -e 's/^\(.*: \)\{0,1\}[0-9][0-9]* passed, \([0-9][0-9]*\) failed.*/\2/p' "$log" | tail -n 1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
	if [ "$2" -ne 0 ] || [ -z "$p" ]; then
		broken="$broken $1"
		[ "${f:-0}" -gt 0 ] || fail=$((fail + 1))
	fi
}
for t in "$TESTBIN"/test_*; do
	[ -x "$t" ] || continue
	echo "== $(basename "$t")"
	(cd "$top" && "$t") >"$log" 2>&1; rc=$?
	cat "$log"; count "$(basename "$t")" $rc
done
for s in "$top"/tests/integration/*.sh; do
	[ -f "$s" ] || continue
	echo "== $(basename "$s")"
	(cd "$top" && sh "$s") >"$log" 2>&1; rc=$?
	cat "$log"; count "$(basename "$s")" $rc
done
rm -f "$log"
[ -z "$broken" ] || echo "failing:$broken"
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ -z "$broken" ]
