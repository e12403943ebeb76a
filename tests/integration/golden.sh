#!/bin/sh
# Golden text output: the demo (data/demo/run.sh -- the full report of
# example.test and shop.test, then SPF evaluations) must print exactly
# tests/golden/demo.txt.  The DKIM key the demo makes is fresh each run but
# its text never appears (only its type and size), so the output is stable.
# After an intended change of the text output, review the diff and refresh:
#   sh data/demo/run.sh ./authcheck --no-color >tests/golden/demo.txt
# Prints "golden: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-golden.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0; fail=0
NO_COLOR= sh data/demo/run.sh "$AUTHCHECK" --no-color >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then pass=$((pass + 1)); else
	fail=$((fail + 1)); echo "FAIL: the demo exited $rc"
fi
if diff -u tests/golden/demo.txt "$tmp/out" >"$tmp/diff"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: text output differs from tests/golden/demo.txt:"
	head -60 "$tmp/diff"
fi
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
