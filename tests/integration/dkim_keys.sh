#!/bin/sh
# `authcheck dkim` end to end: keys generated now with the openssl command
# (RSA 512, 1024, 2048 -- 4096 is in test_dkim.c; Ed25519 raw and
# SPKI-wrapped; a bare PKCS#1 RSAPublicKey), published in a zone file with long records split into
# 255-octet strings, checked through $AUTHCHECK --zone.  Asserts finding
# IDs, key sizes (JSON) and exit statuses.  Prints "dkim_keys: N passed,
# M failed"; exits non-zero on any failure.  Skips (0 passed) when the
# binary has no dkim subcommand yet.
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0; fail=0

if ! "$AUTHCHECK" dkim --help >/dev/null 2>&1; then
	echo "dkim_keys: no 'dkim' subcommand in $AUTHCHECK; skipped"
	echo "dkim_keys: 0 passed, 0 failed"
	exit 0
fi

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
	echo "  stdout: $(head -c 600 "$tmp/out")"
	echo "  stderr: $(head -c 600 "$tmp/err")"
}

# b64 of a public key in DER: spki or pkcs1, from a private key file.
pub() {
	if [ "$2" = pkcs1 ]; then
		openssl rsa -in "$1" -RSAPublicKey_out -outform DER 2>/dev/null
	else
		openssl pkey -in "$1" -pubout -outform DER 2>/dev/null
	fi | base64 | tr -d '\n'
}

# txt TEXT: TEXT as quoted 255-octet character-strings.
txt() {
	printf '%s' "$1" | fold -b -w 255 | sed 's/.*/"&"/' | tr '\n' ' '
}

for b in 512 1024 2048; do
	openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$b" \
	    -out "$tmp/rsa$b.pem" 2>/dev/null || { echo "openssl failed"; exit 1; }
done
openssl genpkey -algorithm ED25519 -out "$tmp/ed.pem" 2>/dev/null ||
    { echo "openssl failed"; exit 1; }
ed_spki=$(pub "$tmp/ed.pem" spki)
# The raw key is the last 32 bytes of the 44-byte SPKI (RFC 8463).
ed_raw=$(printf '%s' "$ed_spki" | base64 -d | tail -c 32 | base64 | tr -d '\n')

zone="$tmp/keys.test.zone"
{
	echo '$ORIGIN keys.test.'
	echo '$TTL 300'
	echo '@ SOA ns1 hostmaster 1 7200 3600 1209600 300'
	for b in 512 1024 2048; do
		echo "rsa$b._domainkey TXT $(txt "v=DKIM1; k=rsa; p=$(pub "$tmp/rsa$b.pem" spki)")"
	done
	echo "pkcs1._domainkey TXT $(txt "v=DKIM1; p=$(pub "$tmp/rsa2048.pem" pkcs1)")"
	echo "ed._domainkey TXT \"v=DKIM1; k=ed25519; p=$ed_raw\""
	echo "edspki._domainkey TXT \"v=DKIM1; k=ed25519; p=$ed_spki\""
	echo "prov._domainkey CNAME key1.provider.test."
	echo "key1.provider.test. TXT $(txt "v=DKIM1; p=$(pub "$tmp/rsa2048.pem" spki)")"
} >"$zone"

ac() {
	"$AUTHCHECK" dkim "$@" --zone "$zone" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# check NAME RC PYTHON-EXPR: exit status RC and no sanitizer noise now;
# the expression (true of the JSON output `j`; ids(sel) = that selector's
# IDs) is queued and all are judged by one python3 run at the end.
n=0
check() {
	n=$((n + 1))
	if [ "$rc" -ne "$2" ]; then
		bad "$1: exit status $rc, expected $2"
	elif grep -q -e 'runtime error' -e 'AddressSanitizer' "$tmp/err"; then
		bad "$1: sanitizer report"
	else
		cp "$tmp/out" "$tmp/json.$n"
		printf '%s\t%s\t%s\n' "$tmp/json.$n" "$1" "$3" >>"$tmp/checks"
	fi
}

ac keys.test -s rsa2048 -s ed -s prov --format json
check clean 0 's["rsa2048"]["bits"] == 2048 and s["ed"]["key_type"] == "ed25519" and s["ed"]["bits"] == 256 and s["prov"]["cname"] == "key1.provider.test" and all(not ids(n) for n in s)'

ac keys.test -s rsa512 --format json
check weak 1 'ids("rsa512") == ["dkim.weak-key"] and s["rsa512"]["bits"] == 512'

ac keys.test -s rsa1024 --format json
check under-2048 0 'ids("rsa1024") == ["dkim.key-under-2048"] and s["rsa1024"]["bits"] == 1024'

ac keys.test -s pkcs1 --format json
check pkcs1 0 'ids("pkcs1") == ["dkim.pkcs1-key"] and s["pkcs1"]["bits"] == 2048'

ac keys.test -s edspki --format json
check ed-spki 1 'ids("edspki") == ["dkim.invalid-key"]'

ac keys.test -s nosuch --format json
check missing 1 'ids("nosuch") == ["dkim.missing"] and not s["nosuch"]["found"]'

ac nokeys.test --format json
check none-found 0 'j["domainkey"] == "NXDOMAIN" and [f["id"] for f in j["findings"]] == ["dkim.none-found"]'

# Text output: the finding line and a caret under the span.
ac keys.test -s rsa512
if [ "$rc" -eq 1 ] && grep -q 'error dkim.weak-key \[RFC 8301' "$tmp/out" &&
    grep -q '^ *\^' "$tmp/out" && grep -q 'rsa, 512 bits' "$tmp/out"; then
	ok
else
	bad "text output"
fi

# The queued JSON checks: one line per failure, then the count passed.
python3 -c '
import json, sys
good = 0
for line in open(sys.argv[1]):
    path, name, expr = line.rstrip("\n").split("\t")
    try:
        j = json.load(open(path))
        s = {e["selector"]: e for e in j["dkim"]}
        ids = lambda n: [f["id"] for f in s[n]["findings"]]
        res = eval(expr)
    except Exception as e:
        res = False
    if res:
        good += 1
    else:
        print("FAIL: %s: JSON check failed: %s" % (name, expr))
        print("  stdout: " + open(path).read()[:600])
print("ok %d" % good)' "$tmp/checks" >"$tmp/pyout" 2>&1
grep -v '^ok ' "$tmp/pyout"
good=$(sed -n 's/^ok //p' "$tmp/pyout")
queued=$(wc -l <"$tmp/checks")
pass=$((pass + ${good:-0}))
fail=$((fail + queued - ${good:-0}))

"$AUTHCHECK" dkim keys.test -s 'a..b' >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ]; then ok; else bad "bad selector: exit $rc, expected 2"; fi

echo "dkim_keys: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
