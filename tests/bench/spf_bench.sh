#!/bin/sh
# Speed benchmark: `authcheck spf --ip` against spfquery (libspf2) on the
# synthetic bench world, every DNS query delayed DELAY_MS (default 20 ms).
#
#   sh tests/bench/spf_bench.sh [NDOMAINS]        (from the repository top; root)
#
# Builds the world with tests/bench/gen_world.py into a mktemp directory, serves it
# with NSD behind the delay proxy (make bench-tools) in network namespace $NS
# (default acbench), runs tests/bench/spf_bench.py inside the namespace and
# always tears it down.
# Exit: 0 measured (ratios over target are reported, not failed); 1 the world could
# not be set up; 2 usage or missing prerequisites.  See tests/bench/README.md.

N=${1:-40}
case $N in
'' | *[!0-9]* | 0)
	echo "usage: sh tests/bench/spf_bench.sh [NDOMAINS]" >&2
	exit 2 ;;
esac

NAME=spf_bench
NS=${NS:-acbench}
AUTHCHECK=${AUTHCHECK-$(cd "$(dirname "$0")/../.." && pwd)/authcheck}
. "$(dirname "$0")/world.sh"

bench_check spfquery
if [ -n "$AUTHCHECK" ] && [ ! -x "$AUTHCHECK" ]; then
	echo "spf_bench: $AUTHCHECK not built (make authcheck); measuring spfquery only" >&2
	AUTHCHECK=
fi
bench_tmp
echo "spf_bench: $N domains, world in $TMP, namespace $NS, ${DELAY_MS} ms per query"
[ -z "$AUTHCHECK" ] || bench_copy
bench_up
bench_run spf_bench.py
