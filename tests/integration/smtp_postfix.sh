#!/bin/sh
# The SMTP probe against a real Postfix (the Debian package), started here
# with its own configuration, queue and log directories under a scratch
# directory, listening on 127.0.2.1 at two free high ports: one with
# STARTTLS and a certificate made now (tests/lib/smtp_certs.sh), one
# without TLS.  The domain report reaches it through --zone (MX
# postfix.mx.test -> 127.0.2.1) and --smtp-port; `authcheck smtp` through
# HOST:PORT.  Postfix's master must start as root: elsewhere the script
# says it skipped.  Checks: the greeting, EHLO extensions, TLS verified
# and naming the MX, no finding; the TLSA record `generate tlsa` makes of
# Postfix's certificate, published in the zone, matches (DANE, the digest
# checked against the openssl command line's); smtp.no-starttls on the
# plain port;
# Postfix's log shows no MAIL, RCPT or DATA from the probe.
# Prints "smtp_postfix: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null 2>&1 ||
    ! id postfix >/dev/null 2>&1; then
	echo "SKIP: Postfix needs root and the postfix package (make deps)"
	echo "smtp_postfix: 0 passed, 0 failed"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-postfix.XXXXXX") || exit 1
chmod 755 "$tmp"
trap 'postfix -c "$tmp/conf" stop >/dev/null 2>&1; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

mkdir "$tmp/certs" "$tmp/conf" "$tmp/queue" "$tmp/data"
chown postfix "$tmp/data"
if ! sh tests/lib/smtp_certs.sh "$tmp/certs"; then
	echo "smtp_postfix: 0 passed, 1 failed (certificates)"; exit 1
fi
chmod 644 "$tmp/certs/good.key"
# Two free ports on 127.0.2.1.
ports=$(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.2.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
tlsport=${ports% *}; plainport=${ports#* }
cat >"$tmp/conf/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $tmp/queue
data_directory = $tmp/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = postfix.mx.test
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
maillog_file_prefixes = $tmp
maillog_file = $tmp/maillog
smtpd_banner = \$myhostname ESMTP Postfix (authcheck test)
smtpd_tls_cert_file = $tmp/certs/good.pem
smtpd_tls_key_file = $tmp/certs/good.key
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
CONF
# Only what smtpd needs; no chroot, so the scratch paths stay valid.
cat >"$tmp/conf/master.cf" <<CONF
127.0.2.1:$tlsport inet n - n - - smtpd
127.0.2.1:$plainport inet n - n - - smtpd -o smtpd_tls_security_level=none
cleanup   unix  n - n - 0 cleanup
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
proxymap  unix  - - n - - proxymap
proxywrite unix - - n - 1 proxymap
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF
if ! postfix -c "$tmp/conf" start >"$tmp/start.log" 2>&1; then
	echo "FAIL: Postfix did not start: $(cat "$tmp/start.log") $(tail -5 "$tmp/maillog" 2>/dev/null)"
	echo "smtp_postfix: 0 passed, 1 failed"; exit 1
fi
n=0
until python3 -c "import socket; socket.create_connection(('127.0.2.1', $tlsport), 1).close()" 2>/dev/null ||
    [ $n -ge 50 ]; do sleep 0.1; n=$((n + 1)); done

cat >"$tmp/world.zone" <<ZONE
\$ORIGIN test.
\$TTL 300
postfix	MX	10 postfix.mx.test.
postfix	TXT	"v=spf1 -all"
postfix.mx	A	127.0.2.1
ZONE
"$AUTHCHECK" generate tlsa --cert "$tmp/certs/good.pem" --host postfix.mx.test \
    --format zone >>"$tmp/world.zone"
spki=$(openssl x509 -in "$tmp/certs/good.pem" -noout -pubkey |
    openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
"$AUTHCHECK" postfix.test --zone "$tmp/world.zone" --smtp-port "$tlsport" --no-https \
    --ca-file "$tmp/certs/ca.pem" --helo probe.authcheck.test --smtp-timeout 5 \
    --format json >"$tmp/report.json" 2>"$tmp/report.err"
python3 - "$tmp/report.json" "$spki" <<'PY' && ok || ko "report: $(cat "$tmp/report.json" "$tmp/report.err")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
ids = [f["id"] for f in o["findings"]
       if f["id"].startswith(("smtp.", "tls.", "dane."))]
assert ids == [], ids
d = o["transport"]["hosts"][0]["addresses"][0]["dane"]
assert d["status"] == "matched" and d["depth"] == 0, d
assert d["matched_record"] == "3 1 1 " + sys.argv[2], d
a = o["transport"]["hosts"][0]["addresses"][0]
assert a["greeting_code"] == 220 and "ESMTP Postfix" in a["greeting"], a
for e in ("STARTTLS", "PIPELINING", "SIZE", "8BITMIME", "ENHANCEDSTATUSCODES"):
    assert e in a["extensions"], (e, a["extensions"])
assert "STARTTLS" not in a["extensions_after_tls"], a["extensions_after_tls"]
t = a["tls"]
assert t["verified"] and t["name_match"] and t["version"] in ("TLSv1.2", "TLSv1.3"), t
assert a["end"] == "ok", a
PY
"$AUTHCHECK" smtp "127.0.2.1:$plainport" --helo probe.authcheck.test --smtp-timeout 5 \
    --format json >"$tmp/plain.json" 2>&1
python3 - "$tmp/plain.json" <<'PY' && ok || ko "plain port: $(cat "$tmp/plain.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert [f["id"] for f in o["findings"]] == ["smtp.no-starttls"], o["findings"]
PY
# Postfix logs each session's commands at disconnect: no mail, rcpt, data.
sleep 0.5
if grep -q 'disconnect from' "$tmp/maillog" &&
    ! grep -E 'disconnect from.*(mail|rcpt|data)=' "$tmp/maillog" >/dev/null; then
	ok
else
	ko "Postfix log: $(grep 'disconnect from' "$tmp/maillog" 2>/dev/null)"
fi
echo "smtp_postfix: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
