#!/bin/sh
# `authcheck zone --live`: names outside the zone resolved through a real
# DNS server (NSD on a loopback port) instead of being counted as
# zone.outside-lookups.  The fixture's include leads to a provider with 10
# more lookups: offline that is an info finding (lower bound), live it is
# spf.lookup-limit.  A dead server gives dns.failure and exit 3.
# Run from the top of the tree.  Prints "zone_live: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
. tests/lib/servers.sh
dir=$(srv_dir) || exit 1
trap 'srv_stop "$dir"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
f=tests/zones/zonelint/zone.outside-lookups.zone

if ! port=$(srv_nsd "$dir" provider.example=tests/zones/zonelint/cases/live/provider.example.zone); then
	echo "zone_live: cannot start NSD"
	echo "zone_live: 0 passed, 1 failed"
	exit 1
fi

"$AUTHCHECK" zone "$f" >"$dir/out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "$f:7: info: .*\[zone.outside-lookups\]" "$dir/out" && ok ||
    ko "offline: exit $rc: $(cat "$dir/out")"

"$AUTHCHECK" zone --live --resolver "127.0.0.1:$port" "$f" >"$dir/out" 2>&1; rc=$?
[ $rc -eq 1 ] && ok || ko "live: exit $rc, want 1: $(cat "$dir/out")"
grep -q "$f:7: error: 11 DNS lookups.*\[spf.lookup-limit\]" "$dir/out" && ok ||
    ko "live: 11 lookups over the provider's tree: $(cat "$dir/out")"
grep -q '\[zone.outside-lookups\]' "$dir/out" && ko "live: still outside-lookups" || ok
grep -q -e 'runtime error' -e 'AddressSanitizer' "$dir/out" && ko "sanitizer report" || ok

"$AUTHCHECK" zone --live --resolver "127.0.0.1:$port" --format json "$f" | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
ids = [f["id"] for f in o["findings"]]
assert ids == ["spf.lookup-limit"], ids
assert o["findings"][0]["line"] == 7
' && ok || ko "live JSON"

# a DKIM selector that is a CNAME into the provider's zone: its key is
# checked live (here: revoked), not just said to be outside
k=tests/zones/zonelint/zone.cname-outside.zone
"$AUTHCHECK" zone --live --resolver "127.0.0.1:$port" "$k" >"$dir/out" 2>&1; rc=$?
grep -q "$k:10: warning: .*\[dkim.revoked\]" "$dir/out" && ok || ko "live: the key behind a DKIM CNAME: $(cat "$dir/out")"
grep -q '\[zone.cname-outside\]' "$dir/out" && ko "live: still cname-outside: $(cat "$dir/out")" || ok

# nothing listens there: the include cannot be resolved
dead=$(srv_port)
"$AUTHCHECK" zone --live --resolver "127.0.0.1:$dead" --timeout 0.2 --retries 0 "$f" >"$dir/out" 2>&1; rc=$?
[ $rc -eq 3 ] && grep -q '\[dns.failure\]' "$dir/out" && ok || ko "dead resolver: exit $rc: $(cat "$dir/out")"

"$AUTHCHECK" zone --resolver "127.0.0.1:$port" "$f" >/dev/null 2>&1
[ $? -eq 2 ] && ok || ko "--resolver without --live is a usage error"
"$AUTHCHECK" zone --live --zone tests/zones/zonelint/cases/provider.zone "$f" >/dev/null 2>&1
[ $? -eq 2 ] && ok || ko "--live with --zone is a usage error"

echo "zone_live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
