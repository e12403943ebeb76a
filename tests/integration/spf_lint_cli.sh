#!/bin/sh
# `authcheck spf DOMAIN` (no --ip): the SPF tree lint through the binary,
# offline with --zone fixtures.  Asserts exit statuses, finding IDs and the
# whole-tree lookup count in JSON.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${AUTHCHECK:-$top/authcheck}
z=$top/tests/zones/lint/spf
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# exit 1 means some error finding: it must be the lookup limit
out=$("$bin" spf example.test --zone "$z/spf.lookup-limit.zone" --no-color 2>&1)
rc=$?
case $rc:$out in 1:*"error spf.lookup-limit "*) ok ;; *) ko "lookup-limit fixture should exit 1 with spf.lookup-limit: exit $rc: $out" ;; esac
out=$("$bin" spf example.test --zone "$z/spf.lookup-limit.zone" --format json)
echo "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
assert o["domain"] == "example.test", o
assert o["spf"]["lookups"] == 12, o["spf"]["lookups"]
assert o["spf"]["tree"]["subtree_cost"] == 12
ids = [f["id"] for f in o["findings"]]
assert "spf.lookup-limit" in ids, ids
' && ok || ko "lookup-limit JSON: lookups 12 and spf.lookup-limit"
text=$("$bin" spf example.test --zone "$z/spf.lookup-limit.zone" --no-color)
case $text in *"total 12 lookups"*spf.lookup-limit*) ok ;; *) ko "text tree and finding: $text" ;; esac

"$bin" spf example.test --zone "$z/clean.zone" >/dev/null 2>&1
[ $? -eq 0 ] && ok || ko "clean fixture should exit 0"
n=$("$bin" spf example.test --zone "$z/clean.zone" --format json | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
print(sum(1 for f in o["findings"] if f["severity"] in ("error", "warning")))')
[ "$n" = 0 ] && ok || ko "clean fixture has $n errors/warnings"

"$bin" spf --zone "$z/clean.zone" >/dev/null 2>&1
[ $? -eq 2 ] && ok || ko "no DOMAIN and no --ip is a usage error"
"$bin" spf example.test --sender a@example.test --zone "$z/clean.zone" >/dev/null 2>&1
[ $? -eq 2 ] && ok || ko "--sender without --ip is a usage error"

echo "spf_lint_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
