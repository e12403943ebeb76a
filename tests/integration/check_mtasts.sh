#!/bin/sh
# MTA-STS end to end through the domain report: the policy is fetched over
# real HTTPS from tests/lib/https_server.py on 127.0.0.1 (a CA made now with
# openssl, trusted with --ca-file; the port given by AUTHCHECK_HTTPS_PORT),
# the records come from a zone file (--zone).  Each domain must yield its
# MTA-STS finding, and only it.  Prints "check_mtasts: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-sts.XXXXXX") || exit 1
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

python3 tests/lib/https_server.py $$ >"$tmp/srv.out" 2>"$tmp/srv.err" &
srv=$!
n=0
while [ ! -s "$tmp/srv.out" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
read -r port ca <"$tmp/srv.out" || { ko "HTTPS server did not start: $(cat "$tmp/srv.err")"; port=; }

# One zone per policy name of https_server.py: MTA-STS and TLS-RPT records,
# MX mail.NAME.test, mta-sts.NAME.test on 127.0.0.1.
zone() {	# $1 = name, $2 = MX host
	cat <<Z
\$ORIGIN $1.test.
\$TTL 300
@	TXT	"v=spf1 -all"
@	MX	10 $2.
$2.	A	192.0.2.25
mta-sts	A	127.0.0.1
_mta-sts	TXT	"v=STSv1; id=20261127T000000"
_smtp._tls	TXT	"v=TLSRPTv1; rua=mailto:tlsrpt@$1.test"
Z
}
# name, MX host, expected MTA-STS ID or "none"
cases="good:mail.good.test:none
uncovered:mail.uncovered.test:mta-sts.mx-not-covered
testing:mail.testing.test:mta-sts.testing
invalid:mail.invalid.test:mta-sts.policy-invalid
ctype:mail.ctype.test:mta-sts.policy-unreachable
redirect:mail.redirect.test:mta-sts.policy-unreachable
notfound:mail.notfound.test:mta-sts.policy-unreachable
big:mail.big.test:mta-sts.policy-unreachable"
if [ -n "$port" ]; then
	for c in $cases; do
		name=${c%%:*}; rest=${c#*:}; mx=${rest%%:*}; want=${rest#*:}
		zone "$name" "$mx" >"$tmp/$name.zone"
		AUTHCHECK_HTTPS_PORT=$port "$AUTHCHECK" "$name.test" \
		    --zone "$tmp/$name.zone" --ca-file "$ca" --timeout 1 \
		    --format json >"$tmp/$name.json" 2>"$tmp/$name.err"
		echo "$name $want $tmp/$name.json" >>"$tmp/list"
		if grep -q -e 'runtime error' -e 'Sanitizer' "$tmp/$name.err"; then
			ko "$name: sanitizer report"
		fi
	done
	# Without --ca-file the test CA is not trusted: unreachable.
	AUTHCHECK_HTTPS_PORT=$port "$AUTHCHECK" good.test --zone "$tmp/good.zone" \
	    --timeout 1 --format json >"$tmp/untrusted.json" 2>/dev/null
	echo "untrusted mta-sts.policy-unreachable $tmp/untrusted.json" >>"$tmp/list"
	# --no-https: the record is checked, the policy is not fetched.
	"$AUTHCHECK" uncovered.test --zone "$tmp/uncovered.zone" --no-https \
	    --format json >"$tmp/nohttps.json" 2>/dev/null
	echo "nohttps none $tmp/nohttps.json" >>"$tmp/list"
	python3 - "$tmp/list" >"$tmp/judged" <<'PY'
import json, sys
passed = failed = 0
for line in open(sys.argv[1]):
    name, want, path = line.split()
    try:
        o = json.loads(open(path).read())
        ids = [f["id"] for f in o["findings"] if f["id"].startswith("mta-sts.")]
        sts = o["mta_sts"]
        if want == "none":
            assert ids == [], ids
            if name == "good":
                assert sts["policy"] == "ok" and sts["mode"] == "enforce", sts
                assert sts["mx"] == ["mail.good.test", "*.backup.good.test"], sts
            if name == "nohttps":
                assert sts["policy"] == "not-checked", sts
        else:
            assert want in ids, "%s not in %s" % (want, ids)
        passed += 1
    except Exception as e:
        failed += 1
        print("FAIL: %s: %r" % (name, e))
print("%d passed, %d failed" % (passed, failed))
PY
	sed '$d' "$tmp/judged"
	p=$(sed -n '$s/ passed.*//p' "$tmp/judged"); f=$(sed -n '$s/.*passed, \([0-9]*\) failed/\1/p' "$tmp/judged")
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))
fi
echo "check_mtasts: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
