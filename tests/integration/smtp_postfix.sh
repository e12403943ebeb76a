#!/bin/sh
# The SMTP probe against a real Postfix (the Debian package), started here
# with its own configuration, queue and log directories under a scratch
# directory, listening on 127.0.2.1 at two free high ports: one with
# STARTTLS and a certificate made now (tests/lib/smtp_certs.sh), one
# without TLS.  The domain report reaches it through --zone (MX
# postfix.mx.test -> 127.0.2.1) and --smtp-port; `authcheck smtp` through
# HOST:PORT.  Two more services: smtps (smtpd_tls_wrappermode, implicit
# TLS, AUTH offered) and two submission-like ports (as 587), one offering
# AUTH before STARTTLS, one only after, with Cyrus SASL.  Postfix's master must start as root: elsewhere the script
# says it skipped.  Checks: the greeting, EHLO extensions, TLS verified
# and naming the MX, no finding; the TLSA record `generate tlsa` makes of
# Postfix's certificate, published in the zone, matches (DANE, the digest
# checked against the openssl command line's); smtp.no-starttls on the
# plain port; implicit TLS with its AUTH mechanisms; smtp.auth-before-tls;
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
# Five free ports on 127.0.2.1.
set -- $(python3 -c '
import socket
s = [socket.socket() for _ in range(5)]
for x in s: x.bind(("127.0.2.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
tlsport=$1 plainport=$2 smtpsport=$3 subport=$4 goodsub=$5
# SASL (Cyrus, against an empty sasldb; the mechanisms are whatever the
# installed plugins offer, PLAIN and LOGIN among them): enough for smtpd
# to offer AUTH; the probe never authenticates.
mkdir "$tmp/sasl"
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: %s\nmech_list: PLAIN LOGIN\n' \
    "$tmp/sasl/sasldb2" >"$tmp/sasl/smtpd.conf"
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
cyrus_sasl_config_path = $tmp/sasl
smtpd_sasl_type = cyrus
CONF
# Only what smtpd needs; no chroot, so the scratch paths stay valid.
cat >"$tmp/conf/master.cf" <<CONF
127.0.2.1:$tlsport inet n - n - - smtpd
127.0.2.1:$plainport inet n - n - - smtpd -o smtpd_tls_security_level=none
127.0.2.1:$smtpsport inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes
127.0.2.1:$subport inet n - n - - smtpd -o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=no
127.0.2.1:$goodsub inet n - n - - smtpd -o smtpd_sasl_auth_enable=yes
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
# Implicit TLS (RFC 8314 §3), Postfix's smtps service (wrapper mode) on a
# high port, so --implicit-tls (port 465 would choose it by itself): TLS
# first, then the greeting and EHLO over TLS, the same TLS report, and
# the AUTH mechanisms offered under TLS.
"$AUTHCHECK" smtp "127.0.2.1:$smtpsport" --implicit-tls --ca-file "$tmp/certs/ca.pem" \
    --helo probe.authcheck.test --smtp-timeout 5 --format json >"$tmp/smtps.json" 2>&1
python3 - "$tmp/smtps.json" <<'PY' && ok || ko "implicit TLS: $(cat "$tmp/smtps.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["findings"] == [], o["findings"]
a = o["transport"]["hosts"][0]["addresses"][0]
assert a["tls_mode"] == "implicit" and a["end"] == "ok", a
assert a["greeting_code"] == 220 and "ESMTP Postfix" in a["greeting"], a
assert a["ehlo_code"] == 250 and a["starttls_code"] is None, a
assert "STARTTLS" not in a["extensions"] and "AUTH" in a["extensions"], a
# with implicit TLS the one EHLO is under TLS: its reply is the first
assert a["extensions_after_tls"] in (None, []), a
assert {"PLAIN", "LOGIN"} <= set(a["auth"].split()), a
t = a["tls"]
assert t["verified"] and t["version"] in ("TLSv1.2", "TLSv1.3"), t
assert t["names"] == ["*.mx.test"], t
PY
"$AUTHCHECK" smtp "127.0.2.1:$smtpsport" --implicit-tls --ca-file "$tmp/certs/ca.pem" \
    --helo probe.authcheck.test --smtp-timeout 5 >"$tmp/smtps.txt" 2>&1
grep -q 'implicit TLS' "$tmp/smtps.txt" && grep -q 'AUTH.*PLAIN' "$tmp/smtps.txt" && ok ||
	ko "implicit TLS, text: $(cat "$tmp/smtps.txt")"
# Without --implicit-tls the same port is read as STARTTLS: the probe
# waits for a greeting that never comes in clear (the server waits for a
# ClientHello), and says so instead of hanging.
"$AUTHCHECK" smtp "127.0.2.1:$smtpsport" --helo probe.authcheck.test --smtp-timeout 1 \
    --format json >"$tmp/smtps-plain.json" 2>&1
python3 - "$tmp/smtps-plain.json" <<'PY' && ok || ko "smtps read as STARTTLS: $(cat "$tmp/smtps-plain.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert [f["id"] for f in o["findings"]] == ["smtp.timeout"], o["findings"]
a = o["transport"]["hosts"][0]["addresses"][0]
assert a["tls_mode"] == "starttls" and a["end_step"] == "greeting", a
PY
# A submission port (as 587) offering AUTH before STARTTLS
# (smtpd_tls_auth_only = no): smtp.auth-before-tls, with the mechanisms.
"$AUTHCHECK" smtp "127.0.2.1:$subport" --ca-file "$tmp/certs/ca.pem" \
    --helo probe.authcheck.test --smtp-timeout 5 --format json >"$tmp/sub.json" 2>&1
python3 - "$tmp/sub.json" <<'PY' && ok || ko "auth before TLS: $(cat "$tmp/sub.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
ids = [f["id"] for f in o["findings"]]
assert ids == ["smtp.auth-before-tls"], ids
assert "PLAIN" in o["findings"][0]["message"], o["findings"][0]
a = o["transport"]["hosts"][0]["addresses"][0]
assert a["tls_mode"] == "starttls" and {"PLAIN", "LOGIN"} <= set(a["auth"].split()), a
assert "STARTTLS" in a["extensions"] and a["tls"]["verified"], a
PY
# ... and one configured as it should be (smtpd_tls_auth_only = yes): no
# finding, the mechanisms listed after STARTTLS, in JSON and in text.
"$AUTHCHECK" smtp "127.0.2.1:$goodsub" --ca-file "$tmp/certs/ca.pem" \
    --helo probe.authcheck.test --smtp-timeout 5 --format json >"$tmp/goodsub.json" 2>&1
python3 - "$tmp/goodsub.json" <<'PY' && ok || ko "AUTH after TLS: $(cat "$tmp/goodsub.json")"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["findings"] == [], o["findings"]
a = o["transport"]["hosts"][0]["addresses"][0]
assert a["auth"] is None and "AUTH" not in a["extensions"], a
assert "AUTH" in a["extensions_after_tls"], a
assert {"PLAIN", "LOGIN"} <= set(a["auth_after_tls"].split()), a
PY
"$AUTHCHECK" smtp "127.0.2.1:$goodsub" --ca-file "$tmp/certs/ca.pem" \
    --helo probe.authcheck.test --smtp-timeout 5 >"$tmp/goodsub.txt" 2>&1
grep -q 'AUTH after TLS: .*PLAIN' "$tmp/goodsub.txt" && ok ||
	ko "AUTH after TLS, text: $(cat "$tmp/goodsub.txt")"
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
