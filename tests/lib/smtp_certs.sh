#!/bin/sh
# smtp_certs.sh DIR -- the certificates of tests/lib/smtp_server.py, made
# now with openssl (no key material is shipped): a test CA (ca.pem) and,
# each with its .key: good.pem (signed by the CA, subjectAltName
# *.mx.test, 90 days), goodca.pem (good.pem followed by ca.pem), expiring.pem (the same, 5 days), expired.pem (valid
# in January 2020 only), wrongname.pem (names other.example),
# selfsigned.pem (*.mx.test, self-signed), chain.pem (a leaf for
# *.mx.test after 50 intermediates under an untrusted root).
set -eu
d=$1
cd "$d"
q() { "$@" >/dev/null 2>&1; }
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.pem -days 30 -subj "/CN=authcheck test CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign
leaf() {	# $1 name, $2 subjectAltName, $3 days, [$4 = rsa]
	if [ "${4:-}" = rsa ]; then
		q openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" \
		    -out "$1.csr" -subj "/CN=$1" -addext "subjectAltName=$2"
	else
		q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		    -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" -addext "subjectAltName=$2"
	fi
	printf 'subjectAltName=%s\n' "$2" >"$1.ext"
	q openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
	    -days "$3" -extfile "$1.ext" -out "$1.pem"
}
leaf good DNS:*.mx.test 90 rsa
# The same leaf with the CA in its chain: a DANE-TA (usage 2) digest
# matches only a certificate the server sends (RFC 7672 §3.1.2).
cat good.pem ca.pem >goodca.pem
cp good.key goodca.key
leaf expiring DNS:*.mx.test 5
leaf wrongname DNS:other.example 90
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout selfsigned.key -out selfsigned.pem -days 90 -subj "/CN=selfsigned" \
    -addext "subjectAltName=DNS:*.mx.test"
# Expired: `openssl ca` can set the dates in the past.
mkdir -p newcerts; : >index.txt; echo 01 >serial
cat >ca.cnf <<CNF
[ ca ]
default_ca = test
[ test ]
database = index.txt
new_certs_dir = newcerts
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
CNF
q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout expired.key -out expired.csr -subj "/CN=expired" \
    -addext "subjectAltName=DNS:*.mx.test"
q openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr \
    -out expired.pem -startdate 20200101000000Z -enddate 20200201000000Z -notext
# A chain of 50 intermediates (EC keys: fast to make).
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout c0.key -out c0.pem -days 30 -subj "/CN=untrusted root" \
    -addext basicConstraints=critical,CA:TRUE
printf 'basicConstraints=critical,CA:TRUE\n' >ca.ext
i=1; : >inter.pem
while [ $i -le 50 ]; do
	p=$((i - 1))
	q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout c$i.key -out c$i.csr -subj "/CN=intermediate $i"
	q openssl x509 -req -in c$i.csr -CA c$p.pem -CAkey c$p.key -set_serial $i \
	    -days 30 -extfile ca.ext -out c$i.pem
	cat c$i.pem inter.pem >inter.new && mv inter.new inter.pem
	i=$((i + 1))
done
q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout chain.key -out chain.csr -subj "/CN=chain" -addext "subjectAltName=DNS:*.mx.test"
printf 'subjectAltName=DNS:*.mx.test\n' >chain.ext
q openssl x509 -req -in chain.csr -CA c50.pem -CAkey c50.key -set_serial 99 \
    -days 30 -extfile chain.ext -out chain.leaf
cat chain.leaf inter.pem >chain.pem
