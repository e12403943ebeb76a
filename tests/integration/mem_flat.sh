#!/bin/sh
# Memory of a --domains run is flat in the number of domains: the
# resolver forgets its answers every few batches and the names are
# packed, so 20,000 lines (most NXDOMAIN, from the zone backend) take
# about the memory of 2,000.  The reports stream out in input order.  The
# release binary is measured (a sanitizer's quarantine keeps freed
# memory on purpose); the million-line run is tests/bench/mem_bench.sh.
# Run from the top of the tree.  Prints "mem_flat: N passed, M failed".
set -u
BIN=${AUTHCHECK_REL:-./authcheck}
AUTHCHECK_DATADIR=${AUTHCHECK_DATADIR:-$(pwd)/data}
export AUTHCHECK_DATADIR
pass=0; fail=0
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM
if [ ! -x "$BIN" ]; then
	echo "mem_flat: no $BIN (make authcheck)"
	echo "mem_flat: 0 passed, 1 failed"
	exit 1
fi
cat >"$dir/z.zone" <<'ZONE'
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
# Every 100th line the real domain, the rest names no zone holds.
for n in 2000 20000; do
	awk -v n=$n 'BEGIN { for (i = 0; i < n; i++)
	    if (i % 100 == 0) print "example.test";
	    else printf "d%07d.nx.test\n", i }' >"$dir/d$n"
done
# measure N: the run's peak RSS in KiB on stdout, its JSON in $dir/o$N.
measure() {
	python3 - "$BIN" "$dir/d$1" "$dir/z.zone" "$dir/o$1" <<'PY'
import resource, subprocess, sys
binary, names, zone, out = sys.argv[1:]
with open(out, "w") as f:
    rc = subprocess.call([binary, "--domains", names, "--zone", zone,
                          "--format", "json", "--no-https", "--no-smtp"],
                         stdout=f, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)
PY
}
set -- $(measure 2000); small=$1 rc_small=$2
set -- $(measure 20000); big=$1 rc_big=$2
echo "mem_flat: peak RSS $small KiB for 2000 lines, $big KiB for 20000"
# rc 1: the NXDOMAIN names have error findings; 2 or more: a failure.
if [ "$rc_small" = 1 ] && [ "$rc_big" = 1 ] &&
    [ "$big" -le $((small + 8192)) ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: RSS not flat (or exit status $rc_small/$rc_big): $small KiB for 2000 lines, $big KiB for 20000"
fi
# Every line reported, in input order, the real domain judged on its
# records (an NXDOMAIN name has no SPF record to count).
if python3 - "$dir/d20000" "$dir/o20000" <<'PY'
import json, sys
names = [l.strip() for l in open(sys.argv[1])]
rows = [json.loads(l) for l in open(sys.argv[2])]
assert [r["domain"] for r in rows] == names, "order"
real = [r for r in rows if r["domain"] == "example.test"]
assert len(real) == 200 and all(r["spf"]["record"] == "v=spf1 mx -all"
                                and r["dmarc"]["policy"]["p"] == "reject"
                                for r in real), real[0]
nx = [r for r in rows if r["domain"] != "example.test"]
assert all(r["spf"]["record"] is None for r in nx)
assert len({json.dumps(r["findings"]) for r in real}) == 1, "same report"
PY
then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: 20000 reports not all there, in order and alike"
fi
echo "mem_flat: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
