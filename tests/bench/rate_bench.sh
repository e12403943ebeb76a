#!/bin/sh
# Throughput of one `authcheck --domains` run over a whole bench world:
# domains/s and queries/s at DELAY_MS through the delay proxy, then the
# same at no delay straight against NSD (the ceiling of this machine).
#
#   sh tests/bench/rate_bench.sh [NDOMAINS]     # from the repository top, as root; default 2000
#
# Environment: DELAY_MS (default 20), NS (namespace, default acbench3),
# AUTHCHECK (binary, default ./authcheck), BEFORE (a second binary to time
# in the same run, e.g. main's; optional), AUTHCHECK_ARGS (extra arguments),
# REPEAT (runs per binary and setting, default 3; each is printed).
# Exit 0 when measured, 1 when the world cannot be set up, 2 for usage.
set -u
N=${1:-2000}
DELAY_MS=${DELAY_MS:-20}
NS=${NS:-acbench3}
AUTHCHECK=${AUTHCHECK:-./authcheck}
BEFORE=${BEFORE:-}
REPEAT=${REPEAT:-3}
AUTHCHECK_ARGS=${AUTHCHECK_ARGS:-}
export NS DELAY_MS
[ "$(id -u)" = 0 ] || { echo "rate_bench: needs root (network namespace)" >&2; exit 2; }
[ -x "$AUTHCHECK" ] || { echo "rate_bench: no $AUTHCHECK (make authcheck)" >&2; exit 2; }
make -s bench-tools || exit 2
TMP=$(mktemp -d) || exit 2
trap 'sh tests/bench/ns_down.sh "$TMP/w" >/dev/null 2>&1; rm -rf "$TMP"' EXIT INT TERM
cp "$AUTHCHECK" "$TMP/after" && cp build/bench/delayproxy "$TMP/proxy" || exit 2
[ -z "$BEFORE" ] || cp "$BEFORE" "$TMP/before" || exit 2
cp -r data "$TMP/data" || exit 2
python3 tests/bench/gen_world.py "$TMP/w" "$N" >"$TMP/gen.log" 2>&1 ||
    { cat "$TMP/gen.log" >&2; exit 1; }
sh tests/bench/ns_up.sh "$TMP/w" "$TMP/proxy" || exit 1

# run LABEL BINARY ARGS...: REPEAT timed runs; prints wall, domains/s, queries/s.
run() {
	label=$1; bin=$2; shift 2
	i=0
	while [ $i -lt "$REPEAT" ]; do
		i=$((i + 1))
		t0=$(date +%s.%N)
		AUTHCHECK_DATADIR="$TMP/data" ip netns exec "$NS" "$bin" \
		    --domains "$TMP/w/domains.txt" --format json --no-https \
		    --stats $AUTHCHECK_ARGS "$@" >"$TMP/out.json" 2>"$TMP/err"
		rc=$?
		t1=$(date +%s.%N)
		q=$(sed -n 's/.* \([0-9][0-9]*\) queries.*/\1/p' "$TMP/err" | tail -1)
		inf=$(sed -n 's/.*at most \([0-9][0-9]*\) in flight.*/\1/p' "$TMP/err" | tail -1)
		lines=$(wc -l <"$TMP/out.json")
		awk -v l="$label" -v a="$t0" -v b="$t1" -v n="$lines" -v q="${q:-0}" \
		    -v f="${inf:-?}" -v rc=$rc 'BEGIN { w = b - a;
		    printf "%-28s wall %6.2f s  %7.1f domains/s  %8.0f queries/s  in flight max %s  rc %s\n",
		    l, w, n / w, q / w, f, rc }'
	done
}

echo "rate_bench: $N domains, $DELAY_MS ms per query through the proxy, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "$BEFORE" ] || run "before, ${DELAY_MS} ms" "$TMP/before" --resolver 127.0.0.1:53
run "after, ${DELAY_MS} ms" "$TMP/after" --resolver 127.0.0.1:53
[ -z "$BEFORE" ] || run "before, NSD direct" "$TMP/before" --resolver 127.0.0.1:5300
run "after, NSD direct" "$TMP/after" --resolver 127.0.0.1:5300
echo "rate_bench: load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
