#!/bin/sh
# Command-line tests for `authcheck spf` and `authcheck findings`, against the
# binary in $AUTHCHECK (the sanitized build under `make check`), answering
# DNS from zone files (data/demo, tests/zones/cli).  Run from the top of the
# tree.  Prints "cli: N passed, M failed"; exits non-zero on any failure.
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0; fail=0

DEMO="--zone data/demo/example.test.zone --zone data/demo/mailhost.test.zone --zone data/demo/bulkmail.test.zone"
CLI="--zone tests/zones/cli/cli.test.zone"

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
	echo "  stdout: $(head -c 600 "$tmp/out")"
	echo "  stderr: $(head -c 600 "$tmp/err")"
}

# ac ARGS...: run authcheck; stdout in $tmp/out, stderr in $tmp/err, $rc.
# (Option lists in $DEMO and $CLI are meant to be split by the caller.)
ac() {
	"$AUTHCHECK" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect NAME RC: the last run exited with RC and nothing was sanitizer noise.
expect() {
	if [ "$rc" -ne "$2" ]; then
		bad "$1: exit status $rc, expected $2"
	elif grep -q -e 'runtime error' -e 'AddressSanitizer' -e 'LeakSanitizer' "$tmp/err"; then
		bad "$1: sanitizer report"
	else
		ok
	fi
}

# has NAME FILE PATTERN: FILE (out or err) contains the fixed string.
has() {
	if grep -q -F -e "$3" "$tmp/$2"; then ok; else bad "$1: $2 lacks '$3'"; fi
}

# first NAME LINE: the first line of stdout is exactly LINE.
first() {
	if [ "$(head -n 1 "$tmp/out")" = "$2" ]; then ok; else bad "$1: first line not '$2'"; fi
}

# json NAME EXPR: stdout is one JSON object (one line) and EXPR, Python over
# that object `d`, is true.  jsonl NAME EXPR: JSON Lines, EXPR over the list
# `ds`.  The checks are collected and run by one python3 at the end (its
# start-up is slow on a loaded machine).
njson=0
json() { jsonl "$1" "len(ds) == 1 and ($2)"; }
jsonl() {
	njson=$((njson + 1))
	cp "$tmp/out" "$tmp/json.$njson"
	printf '%s\t%s\t%s\n' "$tmp/json.$njson" "$1" "$2" >>"$tmp/checks"
}
run_json_checks() {
	[ "$njson" -gt 0 ] || return 0
	python3 - "$tmp/checks" >"$tmp/jres" 2>&1 <<'EOF'
import json, re, sys
for line in open(sys.argv[1], encoding="utf-8"):
    path, name, expr = line.rstrip("\n").split("\t", 2)
    try:
        text = open(path, encoding="utf-8").read()
        ds = [json.loads(l) for l in text.splitlines()]
        d = ds[0] if ds else None
        ok = eval(expr, {"d": d, "ds": ds, "re": re})
        print("ok" if ok else "FAIL: %s: false: %s" % (name, expr))
    except Exception as e:
        print("FAIL: %s: %s: %r" % (name, expr, e))
EOF
	n=$(grep -c '^ok$' "$tmp/jres")
	pass=$((pass + n))
	if [ "$n" -ne "$njson" ]; then
		grep -v '^ok$' "$tmp/jres"
		fail=$((fail + njson - n))
	fi
}

# usage NAME ARGS...: a usage error: exit 2, a message on stderr, no stdout.
usage() {
	name=$1; shift
	ac "$@"
	if [ "$rc" -ne 2 ]; then
		bad "usage $name: exit status $rc, expected 2"
	elif [ ! -s "$tmp/err" ]; then
		bad "usage $name: no message on stderr"
	elif [ -s "$tmp/out" ]; then
		bad "usage $name: output on stdout"
	elif grep -q -e 'runtime error' -e 'Sanitizer' "$tmp/err"; then
		bad "usage $name: sanitizer report"
	else
		ok
	fi
}

# ---- help, version, and the man page's options ---------------------------

ac --help
expect "--help" 0
ac spf --help
expect "spf --help" 0
cp "$tmp/out" "$tmp/spfhelp"
# Every option the man page documents appears in the --help of the main
# program or of some command.
: >"$tmp/allhelp"
for cmd in "" check smtp blocklist spf dmarc dkim record findings zone generate providers; do
	# shellcheck disable=SC2086 # "" is no command
	"$AUTHCHECK" $cmd --help >>"$tmp/allhelp" 2>/dev/null
done
for opt in $(grep -o -e '\\-\\-[a-z]\([a-z]\|\\-\)*' man/authcheck.1 | sed 's/\\//g' | sort -u); do
	if grep -q -F -e "$opt" "$tmp/allhelp"; then
		ok
	else
		bad "no --help mentions $opt (documented in man/authcheck.1)"
	fi
done
ac --help
for opt in --ip --sender --helo --format --resolver --timeout --retries --zone --no-color; do
	if grep -q -F -e "$opt" "$tmp/spfhelp"; then ok; else bad "spf --help lacks $opt"; fi
done
grep -q 'Exit status' "$tmp/spfhelp" && ok || bad "spf --help does not document exit statuses"

ac --version
expect "--version" 0
has "--version" out "authcheck "

# ---- usage errors: exit 2 with a message ---------------------------------

usage "no arguments"
usage "unknown command" frobnicate
usage "unknown top-level option" --frob
usage "neither DOMAIN nor --ip" spf $DEMO
usage "bad --ip" spf example.test --ip 192.0.2.300 $DEMO
usage "--ip with prefix" spf example.test --ip 192.0.2.1/24 $DEMO
usage "--ip without value" spf example.test --ip
usage "unknown option" spf example.test --ip 192.0.2.1 --frob $DEMO
usage "bad --timeout" spf example.test --ip 192.0.2.1 --timeout 1s $DEMO
usage "zero --timeout" spf example.test --ip 192.0.2.1 --timeout 0 $DEMO
usage "negative --timeout" spf example.test --ip 192.0.2.1 --timeout -1 $DEMO
usage "bad --retries" spf example.test --ip 192.0.2.1 --retries x $DEMO
usage "huge --retries" spf example.test --ip 192.0.2.1 --retries 99999999999999999999 $DEMO
usage "bad --format" spf example.test --ip 192.0.2.1 --format xml $DEMO
usage "no domain" spf --ip 192.0.2.1 $DEMO
usage "null sender without helo" spf --ip 192.0.2.1 --sender '' $DEMO
usage "sender without domain" spf --ip 192.0.2.1 --sender 'alice@' $DEMO
usage "bad DOMAIN" spf 'a..b' --ip 192.0.2.1 $DEMO
usage "two domains" spf example.test news.example.test --ip 192.0.2.1 $DEMO
usage "unreadable zone" spf example.test --ip 192.0.2.1 --zone "$tmp/nonexistent.zone"
usage "zone and resolver" spf example.test --ip 192.0.2.1 $DEMO --resolver 127.0.0.1
usage "findings bad format" findings --format xml
ac spf example.test --ip 192.0.2.1 --frob $DEMO
has "unknown option names it" err "--frob"
has "usage error points at help" err "authcheck spf --help"

# ---- text output ---------------------------------------------------------

ac spf example.test --ip 198.51.100.7 $DEMO
expect "pass via nested include" 0
first "pass verdict" "pass: 198.51.100.7 is authorised to send mail for example.test"
has "pass tree shows nested record" out '_netblocks.mailhost.test  "v=spf1 ip4:198.51.100.0/24'
has "pass marks the deciding term" out "include:_spf.mailhost.test  match: pass  <= decided"
has "pass counts" out "lookups: 3/10, void lookups: 0/2"
if grep -q "$(printf '\033')" "$tmp/out"; then bad "colour when stdout is not a terminal"; else ok; fi

ac spf --ip 192.0.2.99 --sender alice@example.test $DEMO
expect "fail" 1
first "fail verdict" "fail: 192.0.2.99 is not authorised to send mail for example.test"
has "fail why" out "why: '-all' in the record of example.test matched"
has "fail explanation" out "explanation: 192.0.2.99 is not one of example.test's mail servers"

ac spf --ip 192.0.2.99 --sender news@news.example.test $DEMO
expect "softfail" 1
first "softfail verdict" "softfail: 192.0.2.99 is probably not authorised to send mail for news.example.test"

ac spf neutral.cli.test --ip 192.0.2.99 $CLI
expect "neutral (?all)" 1
has "neutral verdict" out "neutral: 192.0.2.99"

ac spf noall.cli.test --ip 192.0.2.99 $CLI
expect "neutral (no all)" 1
has "default neutral why" out "why: no term matched"

ac spf nospf.cli.test --ip 192.0.2.99 $CLI
expect "none" 1
has "none verdict" out "none: "

ac spf broken.cli.test --ip 192.0.2.99 $CLI
expect "permerror (syntax)" 1
has "permerror verdict" out "permerror: "

# Exit status 1 is shared by fail, softfail, neutral, none and permerror:
# these assert the result and why.  An include loop is cut by the lookup
# limit (RFC 7208 §4.6.4), not by a loop check.
ac spf loop.cli.test --ip 192.0.2.99 --format json $CLI
expect "permerror (include loop)" 1
json "include loop is a permerror at the lookup limit" 'd["result"] == "permerror" and d["lookups"] == 11 and d["problem"].startswith("more than 10 DNS-querying terms") and d["decided_by"] is None'

ac spf voids.cli.test --ip 192.0.2.99 --format json $CLI
expect "permerror (void lookups)" 1
json "void lookups are a permerror at the third" 'd["result"] == "permerror" and d["void_lookups"] == 3 and d["problem"].startswith("more than 2 void lookups") and "gone3.cli.test" in d["problem"]'

# Hostile bytes from DNS never reach the terminal raw.
ac spf hostile.cli.test --ip 192.0.2.99 $CLI
expect "hostile record" 1
first "hostile record is a permerror" "permerror: the SPF record is broken; could not check 192.0.2.99 for hostile.cli.test"
if grep -q "$(printf '\033')" "$tmp/out"; then bad "raw ESC from DNS in text output"; else ok; fi
has "hostile bytes escaped" out '\x1b[31mred'

# IPv6 and IPv4-mapped addresses.
ac spf example.test --ip 2001:db8:1::25 $DEMO
expect "IPv6 pass via mx" 0
ac spf example.test --ip ::ffff:198.51.100.7 $DEMO
expect "IPv4-mapped IPv6 checked as IPv4" 0
ac spf cli.test --ip 2001:db8:7::1 $CLI
expect "IPv6 ip6 match" 0

# Colour only on a terminal (script(1) provides one), never with NO_COLOR
# or --no-color.
if command -v script >/dev/null 2>&1; then
	esc=$(printf '\033')
	script -qc "$AUTHCHECK spf example.test --ip 198.51.100.7 $DEMO" /dev/null >"$tmp/out" 2>&1
	grep -q "$esc\[" "$tmp/out" && ok || bad "no colour on a terminal"
	NO_COLOR=1 script -qc "$AUTHCHECK spf example.test --ip 198.51.100.7 $DEMO" /dev/null >"$tmp/out" 2>&1
	grep -q "$esc" "$tmp/out" && bad "colour despite NO_COLOR" || ok
	script -qc "$AUTHCHECK spf example.test --ip 198.51.100.7 --no-color $DEMO" /dev/null >"$tmp/out" 2>&1
	grep -q "$esc" "$tmp/out" && bad "colour despite --no-color" || ok
fi
NO_COLOR=1; export NO_COLOR
ac spf example.test --ip 198.51.100.7 --no-color $DEMO
expect "--no-color" 0
unset NO_COLOR

# Zone-file syntax errors are reported as zone.syntax with file:line; the
# rest of the file still answers.
ac spf broken.test --ip 192.0.2.9 --zone tests/zones/cli/broken.test.zone
expect "zone with a bad line still evaluates" 0
has "zone error located" err "tests/zones/cli/broken.test.zone:6: error:"
has "zone error has its ID" err "[zone.syntax]"

# ---- JSON output ---------------------------------------------------------

ac spf example.test --ip 198.51.100.7 --format json $DEMO
expect "json pass" 0
json "json fields" 'sorted(d) == sorted(["domain","ip","sender","helo","result","explanation","problem","lookups","void_lookups","decided_by","trace","queries"])'
json "json pass values" 'd["result"] == "pass" and d["domain"] == "example.test" and d["ip"] == "198.51.100.7" and d["explanation"] is None and d["problem"] is None'
json "json default sender" 'd["sender"] == "postmaster@example.test" and d["helo"] is None'
json "json counts" 'd["lookups"] == 3 and d["void_lookups"] == 0 and isinstance(d["queries"], int) and d["queries"] >= 3'
json "json decided_by" 'd["decided_by"] == {"domain": "example.test", "term": "include:_spf.mailhost.test"}'
json "json trace" 'all(sorted(t) == ["depth","domain","note","record","term"] for t in d["trace"]) and d["trace"][0]["depth"] == 0 and d["trace"][0]["term"] is None and max(t["depth"] for t in d["trace"]) == 2'

ac spf --ip 192.0.2.99 --sender alice@example.test --helo mail.example.test --format json $DEMO
expect "json fail" 1
json "json fail values" 'd["result"] == "fail" and d["sender"] == "alice@example.test" and d["helo"] == "mail.example.test" and d["decided_by"]["term"] == "-all"'
json "json explanation" 'd["explanation"].startswith("192.0.2.99 is not one of example.test")'

ac spf --ip 192.0.2.80 --sender '' --helo news.example.test --format json $DEMO
expect "json null sender" 0
json "null sender is postmaster@helo" 'd["sender"] == "postmaster@news.example.test" and d["domain"] == "news.example.test"'

ac spf --ip 192.0.2.99 --helo news.example.test --format json $DEMO
expect "domain from helo" 1
json "helo domain" 'd["domain"] == "news.example.test" and d["result"] == "softfail"'

ac spf broken.cli.test --ip 192.0.2.99 --format json $CLI
expect "json permerror" 1
json "json permerror problem" 'd["result"] == "permerror" and isinstance(d["problem"], str) and d["problem"] and d["decided_by"] is None'

ac spf nospf.cli.test --ip 192.0.2.99 --format json $CLI
json "json none" 'd["result"] == "none" and d["lookups"] == 0'

ac spf hostile.cli.test --ip 192.0.2.99 --format json $CLI
expect "json hostile" 1
json "json hostile record is valid UTF-8 text" 'd["result"] == "permerror" and "\x1b[31mred" in d["trace"][0]["record"] and "\ufffd" in d["trace"][0]["record"]'

# ---- temperror: a resolver that does not answer --------------------------
# A loopback UDP port nobody listens on: the query is refused at once.
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ac spf example.test --ip 192.0.2.1 --resolver "127.0.0.1:$port" --timeout 0.3 --retries 0 --format json
expect "temperror exits 3" 3
json "temperror result" 'd["result"] == "temperror" and d["problem"]'
ac spf example.test --ip 192.0.2.1 --resolver "127.0.0.1:$port" --timeout 0.3 --retries 0
expect "temperror text" 3
has "temperror verdict" out "temperror: "
usage "bad resolver" spf example.test --ip 192.0.2.1 --resolver 'not a host:99999'
# The domain report with that resolver: incomplete; DKIM says its lookups
# failed (not merely "no selector found") in one dns.failure naming the
# discovered names, not one per name.
ac example.test --resolver "127.0.0.1:$port" --timeout 0.3 --retries 0 \
    --no-smtp --no-https --no-color
expect "unreachable resolver: report" 3
n=$(sed -n 's/.*no selector found (\([0-9]*\) names tried, \1 of the lookups failed)$/\1/p' "$tmp/out")
[ "${n:-0}" -gt 10 ] && ok || bad "unreachable resolver: DKIM line"
has "unreachable resolver: one DKIM failure" out \
    "TXT of ${n:-?} selector names under _domainkey.example.test: TIMEOUT"
[ "$(grep -c 'TXT [a-z0-9]*\._domainkey\.example\.test' "$tmp/out")" -eq 0 ] &&
    ok || bad "unreachable resolver: a DKIM failure per name"

# ---- the findings catalogue ----------------------------------------------

ac findings
expect "findings" 0
n_text=$(wc -l <"$tmp/out")
n_man=$(sed -n '/BEGIN GENERATED FINDINGS/,/END GENERATED FINDINGS/p' man/authcheck.1 | grep -c '^\.B ')
[ "$n_text" -gt 80 ] && [ "$n_text" -eq "$n_man" ] && ok || bad "findings: $n_text lines, man page lists $n_man"
has "findings lists spf.lookup-limit" out "spf.lookup-limit"
ac findings --format man
expect "findings man" 0
sed -n '/BEGIN GENERATED FINDINGS/,/END GENERATED FINDINGS/p' man/authcheck.1 | sed '1d;$d' >"$tmp/manpart"
cmp -s "$tmp/out" "$tmp/manpart" && ok || bad "man page FINDINGS section is stale: regenerate with 'authcheck findings --format man'"
ac findings --format json
expect "findings json" 0
jsonl "findings json" 'len(ds) > 80 and len({x["id"] for x in ds}) == len(ds) and all(sorted(x) == ["hint", "id", "reference", "severity", "title"] and x["severity"] in ("error", "warning", "info") and re.fullmatch(r"[a-z0-9-]+[.][a-z0-9-]+", x["id"]) for x in ds)'


# ---- the demo script -----------------------------------------------------

sh data/demo/run.sh "$AUTHCHECK" >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "demo run.sh" 0
has "demo shows a pass" out "pass: 198.51.100.7 is authorised"
has "demo shows a fail" out "fail: 192.0.2.99 is not authorised"
has "demo shows JSON" out '"result":"pass"'

# ---- the domain report's input ---------------------------------------------

# A --domains list is read whole and checked before any query; a name with
# terminal control bytes is refused and shown escaped, never raw.
printf 'example.test\n# a comment\n\n  shop.test  # trailing comment\n' >"$tmp/list"
ac --domains "$tmp/list" $DEMO --no-https --format json
expect "--domains with comments and blanks" 1
jsonl "--domains: the two names in order; shop.test's errors give exit 1" '[x["domain"] for x in ds] == ["example.test", "shop.test"] and ds[0]["counts"]["error"] == 0 and ds[1]["verdict"] == "fail"'
printf 'ok.test\nbad\033[2J.test\n' >"$tmp/evil"
ac --domains "$tmp/evil" $DEMO
expect "--domains with an escape sequence" 2
has "escape shown escaped" err 'bad\x1b[2J.test'
if grep -q "$(printf '\033')" "$tmp/err"; then bad "raw ESC on stderr"; else ok; fi
ac --domains /nonexistent/list
expect "--domains unreadable" 2
printf 'example.test\n' | "$AUTHCHECK" --domains - $DEMO --no-https --format json >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "--domains - (standard input)" 0
has "--domains -" out '"domain":"example.test"'

run_json_checks
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
