# dnssec_world.sh -- a small signed DNS tree made at test time with
# ldns-keygen and ldns-signzone, for the DNSSEC tests.
#
#   . tests/lib/dnssec_world.sh
#   dnssec_world DIR        # writes DIR/*.zone(.signed) and DIR/anchor.ds
#
# The tree (one NSD serves all of it; NSD answers a DS from the parent's
# zone when it serves both sides of a cut):
#
#   .               signed (NSEC), the trust anchor is its KSK's DS
#   test.           signed (NSEC3, 2 iterations, salted): a TLD
#   good.test.      signed (NSEC): SPF, MX mx.good.test, _dmarc, the MX's
#                   A (no AAAA: a signed NODATA) and a TLSA at
#                   _25._tcp.mx.good.test, an alias www -> mx
#   plain.test.     not signed, no DS in test. (insecure, NSEC3 proof)
#   expired.test.   signed with signatures that expired in 2020 (bogus)
#   badds.test.     signed, but the DS in test. is of another key (bogus)
#   broken.test.    signed, then the RRSIG over its TXT and every NSEC
#                   record taken out (bogus: missing RRSIG, missing proof)
#
# DIR/anchor.ds and DIR/anchor.key are the root's KSK as DS and DNSKEY,
# DIR/good.anchor good.test's as DS.
#
# dnssec_world_nsd DIR prints the port of an NSD serving the tree
# (servers.sh must be sourced).  DNSSEC_WORLD_TLSA holds the TLSA's
# association data (random unless set before the call).
#
# For tests that also probe SMTP (tests/integration/dane_dnssec.sh):
# DNSSEC_WORLD_MX_A, when set, is the address of every domain's MX host
# (192.0.2.25 otherwise), and DIR/NAME.test.more, when it exists, is
# appended to the zone NAME.test before it is signed.

dnssec_key() {	# DIR ZONE [ksk] -- prints the key's base name
	(cd "$1" && ldns-keygen -r /dev/urandom -a ECDSAP256SHA256 \
	    ${3:+-k} "$2")
}

dnssec_records() {	# NAME -- the mail records of a domain
	cat <<EOF
\$ORIGIN $1.
\$TTL 3600
@	IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
@	IN NS ns.test.
@	IN MX 10 mx.$1.
@	IN TXT "v=spf1 ip4:192.0.2.25 -all"
_dmarc	IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@$1"
mx	IN A ${DNSSEC_WORLD_MX_A:-192.0.2.25}
EOF
}

dnssec_world() {
	_w=$1
	DNSSEC_WORLD_TLSA=${DNSSEC_WORLD_TLSA:-$(openssl rand -hex 32)}
	# signed domains: one KSK each, which signs everything (a CSK)
	for _z in good expired badds broken; do
		eval "_k_$_z=\$(dnssec_key \"$_w\" $_z.test ksk)" || return 1
		dnssec_records $_z.test >"$_w/$_z.test.zone"
	done
	{
		printf '_25._tcp.mx\tIN TLSA 3 1 1 %s\n' "$DNSSEC_WORLD_TLSA"
		printf 'www\tIN CNAME mx\n'
	} >>"$_w/good.test.zone"
	dnssec_records plain.test >"$_w/plain.test.zone"
	for _z in good expired badds broken plain; do
		[ -r "$_w/$_z.test.more" ] || continue
		cat "$_w/$_z.test.more" >>"$_w/$_z.test.zone"
	done
	# badds.test's parent publishes the DS of a key the zone never uses
	_k_other=$(dnssec_key "$_w" badds.test ksk) || return 1
	(cd "$_w" &&
	    ldns-signzone -f good.test.zone.signed good.test.zone "$_k_good" &&
	    ldns-signzone -f badds.test.zone.signed badds.test.zone "$_k_badds" &&
	    ldns-signzone -f broken.test.zone.full broken.test.zone "$_k_broken" &&
	    ldns-signzone -i 20200101000000 -e 20200201000000 \
	        -f expired.test.zone.signed expired.test.zone "$_k_expired") ||
	    return 1
	grep -v -E 'IN[[:space:]]+(RRSIG[[:space:]]+(TXT|NSEC)|NSEC)[[:space:]]' \
	    "$_w/broken.test.zone.full" >"$_w/broken.test.zone.signed"
	_k_tld=$(dnssec_key "$_w" test ksk) || return 1
	{
		cat <<EOF
\$ORIGIN test.
\$TTL 3600
@	IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
@	IN NS ns.test.
ns	IN A 127.0.0.1
good	IN NS ns.test.
plain	IN NS ns.test.
expired	IN NS ns.test.
badds	IN NS ns.test.
broken	IN NS ns.test.
EOF
		cat "$_w/$_k_good.ds" "$_w/$_k_expired.ds" "$_w/$_k_other.ds" \
		    "$_w/$_k_broken.ds"
	} >"$_w/test.zone"
	(cd "$_w" && ldns-signzone -n -t 2 -s c0ffee -f test.zone.signed \
	    test.zone "$_k_tld") || return 1
	_k_root=$(dnssec_key "$_w" . ksk) || return 1
	{
		cat <<EOF
\$ORIGIN .
\$TTL 3600
.	IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300
.	IN NS ns.test.
test.	IN NS ns.test.
ns.test. IN A 127.0.0.1
EOF
		cat "$_w/$_k_tld.ds"
	} >"$_w/root.zone"
	(cd "$_w" && ldns-signzone -o . -f root.zone.signed root.zone \
	    "$_k_root") || return 1
	cp "$_w/$_k_root.ds" "$_w/anchor.ds"
	cp "$_w/$_k_root.key" "$_w/anchor.key"
	# an anchor below the root: good.test's own key
	cp "$_w/$_k_good.ds" "$_w/good.anchor"
}

dnssec_world_nsd() {
	_w=$1
	srv_nsd "$_w" test="$_w/test.zone.signed" .="$_w/root.zone.signed" \
	    good.test="$_w/good.test.zone.signed" \
	    plain.test="$_w/plain.test.zone" \
	    expired.test="$_w/expired.test.zone.signed" \
	    badds.test="$_w/badds.test.zone.signed" \
	    broken.test="$_w/broken.test.zone.signed"
}
