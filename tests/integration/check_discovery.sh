#!/bin/sh
# Provider discovery in the domain report: a provider recognised from the
# CNAME target of a DKIM selector (here Microsoft 365's onmicrosoft.com)
# adds its selectors, asked in one more round.  Offline (--zone).
# Prints "check_discovery: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
z=tests/zones/discovery
pass=0; fail=0
out=$("$AUTHCHECK" example.com -s s1 --no-https --format json \
    --zone "$z/example.com.zone" --zone "$z/contoso.onmicrosoft.com.zone")
if printf '%s\n' "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
assert o["providers"] == ["Microsoft 365 (Exchange Online)"], o["providers"]
sel = {d["selector"]: (d["source"], d["found"]) for d in o["dkim"]}
assert sel["s1"] == ("user", True), sel
assert sel["selector1"] == ("provider", False), sel
assert sel["selector2"] == ("provider", False), sel
ids = sorted(f["id"] for f in o["findings"] if f["id"].startswith("dkim."))
assert ids == ["dkim.missing", "dkim.missing", "dkim.revoked"], ids
'; then pass=$((pass + 1)); else
	fail=$((fail + 1)); echo "FAIL: provider from a DKIM CNAME target: $out"
fi
echo "check_discovery: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
