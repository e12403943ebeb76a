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
# --dkim-discovery: which names are tried besides -s.  s1 is also a
# common name (data/dkim-selectors.txt), so the default finds it without
# -s and recognises Microsoft 365 from its CNAME; "providers" and "none"
# try no name without -s.  With -s s1 "providers" adds the provider's
# selectors and "none" does not (the provider is still recognised and
# reported).  The report lists common names only where a key was found.
disc() {	# disc MODE EXPECT [ARGS...]: EXPECT is a Python expression
	mode=$1 expect=$2; shift 2
	out=$("$AUTHCHECK" example.com "$@" --dkim-discovery "$mode" \
	    --no-https --no-smtp --format json \
	    --zone "$z/example.com.zone" --zone "$z/contoso.onmicrosoft.com.zone")
	if printf '%s\n' "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
src = sorted((d["selector"], d["source"]) for d in o["dkim"])
assert '"$expect"', (src, o["providers"])
'; then pass=$((pass + 1)); else
		fail=$((fail + 1)); echo "FAIL: --dkim-discovery $mode $*: $out"
	fi
}
disc common 'src == [("s1", "common"), ("selector1", "provider"), ("selector2", "provider")]'
disc providers 'src == [] and o["providers"] == []'
disc none 'src == []'
disc providers 'src == [("s1", "user"), ("selector1", "provider"), ("selector2", "provider")]' -s s1
disc none 'src == [("s1", "user")] and o["providers"] == ["Microsoft 365 (Exchange Online)"]' -s s1
disc common 'src == [("s1", "user"), ("selector1", "provider"), ("selector2", "provider")]' -s s1
err=$("$AUTHCHECK" example.com --dkim-discovery some --zone "$z/example.com.zone" 2>&1)
rc=$?
if [ $rc -eq 2 ] && printf '%s' "$err" | grep -q "must be common, providers or none, not 'some'"; then
	pass=$((pass + 1)); else
	fail=$((fail + 1)); echo "FAIL: --dkim-discovery some: rc $rc: $err"
fi
echo "check_discovery: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
