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

# run LABEL BINARY ARGS...: REPEAT timed runs; prints wall, domains/s,
# queries/s, and the time the process waited for a CPU (run queue, from
# /proc/PID/schedstat read before the child is reaped): on a shared
# machine that wait is other jobs' doing, so "excl. runq" (wall minus it)
# is what the tool itself took.  Rows also go to $TMP/rows for the summary.
run() {
	label=$1; bin=$2; shift 2
	i=0
	while [ $i -lt "$REPEAT" ]; do
		i=$((i + 1))
		AUTHCHECK_DATADIR="$TMP/data" python3 - "$label" "$TMP" ip netns \
		    exec "$NS" "$bin" --domains "$TMP/w/domains.txt" --format json \
		    --no-https --stats $AUTHCHECK_ARGS "$@" <<'PY'
import os, re, subprocess, sys, time
label, tmp, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
t0 = time.monotonic()
with open(tmp + "/out.json", "w") as o, open(tmp + "/err", "w") as e:
    p = subprocess.Popen(cmd, stdout=o, stderr=e)
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    w = time.monotonic() - t0
    try:
        cpu, runq = (int(x) / 1e9 for x in
                     open("/proc/%d/schedstat" % p.pid).read().split()[:2])
    except OSError:
        cpu, runq = 0.0, 0.0
    rc = p.wait()
err = open(tmp + "/err").read()
q = re.findall(r"(\d+) queries sent", err)
inf = re.findall(r"at most (\d+) in flight", err)
n = sum(1 for _ in open(tmp + "/out.json"))
q = int(q[-1]) if q else 0
print("%-24s wall %6.2f s  %6.1f domains/s  %7.0f queries/s  cpu %5.2f s  "
      "runq %5.2f s  excl. runq %6.1f domains/s  in flight max %s  rc %d"
      % (label, w, n / w, q / w, cpu, runq, n / (w - runq),
         inf[-1] if inf else "?", rc), flush=True)
with open(tmp + "/rows", "a") as f:
    f.write("%s\t%f\t%f\n" % (label, n / w, n / (w - runq)))
PY
	done
}

echo "rate_bench: $N domains, $DELAY_MS ms per query through the proxy, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
# Interleaved, so that a change in the machine's load hits every setting.
r=0
while [ $r -lt "$REPEAT" ]; do
	r=$((r + 1))
	[ -z "$BEFORE" ] || REPEAT=1 run "before, ${DELAY_MS} ms" "$TMP/before" --resolver 127.0.0.1:53
	REPEAT=1 run "after, ${DELAY_MS} ms" "$TMP/after" --resolver 127.0.0.1:53
	[ -z "$BEFORE" ] || REPEAT=1 run "before, NSD direct" "$TMP/before" --resolver 127.0.0.1:5300
	REPEAT=1 run "after, NSD direct" "$TMP/after" --resolver 127.0.0.1:5300
done
# Medians, and the rate at DELAY_MS as a share of the no-delay rate (the
# issue's goal: at least 90%).
python3 - "$TMP/rows" "$DELAY_MS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    l, r, x = line.rstrip("\n").split("\t")
    rows.setdefault(l, []).append((float(r), float(x)))
med = {l: (statistics.median(r for r, _ in v), statistics.median(x for _, x in v))
       for l, v in rows.items()}
for l, (r, x) in med.items():
    print("median %-24s %6.1f domains/s  excl. runq %6.1f" % (l, r, x))
for who in ("before", "after"):
    d, z = med.get("%s, %s ms" % (who, sys.argv[2])), med.get("%s, NSD direct" % who)
    if d and z:
        print("%s: %s ms / no delay = %.0f%% (excl. runq %.0f%%)"
              % (who, sys.argv[2], 100 * d[0] / z[0], 100 * d[1] / z[1]))
PY
echo "rate_bench: load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
