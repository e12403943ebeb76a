#!/bin/sh
# The blocklist scan (the report's Reputation area and `authcheck
# blocklist`) against NSD on loopback serving test list zones
# (tests/zones/reputation/world.zone, lists in blocklists.json there):
#   good.bl.test     RFC 5782 test points, listings with several codes and
#                    TXT reasons, an IPv6 nibble name (2001:db8::25)
#   dom.bl.test      a domain list (test points "test" / "invalid")
#   refuse.bl.test   answers 127.255.255.254 for everything: refused
#   wild.bl.test     answers 127.0.0.2 for everything (127.0.0.1 too):
#                    fails its test points, unusable
#   outside.bl.test  answers 192.0.2.99 (outside 127/8): unusable
#   nxrewrite.bl.test answers 192.0.2.53 for every name, as a resolver
#                    rewriting NXDOMAIN does: unusable, and said why
#   servfail.bl.test a zone NSD cannot load: SERVFAIL, unknown
# and a run against an address where no server listens (timeouts).  The
# JSON fields are asserted by tests/lib/check_blocklist.py, from what the
# zone says (never from an earlier run's output).  Also: the report's
# queries are cached across domains (--domains, --stats).
# Prints "blocklist: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
. tests/lib/servers.sh
top=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-bl.XXXXXX") || exit 1
dir=
trap 'srv_stop "$dir"; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
lists=$top/tests/zones/reputation/blocklists.json

dir=$(srv_dir) || exit 1
# servfail.bl.test names a file that does not exist: NSD answers SERVFAIL
port=$(srv_nsd "$dir" .="$top/tests/zones/reputation/world.zone" \
    servfail.bl.test="$dir/no-such-file.zone") || { echo "FAIL: NSD"; exit 1; }
res="--resolver 127.0.0.1:$port --timeout 2"

sanitizer() {
	if grep -q -e 'runtime error' -e 'Sanitizer' "$1"; then
		ko "$2: sanitizer report"; cat "$1"
	fi
}

# judge NAME EXPECTED-EXIT FILE CHECK: check_blocklist.py's CHECK on FILE
judge() {
	_why=$(python3 "$top/tests/lib/check_blocklist.py" "$4" "$3" 2>&1)
	if [ $? -eq 0 ]; then ok; else ko "$1: $_why"; fi
}

# 1. every kind of list, the command on addresses and a network.
"$AUTHCHECK" blocklist 192.0.2.10 192.0.2.11 192.0.2.12 192.0.2.200 \
    2001:db8::25 192.0.2.8/30 --all-lists --blocklists "$lists" $res \
    --format json >"$work/cmd.json" 2>"$work/err"
rc=$?
sanitizer "$work/err" command
[ "$rc" -eq 3 ] && ok || ko "command: exit $rc, want 3 (a list failed)"
judge command 3 "$work/cmd.json" command

# the same as text: a listing in red words, the unusable lists said once
"$AUTHCHECK" blocklist 192.0.2.10 --all-lists --blocklists "$lists" $res \
    --no-color >"$work/cmd.txt" 2>&1
grep -q '^      listed on Good list (good.bl.test): 127.0.0.2 -- 127.0.0.2: spam source "spam seen at our traps' \
    "$work/cmd.txt" && ok || { ko "text: no listing line"; cat "$work/cmd.txt"; }
[ "$(grep -c '^  list broken Wildcard list' "$work/cmd.txt")" -eq 1 ] &&
    ok || ko "text: the wildcard list not said once"
grep -q 'error blocklist.listed' "$work/cmd.txt" && ok || ko "text: no finding"

# --dqs-key: the list's dqs_zone under the key (its own answer, 127.0.0.4)
"$AUTHCHECK" blocklist 192.0.2.10 --dqs-key testkey --blocklists "$lists" \
    $res --format json >"$work/dqs.json" 2>"$work/err"
sanitizer "$work/err" dqs
judge dqs 1 "$work/dqs.json" dqs

# 2. the report's Reputation area: MX, SPF own addresses, domain lists.
"$AUTHCHECK" rep.test --reputation --blocklists "$lists" $res --no-https \
    --no-smtp --format json >"$work/rep.json" 2>"$work/err"
rc=$?
sanitizer "$work/err" report
[ "$rc" -eq 1 ] && ok || ko "report: exit $rc, want 1 (listed)"
judge report 1 "$work/rep.json" report
python3 "$top/tests/lib/check_json.py" "$work/rep.json" blocklist.listed 1 &&
    ok || ko "report: check_json.py"

# off by default: skipped, said so, no list queried
"$AUTHCHECK" rep.test $res --no-https --no-smtp --format json \
    >"$work/off.json" 2>"$work/off.err"
sanitizer "$work/off.err" off
judge default-off 0 "$work/off.json" off

# 3. timeouts: a resolver address where nothing listens.  Unknown, never
# clean; exit 3.
dead=$(srv_port)
"$AUTHCHECK" blocklist 192.0.2.200 --blocklists "$lists" \
    --resolver "127.0.0.1:$dead" --timeout 0.2 --retries 0 --format json \
    >"$work/dead.json" 2>"$work/err"
rc=$?
sanitizer "$work/err" timeout
[ "$rc" -eq 3 ] && ok || ko "timeout: exit $rc, want 3"
judge timeout 3 "$work/dead.json" timeout

# 4. cached across domains: rep2.test shares rep.test's MX; its address is
# asked of each list once (the resolver's cache), so the second domain
# costs only its own questions.
printf 'rep.test\n' >"$work/one"
printf 'rep.test\nrep2.test\n' >"$work/two"
q1=$("$AUTHCHECK" --domains "$work/one" --reputation --blocklists "$lists" \
    $res --no-https --no-smtp --format json --stats 2>&1 >/dev/null |
    sed -n 's/.* \([0-9]*\) queries sent.*/\1/p')
q2=$("$AUTHCHECK" --domains "$work/two" --reputation --blocklists "$lists" \
    $res --no-https --no-smtp --format json --stats 2>&1 >/dev/null |
    sed -n 's/.* \([0-9]*\) queries sent.*/\1/p')
q0=$("$AUTHCHECK" --domains "$work/two" $res --no-https --no-smtp \
    --format json --stats 2>&1 >/dev/null |
    sed -n 's/.* \([0-9]*\) queries sent.*/\1/p')
q00=$("$AUTHCHECK" --domains "$work/one" $res --no-https --no-smtp \
    --format json --stats 2>&1 >/dev/null |
    sed -n 's/.* \([0-9]*\) queries sent.*/\1/p')
echo "blocklist: queries sent: rep.test $q00 without lists, $q1 with;" \
    "rep.test and rep2.test $q0 without, $q2 with"
# the lists add nothing for rep2.test: its MX address, the lists' test
# points and rep.test's targets were all asked for rep.test already, but
# rep2.test itself on the domain list (one question)
if [ -n "$q1" ] && [ -n "$q2" ] && [ -n "$q0" ] && [ -n "$q00" ] &&
    [ $((q2 - q0)) -eq $((q1 - q00 + 1)) ]; then ok; else
	ko "cache: list questions for two domains $((q2 - q0)), want $((q1 - q00 + 1))"
fi

echo "blocklist: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
