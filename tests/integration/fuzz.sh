#!/bin/sh
# Runs every libFuzzer target in $FUZZBIN for a short while, each on a
# scratch copy of its seed corpus (tests/fuzz/corpus/<name>, if any), so
# the checked-in seeds never grow.  One case per fuzzer; prints
# "N passed, M failed" last and exits non-zero when a fuzzer crashed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-15}
if [ -z "${FUZZBIN:-}" ] || [ ! -d "$FUZZBIN" ]; then
	echo "fuzz.sh: FUZZBIN is not set to a directory (run: make fuzz)"
	echo "0 passed, 1 failed"
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
pass=0; fail=0; found=0
for f in "$FUZZBIN"/fuzz_*; do
	[ -x "$f" ] || continue
	found=$((found + 1))
	name=$(basename "$f")
	mkdir -p "$work/$name/corpus" "$work/$name/art"
	if [ -d "$top/tests/fuzz/corpus/$name" ]; then
		cp -R "$top/tests/fuzz/corpus/$name/." "$work/$name/corpus/"
	fi
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=0 -artifact_prefix="$work/$name/art/" \
	    "$work/$name/corpus" >"$work/$name/log" 2>&1; then
		echo "$name: ok ($(ls "$work/$name/corpus" | wc -l) inputs)"
		pass=$((pass + 1))
	else
		echo "$name: FAILED"
		tail -n 40 "$work/$name/log"
		for a in "$work/$name/art/"*; do
			[ -f "$a" ] || continue
			echo "$name: crashing input ($(basename "$a")):"
			od -c "$a" | head -n 10
		done
		fail=$((fail + 1))
	fi
done
if [ "$found" -eq 0 ]; then
	echo "fuzz.sh: no fuzz_* programs in $FUZZBIN"
	fail=1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
