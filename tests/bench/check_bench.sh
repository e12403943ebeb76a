#!/bin/sh
# Speed benchmark of the domain report: `authcheck DOMAIN --format json --no-https`
# on the synthetic bench world, every DNS query delayed DELAY_MS (default 20 ms).
#
#   sh tests/bench/check_bench.sh [NDOMAINS]      (from the repository top; root)
#
# Builds the world with the shared bench scripts (../shared/bench, or $SHARED/bench)
# into a mktemp directory, serves it in network namespace $NS (default acbench2, so
# it never shares one with spf_bench.sh), runs tests/bench/check_bench.py inside the
# namespace and always tears it down.  The chain rule (the ideal wall time) is in
# check_bench.py's header.
# Exit: 0 measured (ratios over target are reported, not failed); 1 the world could
# not be set up; 2 usage or missing prerequisites.  See tests/bench/README.md.

N=${1:-40}
case $N in
'' | *[!0-9]* | 0)
	echo "usage: sh tests/bench/check_bench.sh [NDOMAINS]" >&2
	exit 2 ;;
esac

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED:-$(dirname "$REPO")/shared}
BENCH=$SHARED/bench
NS=${NS:-acbench2}
DELAY_MS=${DELAY_MS:-20}
AUTHCHECK=${AUTHCHECK:-$REPO/authcheck}
export NS DELAY_MS

fail() {
	echo "check_bench: $*" >&2
	exit 2
}

[ "$(id -u)" = 0 ] || fail "needs root (network namespace, NSD on port 53)"
for tool in ip nsd python3 bash openssl; do
	command -v $tool >/dev/null 2>&1 || fail "$tool not found"
done
for f in world.py up.sh down.sh delayproxy.py; do
	[ -r "$BENCH/$f" ] || fail "$BENCH/$f not found (set SHARED=/path/to/shared)"
done
[ -x "$AUTHCHECK" ] || fail "$AUTHCHECK not built (make authcheck)"
DATA=$(dirname "$AUTHCHECK")/data
[ -d "$DATA/providers" ] || DATA=$REPO/data
[ -d "$DATA/providers" ] || fail "no data/ (provider templates) next to $AUTHCHECK"
# up.sh reuses an existing namespace and down.sh deletes it: never touch
# one we did not create (another bench run may own it).
if ip netns list | grep -q -E "^$NS( |\$)"; then
	echo "check_bench: network namespace $NS exists (another bench running?" \
	    "if stale: ip netns del $NS)" >&2
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/check_bench.XXXXXX") || exit 1
W=$TMP/world
# shellcheck disable=SC2317 # called from the trap
cleanup() {
	bash "$BENCH/down.sh" "$W" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "check_bench: $N domains, world in $TMP, namespace $NS, ${DELAY_MS} ms per query"
# Measure a private copy, with the data/ it reads next to it (provider
# templates, common DKIM selectors): a rebuild of ./authcheck during the run
# must not change (or briefly remove) what is under test.
if ! { cp "$AUTHCHECK" "$TMP/authcheck" && cp -R "$DATA" "$TMP/data" &&
    "$TMP/authcheck" --help >/dev/null 2>&1; }; then
	echo "check_bench: $AUTHCHECK does not run" >&2
	exit 1
fi
echo "check_bench: measuring a copy of $AUTHCHECK ($(date -r "$AUTHCHECK" '+%F %T'))"
AUTHCHECK=$TMP/authcheck
python3 "$BENCH/world.py" "$W" "$N" >"$TMP/world.log" 2>&1 || {
	cat "$TMP/world.log" >&2
	echo "check_bench: world.py failed" >&2
	exit 1
}
bash "$BENCH/up.sh" "$W" >"$TMP/up.log" 2>&1 || {
	cat "$TMP/up.log" >&2
	echo "check_bench: up.sh failed" >&2
	exit 1
}

# ip netns exec bind-mounts /etc/netns/$NS/resolv.conf over /etc/resolv.conf for
# the harness and authcheck; timing inside excludes the netns setup cost.  In the
# background so that a signal to this script is acted on now (sh runs traps only
# between commands) and stops the harness before the world goes away.
AUTHCHECK=$AUTHCHECK ip netns exec "$NS" python3 "$HERE/check_bench.py" "$W" "$N" &
child=$!
trap 'kill $child 2>/dev/null; exit 130' INT TERM HUP
wait $child
rc=$?
case $rc in
0) exit 0 ;;
3) echo "check_bench: the world did not come up" >&2; exit 1 ;;
*) echo "check_bench: harness failed ($rc)" >&2; exit 1 ;;
esac
