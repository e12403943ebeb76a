#!/bin/sh
# `authcheck zone FILE...` end to end.  One fixture per finding ID in
# tests/zones/zonelint/ID.zone: the line marked "; <-" must be reported
# with that ID (FILE:LINE: SEVERITY: MESSAGE [ID], the severity from the
# catalogue).  DKIM key findings use keys made now with openssl.  Then the
# cases in tests/zones/zonelint/cases/: a realistic clean zone, $INCLUDE and
# $ORIGIN, a syntax error in the middle, --ignore and inline ignores, exit
# statuses, --zone OTHER, JSON (checked with python3), CRLF, no final
# newline, files left unmodified.  Prints "zone_lint: N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${AUTHCHECK:-$top/authcheck}
z=$top/tests/zones/zonelint
c=$z/cases
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# severity ID -> "error" ... from the catalogue (authcheck findings)
"$bin" findings >"$tmp/catalogue" 2>/dev/null
sev_of() { awk -v id="$1" '$1 == id { print $2; exit }' "$tmp/catalogue"; }

# ---- one fixture per ID ------------------------------------------------
for f in "$z"/*.zone; do
	id=$(basename "$f" .zone)
	line=$(grep -n '; <-' "$f" | head -n 1 | cut -d: -f1)
	sev=$(sev_of "$id")
	[ -n "$line" ] && [ -n "$sev" ] || { ko "$id: fixture has no marker or unknown ID"; continue; }
	out=$("$bin" zone "$f" 2>&1)
	rc=$?
	if printf '%s\n' "$out" | grep -qF "$f:$line: $sev: " &&
	    printf '%s\n' "$out" | grep "^$f:$line: " | grep -qF "[$id]"; then
		ok
	else
		ko "$id: expected $f:$line: $sev: ... [$id]; got: $out"
	fi
	want=0; [ "$sev" = error ] && want=1
	[ "$rc" -eq "$want" ] && ok || ko "$id: exit $rc, want $want"
done

# ---- DKIM keys made now --------------------------------------------------
keyzone() {	# $1 file, $2 owner, $3 TXT value (split into 250-octet strings)
	{
		printf '$ORIGIN keys.test.\n$TTL 300\n@ IN SOA ns hostmaster 1 7200 3600 1209600 300\n'
		printf '@ IN NS ns\nns IN A 192.0.2.1\n'
		printf '%s IN TXT' "$2"
		printf '%s\n' "$3" | fold -w 250 | while IFS= read -r part; do
			printf ' "%s"' "$part"
		done
		printf ' ; <-\n'
	} >"$1"
}
spki() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | base64 -w0; }
pkcs1() { openssl rsa -in "$1" -RSAPublicKey_out -outform DER 2>/dev/null | base64 -w0; }
for bits in 512 1024 2048; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits \
	    -out "$tmp/rsa$bits.pem" 2>/dev/null
done
check_key() {	# $1 name, $2 value, $3 expected ID or "clean"
	keyzone "$tmp/$1.zone" sel._domainkey "$2"
	out=$("$bin" zone "$tmp/$1.zone" 2>&1)
	rc=$?
	if [ "$3" = clean ]; then
		case $out in *"error"*"["*|*"warning"*"["*) ko "$1: findings on a good key: $out" ;;
		*) [ $rc -eq 0 ] && ok || ko "$1: exit $rc" ;; esac
	else
		printf '%s\n' "$out" | grep -q "^$tmp/$1.zone:6: .*\[$3\]" && ok ||
		    ko "$1: want $3 at line 6: $out"
	fi
}
check_key weak "v=DKIM1; k=rsa; p=$(spki "$tmp/rsa512.pem")" dkim.weak-key
check_key under "v=DKIM1; k=rsa; p=$(spki "$tmp/rsa1024.pem")" dkim.key-under-2048
check_key pkcs1 "v=DKIM1; k=rsa; p=$(pkcs1 "$tmp/rsa2048.pem")" dkim.pkcs1-key
check_key good "v=DKIM1; k=rsa; p=$(spki "$tmp/rsa2048.pem")" clean
# the same key in one 392-octet string: the zone file itself is wrong
{ sed -n 1,5p "$tmp/good.zone"
  printf 'sel._domainkey IN TXT "v=DKIM1; k=rsa; p=%s"\n' "$(spki "$tmp/rsa2048.pem")"; } >"$tmp/onestring.zone"
"$bin" zone "$tmp/onestring.zone" | grep -q "onestring.zone:6: error: .*\[zone.syntax\]" && ok ||
    ko "a DKIM string over 255 octets is zone.syntax"

# ---- wildcard shapes (tests/zones/wildcard/, the report's fixtures) -------
# Zone mode sees the "*" records themselves: no DKIM error or revoked key
# and no misplaced DMARC record comes of them, only what they cover.
wkey=$(printf '%s' "v=DKIM1; k=rsa; p=$(spki "$tmp/rsa2048.pem")" |
    fold -w 250 | sed 's/.*/"&"/' | tr '\n' ' ')
for f in "$top"/tests/zones/wildcard/*.zone "$top/tests/zones/lint/spf/spf.parked.zone"; do
	n=$tmp/wc.$(basename "$f")
	sed "s|@KEY@|$wkey|" "$f" >"$n"
	out=$("$bin" zone "$n" 2>&1)
	rc=$?
	case $out in
	*"[dkim."*|*"[dmarc.wrong-location]"*|*": error: "*)
		case $(basename "$f") in
		revoked.zone|spf.parked.zone)	# dkim.wildcard is expected
			if printf '%s\n' "$out" | grep -v '\[dkim.wildcard\]' |
			    grep -q -e '\[dkim\.' -e ': error: '; then
				ko "wildcard shape $(basename "$f"): $out"; continue
			fi ;;
		*) ko "wildcard shape $(basename "$f"): $out"; continue ;;
		esac ;;
	esac
	[ $rc -eq 0 ] && ok || ko "wildcard shape $(basename "$f"): exit $rc"
done
"$bin" zone "$tmp/wc.spf-only.zone" | grep -q ':12: info: .*\[spf.wildcard-all\]' && ok ||
    ko "wildcard shape spf-only.zone: no spf.wildcard-all at line 12"
"$bin" zone "$tmp/wc.revoked.zone" | grep -q ':13: info: .*\[dkim.wildcard\]' && ok ||
    ko "wildcard shape revoked.zone: no dkim.wildcard at line 13"

# ---- a realistic clean zone ----------------------------------------------
out=$("$bin" zone "$c/example.com.zone"); rc=$?
[ $rc -eq 0 ] && ok || ko "clean zone exits $rc: $out"
case $out in *": error: "*|*": warning: "*) ko "clean zone has findings: $out" ;; *) ok ;; esac
case $out in *"1 file, 30 records: 0 errors, 0 warnings"*) ok ;; *) ko "clean summary: $out" ;; esac
"$bin" zone --strict "$c/example.com.zone" >/dev/null; [ $? -eq 0 ] && ok || ko "clean zone fails --strict"

# ---- $INCLUDE and $ORIGIN ------------------------------------------------
out=$("$bin" zone "$c/include.zone")
printf '%s\n' "$out" | grep -q "^$c/inc/keys.inc:3: warning: .*\[dkim.revoked\]" && ok ||
    ko "finding in an \$INCLUDEd file names that file and its line: $out"
printf '%s\n' "$out" | grep -q "^$c/inc/keys.inc:4: error: .*\[dmarc.invalid-value\]" && ok ||
    ko "dmarc in the included file at its line: $out"
printf '%s\n' "$out" | grep -q "^$c/include.zone:7: error: .*\[spf.include-missing\]" && ok ||
    ko "include-missing at include.zone:7: $out"
printf '%s\n' "$out" | grep -q "^$c/include.zone:10: warning: .*\[spf.ptr\]" && ok ||
    ko "record after \$ORIGIN at line 10: $out"
"$bin" zone --format json "$c/include.zone" | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
by = {(f["id"], f["line"]): f for f in o["findings"]}
assert by[("dkim.revoked", 3)]["domain"] == "sel._domainkey.sub.include.test", by
assert by[("dkim.revoked", 3)]["file"].endswith("inc/keys.inc")
assert by[("dmarc.policy-none", 11)]["domain"] == "_dmarc.mail.include.test"
assert by[("spf.ptr", 10)]["domain"] == "mail.include.test"
' && ok || ko "\$INCLUDE origin and \$ORIGIN owners in JSON"

# ---- identical records, also across $INCLUDE: one RR (RFC 2181 §5) --------
out=$("$bin" zone "$c/dup.zone")
printf '%s\n' "$out" | grep -q "^$c/inc/dup.inc:2: info: .*$c/dup.zone:12.*\[zone.duplicate-record\]" && ok ||
    ko "a CNAME repeated in an \$INCLUDEd file is an info naming the first: $out"
printf '%s\n' "$out" | grep -q "^$c/inc/dup.inc:3: info: .*\[zone.duplicate-record\]" && ok ||
    ko "an SPF record repeated in an \$INCLUDEd file is an info: $out"
case $out in *"[zone.cname-and-other-data]"*) ko "identical CNAMEs are no conflict: $out" ;; *) ok ;; esac
# strings split differently are another RR: a receiver sees two SPF records
printf '%s\n' "$out" | grep -q "^$c/inc/dup.inc:4: error: .*\[spf.multiple-records\]" && ok ||
    ko "the same SPF text in other strings is a second record: $out"
[ "$(printf '%s\n' "$out" | grep -c '\[spf.multiple-records\]')" -eq 1 ] && ok ||
    ko "one spf.multiple-records: $out"

# ---- $GENERATE (BIND): the names it makes exist for the other checks -----
out=$("$bin" zone "$c/generate.zone"); rc=$?
case $out in *"[zone.syntax]"*|*"[spf.void-lookup]"*|*"[mx."*) ko "\$GENERATE names missing: $out" ;; *) ok ;; esac
[ "$(printf '%s\n' "$out" | grep -c "^$c/generate.zone:16: error: .*\[spf.pass-all\]")" -eq 2 ] && ok ||
    ko "a generated record's finding is at the \$GENERATE line, one per name: $out"
[ $rc -eq 1 ] && ok || ko "generate.zone exits $rc"
case $out in *"21 records"*) ok ;; *) ko "generated records counted: $out" ;; esac

# ---- an apex with MX but no SPF or DMARC record ------------------------------
out=$("$bin" zone "$c/missing.zone")
printf '%s\n' "$out" | grep -q "^$c/missing.zone:8: error: .*\[spf.missing\]" && ok || ko "no SPF at a mail apex: $out"
printf '%s\n' "$out" | grep -q "^$c/missing.zone:8: error: .*_dmarc.missing.test.*\[dmarc.missing\]" && ok ||
    ko "no DMARC at a mail apex: $out"
out=$("$bin" zone "$c/sub.missing.zone")
printf '%s\n' "$out" | grep -q "^$c/sub.missing.zone:8: error: .*\[spf.missing\]" && ok || ko "no SPF at a sub-domain zone's apex: $out"
case $out in *"[dmarc.missing]"*) ko "a sub-domain zone may inherit DMARC: $out" ;; *) ok ;; esac
[ "$(printf '%s\n' "$out" | grep -c '\[spf.missing\]')" -eq 1 ] && ok || ko "a null MX name needs nothing: $out"

# ---- unrendered template fields: said as such, no follow-on findings --------
out=$("$bin" zone "$c/template.zone")
printf '%s\n' "$out" | grep -q "^$c/template.zone:10: error: .*unrendered template, not an IPv4 address \[zone.syntax\]" && ok ||
    ko "an unrendered template is not an address: $out"
printf '%s\n' "$out" | grep -q "^$c/template.zone:11: error: .*not an IPv4 address \[zone.syntax\]" && ok ||
    ko "a bad address says the field is not one: $out"
[ "$(printf '%s\n' "$out" | grep -c ': error: ')" -eq 4 ] && ok || ko "only the 4 rejected lines: $out"
case $out in *"[spf."*|*"[dmarc."*|*"[mx."*|*"[dns."*) ko "follow-on findings of rejected records: $out" ;; *) ok ;; esac
out=$("$bin" zone --zone "$c/provider.zone" "$c/template.zone")
case $out in *"[dns.failure]"*) ko "a rejected in-zone record is no DNS failure: $out" ;; *) ok ;; esac

# ---- text output: the record and a caret under the problem ------------------
"$bin" zone "$z/spf.syntax.zone" >"$tmp/out"
sed -n 2,3p "$tmp/out" >"$tmp/caret"
printf '    v=spf1 ip4:192.0.2.300 -all\n               ^^^^^^^^^^^\n' | cmp -s - "$tmp/caret" && ok ||
    ko "text output shows the record with a caret under the span: $(cat "$tmp/out")"

# ---- a SOA written without its final dot under $ORIGIN (Cloudflare export) --
out=$("$bin" zone "$c/doubled-soa.zone")
printf '%s\n' "$out" | grep -q "^$c/doubled-soa.zone:4: error: .*doubled.test.doubled.test.*\[zone.soa-not-at-top\]" && ok ||
    ko "a doubled SOA owner is not at the top: $out"

# ---- a syntax error in the middle ----------------------------------------
out=$("$bin" zone "$c/middle.zone"); rc=$?
for want in "7: error: .*\[zone.syntax\]" "8: error: .*\[zone.syntax\]" \
    "9: error: .*\[spf.pass-all\]" "10: warning: .*\[dmarc.policy-none\]"; do
	printf '%s\n' "$out" | grep -q "^$c/middle.zone:$want" && ok || ko "middle.zone:$want: $out"
done
[ $rc -eq 1 ] && ok || ko "middle.zone exits $rc"

# ---- ignores -------------------------------------------------------------
out=$("$bin" zone "$c/ignore.zone")
case $out in *"ignore.zone:6:"*) ko "inline ignore of two IDs: $out" ;; *) ok ;; esac
printf '%s\n' "$out" | grep -q "ignore.zone:7: error: .*\[spf.pass-all\]" && ok ||
    ko "inline ignore drops only the IDs named: $out"
case $out in *"ignore.zone:7:"*"[spf.ptr]"*) ko "spf.ptr ignored on line 7: $out" ;; *) ok ;; esac
case $out in *"[mx.cname]"*) ko "inline ignore of a finding made after the pass: $out" ;; *) ok ;; esac
printf '%s\n' "$out" | grep -q "ignore.zone:10: error: .*\[spf.pass-all\]" && ok ||
    ko "a plain comment suppresses nothing: $out"
case $out in *"(4 suppressed)"*) ok ;; *) ko "suppressed count: $out" ;; esac
"$bin" zone --ignore spf.pass-all "$z/spf.pass-all.zone" >"$tmp/out"; rc=$?
[ $rc -eq 0 ] && ! grep -q 'spf.pass-all\]' "$tmp/out" && ok || ko "--ignore spf.pass-all: exit $rc"
"$bin" zone --ignore spf.ptr --ignore spf.pass-all "$c/ignore.zone" >"$tmp/out"; rc=$?
[ $rc -eq 0 ] && ok || ko "repeated --ignore: exit $rc: $(cat "$tmp/out")"
"$bin" zone --ignore spf.no-such-id "$z/spf.pass-all.zone" >/dev/null 2>&1
[ $? -eq 2 ] && ok || ko "unknown --ignore ID is a usage error"

# ---- exit statuses -------------------------------------------------------
"$bin" zone "$z/spf.neutral-all.zone" >/dev/null; [ $? -eq 0 ] && ok || ko "warnings alone exit 0"
out=$("$bin" zone --strict "$z/spf.neutral-all.zone"); rc=$?
case $rc:$out in *": error: "*) ko "--strict: the warnings fixture has an error: $out" ;;
1:*": warning: "*"[spf.neutral-all]"*) ok ;; *) ko "--strict: warnings exit 1: exit $rc: $out" ;; esac
"$bin" zone "$z/zone.outside-lookups.zone" --strict >/dev/null; [ $? -eq 0 ] && ok || ko "info does not fail --strict"
"$bin" zone "$tmp/no-such.zone" >/dev/null 2>&1; [ $? -eq 2 ] && ok || ko "unreadable file exits 2"
"$bin" zone "$c/example.com.zone" "$tmp/no-such.zone" >/dev/null 2>&1; [ $? -eq 2 ] && ok || ko "one unreadable file of two exits 2"
"$bin" zone >/dev/null 2>&1; [ $? -eq 2 ] && ok || ko "no FILE exits 2"
"$bin" zone --bogus "$c/example.com.zone" >/dev/null 2>&1; [ $? -eq 2 ] && ok || ko "unknown option exits 2"
"$bin" zone --force "$c/example.com.zone" >/dev/null 2>&1; [ $? -eq 2 ] && ok || ko "--force without --install-hook exits 2"

# ---- --zone OTHER supplies outside names ---------------------------------
out=$("$bin" zone "$z/zone.outside-lookups.zone")
case $out in *"[zone.outside-lookups]"*) ok ;; *) ko "offline: outside-lookups: $out" ;; esac
out=$("$bin" zone --zone "$c/provider.zone" --format json "$z/zone.outside-lookups.zone")
printf '%s\n' "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
ids = [f["id"] for f in o["findings"]]
assert "zone.outside-lookups" not in ids, ids
assert o["errors"] == 0 and o["warnings"] == 0, o
' && ok || ko "--zone OTHER resolves the outside include: $out"

# ---- JSON ----------------------------------------------------------------
"$bin" zone --format json "$c/middle.zone" "$c/example.com.zone" "$z/mx.cname.zone" >"$tmp/json"
python3 - "$tmp/json" "$c/middle.zone" <<'PY' && ok || ko "JSON Lines: one valid object per file"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, lines
objs = [json.loads(l) for l in lines]
m = objs[0]
assert m["file"] == sys.argv[2] and m["error"] is None
assert m["records"] == 6 and m["errors"] == 3 and m["warnings"] == 1, m
got = [(f["id"], f["line"], f["severity"]) for f in m["findings"]]
assert got == [("zone.syntax", 7, "error"), ("zone.syntax", 8, "error"),
               ("spf.pass-all", 9, "error"), ("dmarc.policy-none", 10, "warning")], got
for f in m["findings"]:
    assert f["file"] == sys.argv[2] and set(f) >= {"id", "message", "reference", "fix"}
# the clean zone: only the info that its DKIM CNAMEs leave the zone
assert [f["id"] for f in objs[1]["findings"]] == ["zone.cname-outside"] * 2, objs[1]
assert objs[1]["errors"] == 0 and objs[1]["warnings"] == 0
assert [f["id"] for f in objs[2]["findings"]] == ["mx.cname"]
PY
"$bin" zone --format json "$tmp/no-such.zone" 2>/dev/null | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
assert o["error"] and o["findings"] == []
' && ok || ko "JSON for an unreadable file has an error"

# ---- CRLF, no final newline, never modified -------------------------------
sed 's/$/\r/' "$c/middle.zone" >"$tmp/crlf.zone"
out=$("$bin" zone "$tmp/crlf.zone")
printf '%s\n' "$out" | grep -q "crlf.zone:9: error: .*\[spf.pass-all\]" && ok || ko "CRLF: $out"
printf '%s' "$(cat "$z/spf.pass-all.zone")" >"$tmp/nonl.zone"
tail -c 1 "$tmp/nonl.zone" | od -c | grep -q '\\n' && ko "fixture still ends with a newline" || ok
out=$("$bin" zone "$tmp/nonl.zone")
printf '%s\n' "$out" | grep -q "nonl.zone:7: error: .*\[spf.pass-all\]" && ok || ko "no final newline: $out"
sum1=$(cat "$c"/*.zone "$c"/inc/* "$z"/*.zone | cksum)
"$bin" zone "$c"/*.zone "$z"/*.zone >/dev/null 2>&1
sum2=$(cat "$c"/*.zone "$c"/inc/* "$z"/*.zone | cksum)
[ "$sum1" = "$sum2" ] && ok || ko "the zone files changed"

# more findings than one output batch (20000): all printed, sorted by line
awk 'BEGIN { print "$ORIGIN many.test."; print "$TTL 300"
	for (i = 0; i < 25001; i++) printf "h%d IN TXT \"v=spf1 +all\"\n", i }' >"$tmp/many.zone"
"$bin" zone "$tmp/many.zone" >"$tmp/out"
n=$(grep -c '\[spf.pass-all\]$' "$tmp/out")
[ "$n" -eq 25001 ] && ok || ko "25001 findings, $n printed"
grep '\[spf.pass-all\]$' "$tmp/out" | head -n 20000 | sed 's/^[^:]*:\([0-9]*\):.*/\1/' | sort -n -c && ok ||
    ko "a batch is sorted by line"

# ---- --origin ------------------------------------------------------------
grep -v '^\$ORIGIN' "$z/spf.pass-all.zone" >"$tmp/noorigin.txt"
out=$("$bin" zone "$tmp/noorigin.txt" 2>&1)
case $out in *"[zone.syntax]"*) ok ;; *) ko "relative names without an origin are errors: $out" ;; esac
[ "$(printf '%s\n' "$out" | grep -c '\[zone.syntax\]')" -eq 1 ] && ok ||
    ko "no origin: one line, not one per record: $out"
case $out in *"pass --origin"*) ok ;; *) ko "no origin: says to pass --origin: $out" ;; esac
out=$("$bin" zone --origin example.test --format json "$tmp/noorigin.txt")
printf '%s\n' "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.readline())
assert [(f["id"], f["domain"]) for f in o["findings"]] == [("spf.pass-all", "example.test")], o
' && ok || ko "--origin completes relative names: $out"
cp "$tmp/noorigin.txt" "$tmp/db.example.test"
"$bin" zone "$tmp/db.example.test" | grep -q "db.example.test:6: error: .*\[spf.pass-all\]" && ok ||
    ko "origin from the file name db.NAME"

echo "zone_lint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
