#!/usr/bin/python3
"""Write one large zone of mail-authentication records, for zone_bench.sh.

Usage: gen_bigzone.py FILE NHOSTS [SEED]

The zone is big.test.  Every host hNNNNNNN has six records: an address (A, or AAAA for
every fifth host), an MX naming its own mail host, the mail host's A, an SPF record,
a DMARC record and a DKIM key (RSA 2048 for most, Ed25519 for every fourth host; both
made with openssl).  170000 hosts make about 1.02 million records and 120 MB.  Every
line but the two directives at the top is one record, with no comments or blank lines:
zone_bench.sh counts the records as the lines not starting with `$`.
"""
import base64
import random
import subprocess
import sys


def public_key(genargs):
    """DER SubjectPublicKeyInfo of a new key, made and exported by openssl."""
    pem = subprocess.run(["openssl", "genpkey"] + genargs, check=True,
                         capture_output=True).stdout
    return subprocess.run(["openssl", "pkey", "-pubout", "-outform", "DER"], input=pem,
                          check=True, capture_output=True).stdout


def txt(text):
    """Quoted character-strings of at most 255 octets each."""
    return " ".join('"%s"' % text[k:k + 255] for k in range(0, len(text), 255))


def main():
    if len(sys.argv) not in (3, 4) or not sys.argv[2].isdigit():
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    path, n = sys.argv[1], int(sys.argv[2])
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    rsa = base64.b64encode(public_key(["-algorithm", "RSA", "-pkeyopt",
                                       "rsa_keygen_bits:2048"])).decode()
    ed = base64.b64encode(public_key(["-algorithm", "ED25519"])[-32:]).decode()
    dkim = (txt("v=DKIM1; k=rsa; p=" + rsa), txt("v=DKIM1; k=ed25519; p=" + ed))
    policies = ("quarantine", "reject", "reject")
    with open(path, "w", buffering=1 << 20) as f:
        f.write("$ORIGIN big.test.\n$TTL 3600\n"
                "@ IN SOA ns1 hostmaster 2026120301 7200 3600 1209600 300\n"
                "@ IN NS ns1\nns1 IN A 192.0.2.53\n"
                '_spf IN TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/48 -all"\n')
        for i in range(n):
            h = "h%07d" % i
            net = "198.51.%d" % ((i >> 8) & 255)
            if i % 5:
                f.write("%s IN A %s.%d\n" % (h, net, i & 255))
            else:
                f.write("%s IN AAAA 2001:db8:%x::%x\n" % (h, i >> 16, i & 0xffff))
            f.write("%s IN MX 10 mx.%s\n" % (h, h))
            f.write("mx.%s IN A 203.0.113.%d\n" % (h, i % 250 + 1))
            f.write('%s IN TXT "v=spf1 mx ip4:%s.0/24 include:_spf.big.test %s"\n'
                    % (h, net, "-all" if i % 3 else "~all"))
            f.write('_dmarc.%s IN TXT "v=DMARC1; p=%s; rua=mailto:dmarc@big.test"\n'
                    % (h, rnd.choice(policies)))
            f.write("s%d._domainkey.%s IN TXT %s\n" % (i % 4, h, dkim[i % 4 == 3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
