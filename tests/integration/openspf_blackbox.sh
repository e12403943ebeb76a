#!/bin/sh
# openspf_blackbox.sh -- the openspf RFC 7208 suite through the built binary
# and a real DNS server: per section, ldns-testns serves the zonedata
# (tests/suite/blackbox.py writes its data file; see there for how TIMEOUT
# names are served) and every case runs
#   $AUTHCHECK spf --resolver 127.0.0.1:PORT --timeout 1 --retries 0
#       --format json --ip HOST --sender MAILFROM --helo HELO
# comparing "result" and "explanation" (null = the suite's DEFAULT).
# The servers come from tests/lib/servers.sh (loopback only, free ports).
#
# Env: AUTHCHECK (default ./authcheck), OPENSPF_RFC7208 (suite file),
# OPENSPF_JOBS (cases run at once, default 4), OPENSPF_ONLY=name.
# Last line: "openspf-blackbox: N passed, M failed"; exit 1 on any failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
AUTHCHECK=${AUTHCHECK:-$top/authcheck}
suite=${OPENSPF_RFC7208:-/usr/share/doc/python3-spf/rfc7208-tests.yml.gz}
jobs=${OPENSPF_JOBS:-4}
gen="$top/tests/suite/blackbox.py"

broken() {
	echo "openspf-blackbox: $*"
	echo "openspf-blackbox: 0 passed, 1 failed"
	exit 1
}

for tool in ldns-testns python3; do
	command -v "$tool" >/dev/null 2>&1 || broken "$tool not found"
done
[ -x "$AUTHCHECK" ] || broken "no binary at $AUTHCHECK"
[ -r "$suite" ] || broken "cannot read $suite"
. "$top/tests/lib/servers.sh"

dir=$(srv_dir) || broken "mktemp failed"
trap 'srv_stop "$dir"' EXIT
trap 'exit 1' HUP INT TERM PIPE
# Should this shell be killed outright, a watcher still stops the servers.
srv_watch "$dir" $$
mkdir "$dir/gen" || broken "mkdir failed"

ncases=$(python3 "$gen" gen "$suite" "$dir/gen") ||
    broken "cannot generate the server data"
# One server per section, all at once: the cases then run in one pool.
fail=0
pairs=""
for data in "$dir"/gen/*.data; do
	n=$(basename "$data" .data)
	if port=$(srv_testns "$dir" "$data") && [ -n "$port" ]; then
		pairs="$pairs $dir/gen/$n.cases=$port"
	else
		echo "FAIL section $n: ldns-testns did not start"
		fail=$((fail + $(wc -l <"$dir/gen/$n.cases")))
	fi
done
start=$(date +%s)
# $pairs holds only our own mktemp paths (no spaces) and ports.
# shellcheck disable=SC2086
python3 "$gen" run "$AUTHCHECK" "$jobs" $pairs >"$dir/run.out" 2>&1
re='^cases run: \([0-9]*\) passed, \([0-9]*\) failed$'
grep -v "$re" "$dir/run.out"
pass=$(sed -n "s/$re/\\1/p" "$dir/run.out")
f=$(sed -n "s/$re/\\2/p" "$dir/run.out")
if [ -z "$pass" ]; then
	echo "FAIL: the runner broke"
	pass=0
	f=$ncases
fi
fail=$((fail + f))
echo "openspf-blackbox: $ncases cases in $(($(date +%s) - start)) s"
echo "openspf-blackbox: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && { [ -n "${OPENSPF_ONLY:-}" ] || [ "$pass" -eq "$ncases" ]; }
