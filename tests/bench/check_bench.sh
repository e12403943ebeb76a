#!/bin/sh
# Speed benchmark of the domain report: `authcheck DOMAIN --format json --no-https`
# on the synthetic bench world, every DNS query delayed DELAY_MS (default 20 ms).
#
#   sh tests/bench/check_bench.sh [NDOMAINS]      (from the repository top; root)
#
# Builds the world with tests/bench/gen_world.py into a mktemp directory, serves it
# with NSD behind the delay proxy (make bench-tools) in network namespace $NS
# (default acbench2, so it never shares one with spf_bench.sh), runs
# tests/bench/check_bench.py inside the namespace and always tears it down.  The
# chain rule (the ideal wall time) is in check_bench.py's header.
# Exit: 0 measured (ratios over target are reported, not failed); 1 the world could
# not be set up; 2 usage or missing prerequisites.  See tests/bench/README.md.

N=${1:-40}
case $N in
'' | *[!0-9]* | 0)
	echo "usage: sh tests/bench/check_bench.sh [NDOMAINS]" >&2
	exit 2 ;;
esac

NAME=check_bench
NS=${NS:-acbench2}
AUTHCHECK=${AUTHCHECK:-$(cd "$(dirname "$0")/../.." && pwd)/authcheck}
. "$(dirname "$0")/world.sh"

bench_check openssl
[ -x "$AUTHCHECK" ] || fail "$AUTHCHECK not built (make authcheck)"
DATA=$(dirname "$AUTHCHECK")/data
[ -d "$DATA/providers" ] || DATA=$REPO/data
[ -d "$DATA/providers" ] || fail "no data/ (provider templates) next to $AUTHCHECK"
bench_tmp
echo "check_bench: $N domains, world in $TMP, namespace $NS, ${DELAY_MS} ms per query"
# The copy takes the data/ it reads along (provider templates, common DKIM
# selectors).
bench_copy "$DATA"
bench_up
bench_run check_bench.py
