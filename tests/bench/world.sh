# world.sh -- what spf_bench.sh and check_bench.sh share, sourced by both:
# checks, the bench world (gen_world.py) in a mktemp directory, served in
# network namespace $NS behind the delay proxy (ns_up.sh, delayproxy.c), a
# private copy of the binary, the harness run inside the namespace, and the
# teardown (ns_down.sh).  The caller sets NAME (for messages), N, NS,
# AUTHCHECK.

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DELAY_MS=${DELAY_MS:-20}
export NS DELAY_MS

fail() {
	echo "$NAME: $*" >&2
	exit 2
}

# bench_check TOOL...: root, the tools, the delay proxy built, a free namespace.
bench_check() {
	[ "$(id -u)" = 0 ] || fail "needs root (network namespace, NSD on port 53)"
	for tool in ip nsd python3 openssl make "$@"; do
		command -v "$tool" >/dev/null 2>&1 || fail "$tool not found"
	done
	# Up to date with tests/bench/delayproxy.c (a no-op when it is).
	make -C "$REPO" -s bench-tools >/dev/null || fail "make bench-tools failed"
	# Never touch a namespace we did not create (another bench run may
	# own it); ns_up.sh refuses one too, this says why earlier.
	if ip netns list | grep -q -E "^$NS( |\$)"; then
		echo "$NAME: network namespace $NS exists (another bench running?" \
		    "if stale: ip netns del $NS)" >&2
		exit 1
	fi
}

# shellcheck disable=SC2317 # called from the trap
bench_cleanup() {
	sh "$HERE/ns_down.sh" "$W" >/dev/null 2>&1
	rm -rf "$TMP"
}

# bench_tmp: the scratch directory, removed (world torn down) at exit.
bench_tmp() {
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX") || exit 1
	W=$TMP/world
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

# bench_copy [DATA]: measure a private copy of $AUTHCHECK (and of the data/
# it reads, when given): a rebuild of ./authcheck during the run must not
# change (or briefly remove) what is under test.  Sets AUTHCHECK to it.
bench_copy() {
	if ! { cp "$AUTHCHECK" "$TMP/authcheck" &&
	    { [ -z "${1:-}" ] || cp -R "$1" "$TMP/data"; } &&
	    "$TMP/authcheck" --help >/dev/null 2>&1; }; then
		echo "$NAME: $AUTHCHECK does not run" >&2
		exit 1
	fi
	echo "$NAME: measuring a copy of $AUTHCHECK ($(date -r "$AUTHCHECK" '+%F %T'))"
	AUTHCHECK=$TMP/authcheck
}

# bench_up: build the world of $N domains and serve it, through a copy of
# the delay proxy (a rebuild during the run must not replace it either).
bench_up() {
	python3 "$HERE/gen_world.py" "$W" "$N" >"$TMP/world.log" 2>&1 || {
		cat "$TMP/world.log" >&2
		echo "$NAME: gen_world.py failed" >&2
		exit 1
	}
	cp "$REPO/build/bench/delayproxy" "$TMP/delayproxy" || exit 1
	sh "$HERE/ns_up.sh" "$W" "$TMP/delayproxy" >"$TMP/up.log" 2>&1 || {
		cat "$TMP/up.log" >&2
		echo "$NAME: ns_up.sh failed" >&2
		exit 1
	}
}

# bench_run HARNESS.py: run it inside the namespace and exit with its verdict.
# ip netns exec bind-mounts /etc/netns/$NS/resolv.conf over /etc/resolv.conf
# for the harness and the tools; timing inside excludes the netns set-up.  In
# the background so that a signal to this script is acted on now (sh runs
# traps only between commands) and stops the harness before the world goes.
bench_run() {
	AUTHCHECK=$AUTHCHECK ip netns exec "$NS" python3 "$HERE/$1" "$W" "$N" &
	child=$!
	trap 'kill $child 2>/dev/null; exit 130' INT TERM HUP
	wait $child
	rc=$?
	case $rc in
	0) exit 0 ;;
	3) echo "$NAME: the world did not come up" >&2; exit 1 ;;
	*) echo "$NAME: harness failed ($rc)" >&2; exit 1 ;;
	esac
}
