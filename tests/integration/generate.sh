#!/bin/sh
# `authcheck providers` and `authcheck generate spf|dmarc|dkim` end to end,
# against the binary in $AUTHCHECK.  Generated records are written into
# zone files and read back by `authcheck spf|dmarc|dkim --zone`; DKIM key
# sizes and the key pair are checked with openssl(1); the interactive flow
# is driven with piped answers and through a pseudo-terminal (python3 pty),
# including wrong answers that must be re-asked.
# Prints "generate: N passed, M failed"; exits non-zero on any failure.
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
AUTHCHECK_DATADIR=$(pwd)/data; export AUTHCHECK_DATADIR
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0; fail=0
SOA='@ 3600 IN SOA ns.example.com. host.example.com. 1 3600 600 86400 300'

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
	echo "  stdout: $(head -c 800 "$tmp/out")"
	echo "  stderr: $(head -c 400 "$tmp/err")"
}
ac() {
	"$AUTHCHECK" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
expect() {
	if [ "$rc" -ne "$2" ]; then
		bad "$1: exit status $rc, expected $2"
	elif grep -q -e 'runtime error' -e 'AddressSanitizer' -e 'LeakSanitizer' "$tmp/err"; then
		bad "$1: sanitizer report"
	else
		ok
	fi
}
has() { if grep -q -F -e "$3" "$tmp/$2"; then ok; else bad "$1: $2 lacks '$3'"; fi; }
lacks() { if grep -q -F -e "$3" "$tmp/$2"; then bad "$1: $2 has '$3'"; else ok; fi; }
# pycheck NAME FILE EXPR: EXPR over ds (the JSON Lines of FILE) is true.
pycheck() {
	if python3 -c '
import json, sys
ds = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
d = ds[0] if ds else None
sys.exit(0 if eval(sys.argv[2]) else 1)' "$2" "$3" 2>>"$tmp/err"; then ok; else bad "$1: false: $3"; fi
}
# zone FILE ORIGIN: start a zone file with $ORIGIN and an SOA.
zone() { printf '$ORIGIN %s.\n%s\n' "$2" "$SOA" >"$1"; }

# ---- providers -------------------------------------------------------------

ac providers
expect "providers" 0
n=$(grep -c -E '^[a-z0-9-]+ +' "$tmp/out")
[ "$n" -ge 25 ] && ok || bad "providers lists $n templates, want >= 25"
has "providers shows google's include" out "_spf.google.com (apex, 4)"
has "providers shows sendgrid's return path" out "sendgrid.net (on em1234.<domain>)"
ac providers --format json
expect "providers json" 0
cp "$tmp/out" "$tmp/prov.json"
pycheck "providers json" "$tmp/prov.json" 'len(ds) >= 25 and all(x["kind"] in ("mailbox", "sender") and x["docs"].startswith("https://") and isinstance(x["unverified"], list) for x in ds) and [x for x in ds if x["id"] == "google"][0]["spf"]["includes"] == ["_spf.google.com"]'
ac providers --format yaml
expect "providers bad format" 2
has "bad format named" err "--format must be text or json, not 'yaml'"
# A broken template is refused with its file and field named.
mkdir -p "$tmp/data/providers"
printf '{"id": "x"}\n' >"$tmp/data/providers/x.json"
AUTHCHECK_DATADIR=$tmp/data "$AUTHCHECK" providers >"$tmp/out" 2>"$tmp/err"; rc=$?
expect "broken template" 2
has "broken template named" err "x.json: name: missing"

# ---- generate spf ----------------------------------------------------------

ac generate spf --domain example.com --provider google,sendgrid,mailchimp --ip4 192.0.2.0/24 --offline
expect "spf google+sendgrid" 0
has "apex record" out '"v=spf1 ip4:192.0.2.0/24 include:_spf.google.com ~all"'
grep 'example.com. 3600 IN TXT' "$tmp/out" | grep -q sendgrid && bad "sendgrid in the apex record" || ok
has "sendgrid return-path CNAME" out "em1234.example.com. 3600 IN CNAME u1234.wl.sendgrid.net."
has "lookup count" out "DNS lookups: 4 of 10"
has "mailchimp explained" out "Mailchimp: nothing to add to SPF"
ac generate spf --domain Example.COM. --mx --offline --format zone
expect "domain normalised" 0
has "domain normalised: lower case, one dot" out 'example.com. 3600 IN TXT "v=spf1 mx ~all"' 

# Over 10 lookups (templates): exit 1, the finding, flattening advice.
ac generate spf --domain example.com --provider google,microsoft365,freshdesk,zoho --mx --offline
expect "spf over the limit" 1
has "over: finding" out "spf.lookup-limit"
has "over: advice" out "flattening"
has "over: count" out "DNS lookups: 12 of 10"
lacks "over: the limit, not a generator bug" err "BUG"
# Exit 1 is also a generated record failing the linter: the only error
# finding must be the lookup limit.
ac generate spf --domain example.com --provider google,microsoft365,freshdesk,zoho --mx --offline --format json
expect "spf over the limit, json" 1
cp "$tmp/out" "$tmp/over.json"
pycheck "over: only the lookup-limit error" "$tmp/over.json" 'd["lookups"] == 12 and [f["id"] for f in d["findings"] if f["severity"] == "error"] == ["spf.lookup-limit"]'

# Live counting through --zone: the served tree (5) replaces the template (4).
ac generate spf --domain example.com --provider google --zone tests/zones/generate/tree.zone --format json
expect "spf json via zone" 0
cp "$tmp/out" "$tmp/live.json"
pycheck "live count" "$tmp/live.json" 'd["kind"] == "spf" and d["lookups"] == 5 and d["lookups_source"] == "live" and d["terms"][0]["source"] == "live" and d["records"][0]["value"] == "v=spf1 include:_spf.google.com ~all"'

# An include that DNS says does not exist is pointed out (permerror), as
# NXDOMAIN rather than a missing record.
ac generate spf --domain example.com --provider google,fastmail --zone tests/zones/generate/tree.zone
expect "spf with a missing include" 0
has "missing include noted" out "Fastmail: spf.messagingengine.com does not exist (NXDOMAIN): an include of it makes SPF fail (permerror)"
lacks "NXDOMAIN is not 'no record'" out "no SPF record"
has "template cost marked" out "Fastmail, template"

# A long record: zone output splits at <= 255 octets between terms, and
# `authcheck spf` reads it back without string findings or syntax errors.
set --
i=1; while [ $i -le 20 ]; do set -- "$@" --ip4 "198.51.100.$i"; i=$((i + 1)); done
ac generate spf --domain example.com "$@" --ip6 2001:db8::/32 --all fail --offline --format zone
expect "spf zone long" 0
zone "$tmp/spf.zone" example.com
cat "$tmp/out" >>"$tmp/spf.zone"
python3 - "$tmp/out" <<'PY' && ok || bad "zone strings not split at <= 255 octets on term boundaries"
import re, sys
line = open(sys.argv[1]).read().splitlines()[0]
strs = re.findall(r'"([^"]*)"', line)
assert len(strs) == 2, strs
assert all(len(s) <= 255 for s in strs)
assert strs[0].endswith(" ") and not strs[1].startswith(" ")
assert "".join(strs).endswith(" -all")
PY
ac spf example.com --zone "$tmp/spf.zone" --format json
expect "spf lint of the generated zone" 0
cp "$tmp/out" "$tmp/spflint.json"
pycheck "generated record lints clean" "$tmp/spflint.json" 'd["spf"]["lookups"] == 0 and not [f for f in d["findings"] if f["id"] in ("spf.syntax", "spf.string-boundary", "spf.string-too-long")]'
ac spf example.com --ip 198.51.100.20 --zone "$tmp/spf.zone" --format json
expect "generated record authorises a listed address" 0
cp "$tmp/out" "$tmp/pass.json"
pycheck "listed address: pass by its ip4 term" "$tmp/pass.json" 'd["result"] == "pass" and d["decided_by"]["term"] == "ip4:198.51.100.20"'
# Exit 1 is any of fail, softfail, neutral, none, permerror: it must be
# fail, decided by -all.
ac spf example.com --ip 198.51.100.21 --zone "$tmp/spf.zone" --format json
expect "generated record refuses others (-all)" 1
cp "$tmp/out" "$tmp/fail.json"
pycheck "other address: fail by -all" "$tmp/fail.json" 'd["result"] == "fail" and d["decided_by"]["term"] == "-all" and d["problem"] is None'

# Bad input is a usage error.
# Exit 2 is every kind of bad usage: each says which.
ac generate spf --domain example.com --provider nosuch --offline
expect "unknown provider" 2
has "unknown provider named" err "unknown provider 'nosuch' (see 'authcheck providers')"
ac generate spf --domain example.com --ip4 192.0.2.0/33 --offline
expect "bad network" 2
has "bad network named" err "'192.0.2.0/33' is not an IPv4 or IPv6 address or network"
ac generate spf --domain example.com --ip4 2001:db8::1 --offline
expect "ip6 given to --ip4" 2
has "wrong family: option and value named" err "--ip4 '2001:db8::1': wrong address family"
ac generate spf --domain example.com --ip6=192.0.2.1 --offline
expect "ip4 given to --ip6" 2
has "wrong family: option and value named (--ip6=)" err "--ip6 '192.0.2.1': wrong address family"
ac generate spf --domain nodot --mx --offline
expect "bad domain" 2
has "bad domain named" err "'nodot' is not a valid domain name"
ac generate spf --domain example.com --offline
expect "nothing sends" 2
has "nothing sends said" err "nothing sends mail: give --provider"
ac generate spf --provider google --offline </dev/null
expect "no domain, no terminal" 2
has "no domain said" err "--domain is required"
lacks "no domain: nothing asked" out "domain> "

# ---- generate dmarc --------------------------------------------------------

ac generate dmarc --domain example.com --policy none --rua dmarc@example.com
expect "dmarc none" 0
has "dmarc record" out '_dmarc.example.com. 3600 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com"'
has "staged rollout" out "then p=quarantine"
has "policy-none advice" out "dmarc.policy-none"
ac generate dmarc --domain example.com --policy quarantine --sp reject --adkim s --aspf r --testing --rua dmarc@example.com --rua reports@dmarc.example.net --format zone
expect "dmarc zone" 0
cp "$tmp/out" "$tmp/dmarc.out"
has "external destination authorisation" out "; example.com._report._dmarc.dmarc.example.net. 3600 IN TXT \"v=DMARC1\""
# Round trip: the record is what `authcheck dmarc` finds and parses; the
# external destination is unauthorised until its record is published.
zone "$tmp/dmarc.zone" example.com
grep -v '^;' "$tmp/dmarc.out" >>"$tmp/dmarc.zone"
echo '@ 3600 IN MX 10 mx.example.com.' >>"$tmp/dmarc.zone"
echo 'mx 3600 IN A 192.0.2.25' >>"$tmp/dmarc.zone"
zone "$tmp/rep.zone" dmarc.example.net
echo '@ 3600 IN MX 10 mx.dmarc.example.net.' >>"$tmp/rep.zone"
echo 'mx 3600 IN A 192.0.2.26' >>"$tmp/rep.zone"
ac dmarc example.com --zone "$tmp/dmarc.zone" --zone "$tmp/rep.zone" --format json
expect "dmarc round trip" 0
cp "$tmp/out" "$tmp/d1.json"
pycheck "dmarc parsed back" "$tmp/d1.json" 'd["record"] == "v=DMARC1; p=quarantine; sp=reject; adkim=s; aspf=r; t=y; rua=mailto:dmarc@example.com,mailto:reports@dmarc.example.net" and d["policy"]["p"] == "quarantine" and d["policy"]["sp"] == "reject" and d["policy"]["adkim"] == "s" and d["policy"]["t"] == "y" and "dmarc.rua-unauthorized" in [f["id"] for f in d["findings"]] and not [f for f in d["findings"] if f["severity"] == "error"]'
grep '_report._dmarc' "$tmp/dmarc.out" | sed 's/^; //' >>"$tmp/rep.zone"
ac dmarc example.com --zone "$tmp/dmarc.zone" --zone "$tmp/rep.zone" --format json
expect "dmarc round trip, authorised" 0
cp "$tmp/out" "$tmp/d2.json"
pycheck "authorisation record accepted" "$tmp/d2.json" '"dmarc.rua-unauthorized" not in [f["id"] for f in d["findings"]]'
ac generate dmarc --domain example.com --policy reject --format json
expect "dmarc json" 0
cp "$tmp/out" "$tmp/dj.json"
pycheck "dmarc json" "$tmp/dj.json" 'd["kind"] == "dmarc" and d["records"][0]["name"] == "_dmarc.example.com" and "dmarc.rua-missing" in [f["id"] for f in d["findings"]]'
ac generate dmarc --domain example.com --policy strict
expect "dmarc bad policy" 2
has "dmarc bad policy said" err "--policy must be none, quarantine or reject"
ac generate dmarc --domain example.com --policy none --rua 'not-an-address'
expect "dmarc bad rua" 2
has "dmarc bad rua named" err "--rua 'not-an-address': not an email address"
ac generate dmarc --domain example.com --policy none --adkim x
expect "dmarc bad adkim" 2
has "dmarc bad adkim said" err "--adkim and --aspf must be s (strict) or r (relaxed)"

# ---- generate dkim ---------------------------------------------------------

cd "$tmp" || exit 1
ac generate dkim -s sel2048 --domain example.com --format zone
expect "dkim 2048" 0
cp "$tmp/out" "$tmp/dkim.out"
[ "$(stat -c %a sel2048.private)" = 600 ] && ok || bad "private key mode $(stat -c %a sel2048.private), want 600"
openssl pkey -in sel2048.private -noout -text 2>/dev/null | head -n 1 | grep -q '(2048 bit' && ok || bad "key is not 2048-bit RSA"
# The p= in the record is the public half of the key in the file.
pub=$(openssl pkey -in sel2048.private -pubout -outform DER 2>/dev/null | base64 -w0)
rec=$(sed 's/" "//g' "$tmp/dkim.out" | sed 's/.*p=\([^"]*\)".*/\1/')
[ -n "$pub" ] && [ "$pub" = "$rec" ] && ok || bad "record's p= is not the key's public half"
for s in $(sed 's/^[^"]*//' "$tmp/dkim.out" | grep -o '"[^"]*"' | tr -d '"'); do
	[ ${#s} -le 255 ] || bad "DKIM string longer than 255"
done
sum=$(md5sum sel2048.private)
ac generate dkim -s sel2048 --domain example.com
expect "dkim refuses to overwrite" 2
has "refusal says why" err "refusing to overwrite"
[ "$(md5sum sel2048.private)" = "$sum" ] && ok || bad "existing key changed"
ac generate dkim -s big --domain example.com --bits 4096 --out big.pem --format zone
expect "dkim 4096" 0
cat "$tmp/out" >>"$tmp/dkim.out"
openssl pkey -in big.pem -noout -text 2>/dev/null | head -n 1 | grep -q '(4096 bit' && ok || bad "key is not 4096-bit RSA"
ac generate dkim -s ed --domain example.com --ed25519 --out ed.pem --format zone
expect "dkim ed25519" 0
cat "$tmp/out" >>"$tmp/dkim.out"
openssl pkey -in ed.pem -noout -text 2>/dev/null | head -n 1 | grep -q 'ED25519' && ok || bad "key is not Ed25519"
[ "$(stat -c %a ed.pem)" = 600 ] && ok || bad "ed key mode"
ac generate dkim -s x --bits 1024
expect "dkim 1024 refused" 2
has "dkim 1024: sizes said" err "--bits must be 2048, 3072 or 4096"
[ ! -e x.private ] && ok || bad "dkim 1024 wrote a key"
ac generate dkim -s 'bad selector' --domain example.com
expect "dkim bad selector" 2
has "dkim bad selector named" err "'bad selector' is not a valid selector"
ac generate dkim -s j --domain example.com --format json --out j.pem
expect "dkim json" 0
cp "$tmp/out" "$tmp/kj.json"
pycheck "dkim json" "$tmp/kj.json" 'd["kind"] == "dkim" and d["bits"] == 2048 and d["key_type"] == "rsa" and d["private_key"] == "j.pem" and all(len(s) <= 255 for s in d["records"][0]["strings"]) and "".join(d["records"][0]["strings"]) == d["records"][0]["value"]'
# Round trip: `authcheck dkim` finds, decodes and sizes every generated key.
zone "$tmp/k.zone" example.com
cat "$tmp/dkim.out" >>"$tmp/k.zone"
cd - >/dev/null || exit 1
ac dkim example.com -s sel2048 -s big -s ed --zone "$tmp/k.zone" --format json
expect "dkim round trip" 0
cp "$tmp/out" "$tmp/dk.json"
pycheck "dkim keys read back" "$tmp/dk.json" '[(k["selector"], k["key_type"], k["bits"]) for k in d["dkim"]] == [("sel2048", "rsa", 2048), ("big", "rsa", 4096), ("ed", "ed25519", 256)] and not [f for k in d["dkim"] for f in k["findings"] if f["severity"] != "info"]'

# ---- interactive: piped answers ---------------------------------------------

printf '%s\n' 'not a domain' example.com zzzz mail goo 'sendgrid, postmark' '' \
    300.1.1.1 192.0.2.0/24 mx '' maybe quarantine nope dmarc@example.com |
    "$AUTHCHECK" generate --interactive --offline >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "interactive piped" 0
n=$(grep -c 'try again' "$tmp/out")
[ "$n" -eq 4 ] && ok || bad "interactive: $n re-asks, want 4 (domain, server, policy, address)"
has "unknown service re-asked" out "no service matches 'zzzz'"
has "ambiguous service listed" out "'mail' matches several:"
has "record shown while building" out "SPF so far: v=spf1 include:_spf.google.com ~all"
has "lookup count while building" out "lookups: 4 of 10"
has "final SPF" out 'example.com. 3600 IN TXT "v=spf1 ip4:192.0.2.0/24 mx include:_spf.google.com ~all"'
has "final return path" out "pm-bounces.example.com. 3600 IN CNAME pm.mtasv.net."
has "final DMARC" out '_dmarc.example.com. 3600 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"'
[ "$(grep -c '^domain> ' "$tmp/out")" -eq 2 ] && ok || bad "domain not asked twice"
printf 'example.com\n' | "$AUTHCHECK" generate --interactive --offline >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "interactive: end of input" 2
has "end of input said" err "end of input"
# A NUL in an answer refuses that line only; the next line is the next
# answer (a string-based read once took it for the rest of this one).
printf 'ex\000ample.com\nexample.org\nreject\n\n' | "$AUTHCHECK" generate dmarc --interactive >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "interactive: NUL in an answer" 0
has "NUL answer refused" out "control characters); try again"
has "next line answered" out '_dmarc.example.org. 3600 IN TXT "v=DMARC1; p=reject"'
# With --format json the dialogue goes to stderr: stdout is JSON Lines.
printf '%s\n' example.com goo '' '' reject '' | "$AUTHCHECK" generate --interactive --offline --format json >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "interactive json" 0
cp "$tmp/out" "$tmp/ij.json"
pycheck "interactive json: only JSON on stdout" "$tmp/ij.json" '[x["kind"] for x in ds] == ["spf", "dmarc"] and ds[0]["records"][0]["value"] == "v=spf1 include:_spf.google.com -all" and ds[1]["records"][0]["value"] == "v=DMARC1; p=reject"'
has "interactive json: dialogue on stderr" err "domain> example.com"
# `generate dmarc` asks only the DMARC questions; `generate spf` only SPF's.
printf '%s\n' example.com reject '' | "$AUTHCHECK" generate dmarc --interactive >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "interactive dmarc only" 0
has "dmarc only: record" out '_dmarc.example.com. 3600 IN TXT "v=DMARC1; p=reject"'
lacks "dmarc only: no SPF step" out "service> "
printf '%s\n' example.com '' | "$AUTHCHECK" generate spf --provider google --interactive --offline >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "interactive spf only" 0
has "spf only: record" out 'example.com. 3600 IN TXT "v=spf1 include:_spf.google.com ~all"'
lacks "spf only: no policy step" out "policy [none]> "
lacks "spf only: services given, not asked" out "service> "
# An unknown --provider is refused before the first question (it used to
# reach the wizard's DKIM list and crash on the missing template).
for fmt in text json; do
	printf 'example.com\n\nnone\n\n' | "$AUTHCHECK" generate --interactive --offline --provider nosuch --format $fmt >"$tmp/out" 2>"$tmp/err"
	rc=$?
	expect "interactive: unknown --provider ($fmt)" 2
	has "interactive: unknown id named ($fmt)" err "unknown provider 'nosuch'"
	has "interactive: where the ids are listed ($fmt)" err "'authcheck providers'"
	lacks "interactive: nothing asked ($fmt)" out "domain> "
	lacks "interactive: nothing asked ($fmt)" err "domain> "
done
printf 'example.com\n\n' | "$AUTHCHECK" generate spf --interactive --offline --provider google,nosuch >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "interactive spf: unknown --provider" 2
has "interactive spf: unknown id named" err "unknown provider 'nosuch'"
# Typed ids are looked up, never trusted: unknown ones are re-asked.
printf '%s\n' example.com nosuch 0 99999 google '' '' '' '' | "$AUTHCHECK" generate --interactive --offline >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "interactive: unknown typed ids" 0
has "typed unknown id re-asked" out "no service matches 'nosuch'"
has "typed number 0 re-asked" out "no service matches '0'"
has "typed number out of range re-asked" out "no service matches '99999'"
has "typed ids: DKIM selectors listed" out "google           txt:"
# A long unknown item is quoted by its start, the line is re-asked whole.
long=$(printf '%0300d' 0 | tr 0 q)
printf '%s\n' example.com "$long" '' '' '' '' | "$AUTHCHECK" generate --interactive --offline >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "interactive: long unknown service" 0
has "long item: its start quoted" out "no service matches '$(printf '%064d' 0 | tr 0 q)'; '?' lists them all"
printf 'sel1\n' | (cd "$tmp" && "$AUTHCHECK" generate dkim --interactive --domain example.org) >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "interactive dkim" 0
[ -f "$tmp/sel1.private" ] && ok || bad "interactive dkim wrote no key"

# ---- interactive: a pseudo-terminal (libedit) ----------------------------------

python3 - "$AUTHCHECK" >"$tmp/pty.out" 2>&1 <<'PY'
import os, pty, select, sys, time

def run(argv, answers):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    out = b""
    deadline = time.time() + 60
    pending = list(answers)
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        # Answer each prompt when it appears (the prompt is the cue).
        while pending and out.count(pending[0][0].encode()) > pending[0][2]:
            cue, ans, _ = pending.pop(0)
            os.write(fd, ans.encode() + b"\r")
    _, status = os.waitpid(pid, 0)
    return out.decode("utf-8", "replace"), os.waitstatus_to_exitcode(status)

# (cue, answer, how many times the cue must have appeared before)
answers = [("domain> ", "bad_domain!", 0), ("domain> ", "example.net", 1),
           ("service> ", "goog", 0), ("service> ", "", 1),
           ("server> ", "999.1.1.1", 0), ("server> ", "a", 1), ("server> ", "", 2),
           ("policy [none]> ", "", 0), ("report address> ", "", 0)]
out, code = run([sys.argv[1], "generate", "--offline"], answers)
checks = {
    "exit 0": code == 0 and "Sanitizer" not in out and "runtime error" not in out,
    "domain re-asked": "is not a domain name" in out,
    "server re-asked": "is not an IPv4/IPv6 address" in out,
    "google picked": "+ Google Workspace" in out,
    "final spf": 'example.net. 3600 IN TXT "v=spf1 a include:_spf.google.com ~all"' in out,
    "final dmarc": '_dmarc.example.net. 3600 IN TXT "v=DMARC1; p=none"' in out,
}
for name, good in checks.items():
    print(("ok " if good else "FAIL ") + name)
if not all(checks.values()):
    print(out[-3000:])
PY
n=$(grep -c '^ok ' "$tmp/pty.out")
pass=$((pass + n))
if grep -q '^FAIL' "$tmp/pty.out" || [ "$n" -ne 6 ]; then
	fail=$((fail + 1))
	echo "FAIL: pseudo-terminal session"; cat "$tmp/pty.out"
fi

# ---- help ------------------------------------------------------------------------

ac generate --help
expect "generate --help" 0
for opt in --domain --provider --ip4 --ip6 --a --mx --all --offline --policy --rua --ruf --sp --np --adkim --aspf --testing --selector --bits --ed25519 --out --interactive --format --zone; do
	grep -q -F -e "$opt" "$tmp/out" && ok || bad "generate --help lacks $opt"
done
grep -o -e '\\-\\-[a-z][a-z0-9-]*' man/authcheck.1 | sed 's/\\//g' | sort -u >"$tmp/manopts"
for opt in --domain --provider --ip4 --ip6 --mx --all --offline --policy --rua --ruf --sp --np --adkim --aspf --testing --selector --bits --ed25519 --out --interactive; do
	grep -q -x -F -e "$opt" "$tmp/manopts" && ok || bad "man page lacks $opt"
done
grep -q -e '^\.SS.*generate' man/authcheck.1 && grep -q 'Interactive' man/authcheck.1 && ok || bad "man page lacks generate / interactive sections"

echo "generate: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
