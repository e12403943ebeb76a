#!/bin/sh
# `authcheck record 'TEXT'`: one record value linted offline, its type told
# from the version tag or --type; zone-file quoting joined.  Asserts finding
# IDs, exit statuses and the JSON shape.  Prints "record_cli: N passed,
# M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-rec.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# rec WANT_RC WANT_TYPE "IDS" ARGS...: run with --format json; the exit
# status, the detected type and every ID in IDS (space-separated; "-" for
# none at all) must match.
rec() {
	want_rc=$1; want_type=$2; ids=$3; shift 3
	"$AUTHCHECK" record --format json "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if grep -q -e 'runtime error' -e 'Sanitizer' "$tmp/err"; then
		ko "$*: sanitizer report"; return
	fi
	[ "$rc" -eq "$want_rc" ] || { ko "$*: exit $rc, want $want_rc"; return; }
	if why=$(python3 - "$tmp/out" "$want_type" "$ids" <<'PY'

import json, sys
o = json.loads(open(sys.argv[1]).read())
want_type, ids = sys.argv[2], sys.argv[3].split()
got = [f["id"] for f in o["findings"]]
why = None
if o["type"] != want_type:
    why = "type %s, want %s" % (o["type"], want_type)
elif ids == ["-"] and got:
    why = "findings %s, want none" % got
else:
    for i in ids:
        if i != "-" and i not in got:
            why = "%s missing from %s" % (i, got)
for f in o["findings"]:
    if f["span"] is not None and f["span"][0] + f["span"][1] > len(o["record"].encode()):
        why = "span outside the record: %s" % f
if why:
    print(why)
    sys.exit(1)
PY
	); then ok; else ko "$*: $why"; fi
}

rec 0 spf - 'v=spf1 ip4:192.0.2.0/24 -all'
rec 1 spf "spf.pass-all spf.ptr" 'v=spf1 ptr +all'
rec 0 spf "spf.neutral-all spf.wide-network" 'v=spf1 ip4:10.0.0.0/7 ?all'
rec 1 spf "spf.syntax" 'v=spf1 ip4:192.0.2.300 -all'
rec 1 spf "spf.lookup-limit" 'v=spf1 a:a1.example a:a2.example a:a3.example a:a4.example a:a5.example a:a6.example a:a7.example a:a8.example a:a9.example a:a10.example a:a11.example -all'
rec 0 spf "spf.terms-after-all spf.redirect-with-all" 'v=spf1 -all mx redirect=x.example'
# zone-file quoting: two strings joined without a space break the term
rec 1 spf "spf.syntax" '"v=spf1 ip4:192.0.2.1" "-all"'
rec 0 spf - '"v=spf1 ip4:192.0.2.1 " "-all"'
rec 0 spf - '"v=spf1\032ip4:192.0.2.1\032-all"'
rec 1 dmarc "dmarc.invalid-value" 'v=DMARC1; p=rejected'
rec 0 dmarc "dmarc.policy-none dmarc.rua-missing" 'v=DMARC1; p=none'
rec 0 dmarc "dmarc.deprecated-tag" 'v=DMARC1; p=reject; pct=50; rua=mailto:d@example.test'
rec 1 dkim "dkim.invalid-key" 'k=rsa; p=AAAA'
rec 0 dkim "dkim.revoked" 'v=DKIM1; p='
rec 1 mta-sts "mta-sts.syntax" 'v=STSv1; id=bad-id!'
rec 1 tls-rpt "tlsrpt.syntax" 'v=TLSRPTv1; rua=tlsrpt@example.test'
rec 1 bimi "bimi.logo-not-https" 'v=BIMI1; l=http://example.test/l.svg'
rec 0 bimi - 'v=BIMI1; l=; a=;'
rec 1 dmarc "dmarc.syntax" --type dmarc 'p=reject'

# Fixes computed for the record at hand: the corrected record.
fixes() {	# $1 = TEXT, $2 = ID, $3 = the fix must contain this
	"$AUTHCHECK" record --format json "$1" >"$tmp/out" 2>/dev/null
	if python3 - "$tmp/out" "$2" "$3" <<'PY'
import json, sys
o = json.loads(open(sys.argv[1]).read())
f = [f for f in o["findings"] if f["id"] == sys.argv[2]]
sys.exit(0 if f and sys.argv[3] in f[0]["fix"] else 1)
PY
	then ok; else ko "$2: fix lacks '$3': $(cat "$tmp/out")"; fi
}
fixes 'v=spf1 mx +all' spf.pass-all 'publish: v=spf1 mx ~all'
fixes 'v=spf1 -all mx' spf.terms-after-all 'publish: v=spf1 mx -all'
fixes 'v=spf1 mx' spf.no-all 'publish: v=spf1 mx ~all'
fixes 'v=spf1 mx -all redirect=x.example' spf.redirect-with-all 'publish: v=spf1 mx -all'
fixes 'v=DMARC1; p=none; rua=mailto:d@example.test' dmarc.policy-none 'publish: v=DMARC1; p=quarantine; rua=mailto:d@example.test'

# Usage errors: exit 2, a message, no output.
usage() {
	"$AUTHCHECK" record "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ -s "$tmp/err" ] && [ ! -s "$tmp/out" ]; then ok
	else ko "record $*: exit $rc, want 2 with a message"; fi
}
usage 'hello world'
usage --type nonsense 'v=spf1 -all'
usage
usage 'v=spf1 -all' extra
usage '"v=spf1 -all'
usage '"v=spf1" x "-all"'
usage "$(python3 -c 'print("v=spf1 " + "a" * 70000)')"

# Text output shows DNS bytes safely (a control byte is escaped).
"$AUTHCHECK" record --no-color "$(printf 'v=spf1 a:\033x.example -all')" >"$tmp/out" 2>&1
if grep -q "$(printf '\033')" "$tmp/out"; then ko "raw ESC in text output"; else ok; fi

echo "record_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
