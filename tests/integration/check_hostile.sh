#!/bin/sh
# The domain report against hostile DNS on loopback (world made by
# tests/lib/hostile_world.py): NSD serves an include chain 100 deep, an
# include loop and a 62 KiB TXT RRset only complete over TCP; ldns-testns
# serves a domain whose include branch stalls past the timeout.  Each run must end in bounded time and
# memory, without a sanitizer report, with the right findings and exit
# status.  Prints "check_hostile: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
. tests/lib/servers.sh
top=$(pwd)
dir=$(srv_dir) || exit 1
trap 'srv_stop "$dir"' EXIT
trap 'exit 1' INT TERM

python3 tests/lib/hostile_world.py "$dir" || exit 1
if ! port=$(srv_nsd "$dir" .="$dir/hostile.zone") ||
    ! sport=$(srv_testns "$dir" "$dir/slow.rpl" 3); then
	echo "check_hostile: cannot start NSD or ldns-testns"
	echo "check_hostile: 0 passed, 1 failed"
	exit 1
fi

# One python3 runs every case (its start-up is slow on a busy machine):
# wall time and the child's peak RSS come from the process itself.
AUTHCHECK=$AUTHCHECK PORT=$port SPORT=$sport python3 - <<'PY'
import json, os, resource, subprocess, sys, time

bin_ = os.environ["AUTHCHECK"]
passed = failed = 0

def run(domain, port):
    t0 = time.monotonic()
    p = subprocess.run([bin_, domain, "--resolver", "127.0.0.1:" + port,
                        "--timeout", "1", "--retries", "0", "--no-https",
                        "--format", "json"],
                       capture_output=True, text=True, timeout=60)
    return p, time.monotonic() - t0

def check(name, cond, why):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s: %s" % (name, why))

# RSS limit: generous for the sanitizer build, far below "unbounded".
RSS_MB = 400
cases = [
    # domain, IDs that must be there, exit status, time limit (s)
    ("chain.test", ["spf.lookup-limit"], 1, 10),
    ("loop.test", ["spf.include-loop"], 1, 10),
    ("big.test", ["spf.record-too-long"], 1, 10),
    ("slow.test", ["dns.failure"], 3, 10),
]
for dom, ids, want_rc, tmax in cases:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p, wall = run(dom, os.environ["SPORT" if dom == "slow.test" else "PORT"])
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    noise = [l for l in p.stderr.splitlines()
             if "runtime error" in l or "Sanitizer" in l]
    check(dom, not noise, "sanitizer: %s" % noise[:3])
    check(dom, p.returncode == want_rc,
          "exit %d, want %d; stderr %.300s" % (p.returncode, want_rc, p.stderr))
    check(dom, wall < tmax, "took %.1f s (limit %d)" % (wall, tmax))
    check(dom, rss < RSS_MB * 1024, "peak RSS %d MiB" % (rss // 1024))
    try:
        o = json.loads(p.stdout)
    except ValueError:
        check(dom, False, "not JSON: %.200s" % p.stdout)
        continue
    got = [f["id"] for f in o["findings"]]
    for i in ids:
        check(dom, i in got, "%s missing; got %s" % (i, got))
    if dom == "slow.test":
        # The stalled branch is incomplete, the fast one still counted.
        check(dom, o["incomplete"] and o["spf"]["incomplete"],
              "not marked incomplete")
        check(dom, o["spf"]["lookups"] >= 2, "lookups %d" % o["spf"]["lookups"])
        check(dom, o["verdict"] in ("incomplete", "fail"), o["verdict"])
    if dom == "chain.test":
        check(dom, o["spf"]["truncated"], "a 100-deep chain must be cut")
    if dom == "big.test":
        kids = o["spf"]["tree"]["kids"]
        check(dom, kids and kids[0]["status"] == "ok",
              "huge.big.test record not read over TCP: %s" % kids)
print("check_hostile: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
