#!/bin/sh
# Without libcurl (it is a Recommends of the package, loaded with dlopen()):
# the domain report still runs, says MTA-STS policy fetching was skipped
# and why (text, JSON, one line on stderr), and reports no finding for it.
# AUTHCHECK_LIBCURL names a library that does not exist.
# Prints "https_missing: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-nocurl.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

cat >"$tmp/sts.zone" <<'Z'
$ORIGIN sts.test.
$TTL 300
@	TXT	"v=spf1 -all"
@	MX	10 mail.sts.test.
mail	A	192.0.2.25
mta-sts	A	127.0.0.1
_mta-sts	TXT	"v=STSv1; id=20261127T000000"
_smtp._tls	TXT	"v=TLSRPTv1; rua=mailto:tlsrpt@sts.test"
Z
export AUTHCHECK_LIBCURL="$tmp/no-such-libcurl.so.4"

"$AUTHCHECK" sts.test --zone "$tmp/sts.zone" --no-color >"$tmp/out" 2>"$tmp/err"
rc=$?
"$AUTHCHECK" sts.test --zone "$tmp/sts.zone" --no-https >/dev/null 2>&1
want=$?
[ "$rc" -eq "$want" ] && ok ||
    ko "text: exit $rc, want $want as with --no-https (not incomplete, no finding)"
grep -q 'policy https://mta-sts.sts.test/.well-known/mta-sts.txt: not-checked (MTA-STS policy fetching skipped: cannot load libcurl: .*no-such-libcurl.so.4' "$tmp/out" &&
    ok || { ko "text: no 'fetching skipped' on the policy line"; cat "$tmp/out"; }
grep -q 'mta-sts.policy-unreachable' "$tmp/out" &&
    ko "text: the missing library blamed on the domain" || ok
[ "$(grep -c 'MTA-STS policy fetching skipped: cannot load libcurl' "$tmp/err")" -eq 1 ] &&
    ok || { ko "stderr: want one line saying fetching was skipped"; cat "$tmp/err"; }
grep -q -e 'runtime error' -e 'Sanitizer' "$tmp/err" && ko "sanitizer report" || ok

"$AUTHCHECK" sts.test --zone "$tmp/sts.zone" --format json >"$tmp/json" 2>/dev/null
python3 - "$tmp/json" <<'PY' && ok || ko "json: mta_sts.policy / policy_skipped"
import json, sys
o = json.loads(open(sys.argv[1]).readline())
m = o["mta_sts"]
assert m["policy"] == "not-checked", m
assert "cannot load libcurl" in m["policy_skipped"], m
assert not any(f["id"].startswith("mta-sts.") for f in o["findings"]), o["findings"]
PY
# With --no-https nothing was asked for: not-checked, no reason, no line.
"$AUTHCHECK" sts.test --zone "$tmp/sts.zone" --no-https --format json >"$tmp/json2" 2>"$tmp/err2"
python3 - "$tmp/json2" <<'PY' && ok || ko "json --no-https: policy_skipped must be null"
import json, sys
m = json.loads(open(sys.argv[1]).readline())["mta_sts"]
assert m["policy"] == "not-checked" and m["policy_skipped"] is None, m
PY
[ -s "$tmp/err2" ] && ko "--no-https: stderr not empty: $(cat "$tmp/err2")" || ok

echo "https_missing: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
