#!/bin/sh
# The demo: the full report of two domains, then SPF evaluations, against
# the bundled example world, offline.
# Usage: sh data/demo/run.sh AUTHCHECK [EXTRA OPTIONS...]
#   e.g. sh data/demo/run.sh ./authcheck --no-color
# Every query is answered from the zone files in this directory (--zone), so
# no network is needed.  Exits non-zero when a result is not the expected one.
set -u
if [ $# -lt 1 ]; then
	echo "usage: $0 AUTHCHECK [OPTIONS...]" >&2
	exit 2
fi
bin=$1; shift
dir=$(dirname "$0")
zones=""
for z in "$dir"/*.zone; do
	zones="$zones --zone $z"
done
bad=0

# example.test signs with DKIM selector "mail": a fresh key, made now with
# openssl (no key material is shipped), published in a generated zone.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-demo.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
if openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$tmp/key.pem" 2>/dev/null &&
    openssl pkey -in "$tmp/key.pem" -pubout -outform DER -out "$tmp/key.der" 2>/dev/null; then
	key=$(base64 -w0 "$tmp/key.der")
	{
		echo '$ORIGIN _domainkey.example.test.'
		printf 'mail 3600 TXT'
		echo "v=DKIM1; k=rsa; p=$key" | fold -w 250 | sed 's/.*/ "&"/' | tr -d '\n'
		echo
	} >"$tmp/dkim.zone"
	zones="$zones --zone $tmp/dkim.zone"
fi

# show ARGS...: the command line as one could type it (quoting '' etc.).
show() {
	line='$ authcheck'
	for a in "$@"; do
		case $a in
		''|*[!A-Za-z0-9@._:/=-]*) line="$line '$a'" ;;
		*) line="$line $a" ;;
		esac
	done
	echo "$line  [+ --zone for each data/demo/*.zone and the DKIM key]"
}

# run EXPECTED-EXIT DESCRIPTION ARGS...: show the command and its output.
run() {
	want=$1; what=$2; shift 2
	echo "== $what"
	show "$@"
	# $zones is split on purpose: one --zone option per file.
	"$bin" "$@" $zones ${extra}
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "demo: expected exit status $want, got $rc" >&2
		bad=1
	fi
	echo
}
extra="$*"

run 1 "the full report of two domains (the main job; MTA-STS policies are not fetched offline)" \
	example.test shop.test --no-https
run 0 "an authorised address: the provider's block, two includes down" \
	spf example.test --ip 198.51.100.7 --sender alice@example.test
run 1 "an unauthorised address: refused by -all, with the domain's explanation" \
	spf --ip 192.0.2.99 --sender alice@example.test --helo mail.example.test
run 1 "a subdomain still testing: softfail" \
	spf --ip 192.0.2.99 --sender news@news.example.test
run 0 "a bounce (empty sender) from the newsletter service, as JSON" \
	spf --ip 192.0.2.80 --sender '' --helo news.example.test --format json
exit $bad
