#!/bin/sh
# Memory of a long --domains run: NLINES input lines (default 1,000,000,
# the most --domains reads), one in 100 a real domain and the rest names no
# zone holds (NXDOMAIN), answered by the zone backend (--zone) so that the
# run measures authcheck, not a server.  Reports the peak RSS (goal: at
# most 100 MB), the wall time and checks that every line was reported, in
# input order.  No root, no network.
#
#   sh tests/bench/mem_bench.sh [NLINES]        # from the repository top
#
# Environment: AUTHCHECK (binary, default ./authcheck), AUTHCHECK_ARGS,
# AUTHCHECK_DATADIR (default: the tree's data/).
# Exit 0 when measured and the output is complete and in order (even over
# the goal: this is a measurement), 1 when it is not, 2 for usage.
set -u
N=${1:-1000000}
AUTHCHECK=${AUTHCHECK:-./authcheck}
AUTHCHECK_ARGS=${AUTHCHECK_ARGS:-}
# The tree's provider templates and common DKIM selectors, as installed.
AUTHCHECK_DATADIR=${AUTHCHECK_DATADIR:-$(pwd)/data}
export AUTHCHECK_DATADIR
[ -x "$AUTHCHECK" ] || { echo "mem_bench: no $AUTHCHECK (make authcheck)" >&2; exit 2; }
TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM
cat >"$TMP/z.zone" <<'ZONE'
$ORIGIN example.test.
$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 192.0.2.53
@ MX 10 mx
mx A 192.0.2.25
@ TXT "v=spf1 mx -all"
_dmarc TXT "v=DMARC1; p=reject"
ZONE
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
    if (i % 100 == 0) print "example.test";
    else printf "d%07d.nx.test\n", i }' >"$TMP/domains"
echo "mem_bench: $N lines, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
# The peak RSS from the kernel's accounting of the finished child; the
# JSON goes straight to a file (streamed: the file grows during the run).
python3 - "$AUTHCHECK" "$TMP/domains" "$TMP/z.zone" "$TMP/out" $AUTHCHECK_ARGS <<'PY'
import resource, subprocess, sys, time
binary, names, zone, out = sys.argv[1:5]
t0 = time.monotonic()
with open(out, "w") as f:
    rc = subprocess.call([binary, "--domains", names, "--zone", zone,
                          "--format", "json", "--no-https", "--no-smtp"]
                         + sys.argv[5:], stdout=f)
w = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("mem_bench: exit %d, wall %.1f s (%.0f domains/s), peak RSS %.1f MB "
      "(goal <= 100 MB: %s)" % (rc, w, int(open(names).read().count("\n")) / w,
                                 rss / 1024, "met" if rss <= 100 * 1024 else "NOT met"))
PY
if awk 'NR == FNR { want[NR] = $0; n = NR; next }
    { split($0, a, "\""); if (a[4] != want[FNR]) { print "mem_bench: line " FNR ": " a[4] " where " want[FNR] " was expected"; bad = 1; exit } }
    END { if (!bad && FNR != n) { print "mem_bench: " FNR " reports for " n " lines"; bad = 1 } exit bad }' \
    "$TMP/domains" "$TMP/out"; then
	echo "mem_bench: every line reported, in input order"
else
	exit 1
fi
exit 0
