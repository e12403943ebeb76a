#!/bin/sh
# Random answer sequences for the piped wizard (`authcheck generate
# --interactive --offline`, with and without --provider, --format and a
# record type): lines drawn from valid and invalid answers -- provider ids
# and numbers, domains, addresses, policies, junk, empty lines, very long
# lines, control bytes, NUL -- cut off at a random point (end of input, at
# times in the middle of a line).  Every run must end with exit status 0, 1
# or 2: never a signal, a sanitizer report or a hang.  One more case: at
# least a tenth of the sequences get through every question to the records
# (fewer would leave the end of the wizard untried).
#
# Reproducible: GENERATE_FUZZ_SEED (default 20261203) picks the sequences,
# GENERATE_FUZZ_CASES (default 300) how many; a failing case is printed
# with its arguments and input so it can be replayed by hand.
# Prints "generate_fuzz: N passed, M failed"; exits non-zero on a failure.
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
case $AUTHCHECK in /*) ;; *) AUTHCHECK=$(pwd)/$AUTHCHECK ;; esac
AUTHCHECK_DATADIR=$(pwd)/data; export AUTHCHECK_DATADIR
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

python3 - "$AUTHCHECK" "$AUTHCHECK_DATADIR/providers" "$tmp" \
    "${GENERATE_FUZZ_SEED:-20261203}" "${GENERATE_FUZZ_CASES:-300}" <<'PY'
import json, os, random, subprocess, sys

binary, provdir, work, seed, ncases = sys.argv[1:6]
seed, ncases = int(seed), int(ncases)
ids = sorted(json.load(open(os.path.join(provdir, f)))["id"]
             for f in os.listdir(provdir) if f.endswith(".json"))

# Answers, as bytes; each becomes one line (or the unterminated tail).
# Answers some question accepts, and answers none does; each sequence mixes
# them in its own proportion, so that some runs reach the records and
# others give up or run out of input on the way.
good = [i.encode() for i in ids] + [i.upper().encode() for i in ids[:3]] + [
    b"", b"", b"", b"", b"", b"", b"", b"", b"", b"", b"?", b"1", b"%d" % len(ids), b"goo",
    b"google, sendgrid", b"g,send", b"example.com", b"Example.COM.",
    b"mail.example.org", b"192.0.2.1", b"192.0.2.0/24", b"2001:db8::/32",
    b"::", b"a", b"mx", b"MX", b"none", b"quarantine", b"reject",
    b"dmarc@example.com", b"mailto:dmarc@example.com",
    b"reports@dmarc.example.net", b"s1", b"2026a", b"s1.s2",
]
bad = [
    b"0", b"%d" % (len(ids) + 1), b"99999", b"-1", b"18446744073709551617",
    b"mail", b"send", b"a,b,c", b",,,", b" , ", b"nosuch", b"google,nosuch",
    b"nodot", b"-bad-.example.com", b"a..b", b"x" * 64 + b".example.com",
    b".".join([b"a" * 63] * 5), b"not a domain",
    b"198.51.100.7/33", b"300.1.1.1", b"2001:db8::1/129",
    b"maybe", b"p=reject", b"@", b"x@", b"a@b@c", b"not-an-address",
    b"bad selector", b"_x", b"%s%n%x", b"\"quoted\"", b"\\", b"'",
    b"\xc3\xa9t\xc3\xa9", b"\xff\xfe",
    b"\x01", b"\x1b[31mred\x1b[0m", b"ab\x00cd", b"\x00", b"\x7f",
    b"tab\there", b"cr\r", b"\x08\x08",
    b"y" * 1023, b"y" * 1024, b"y" * 1025, b"z" * 5000,
    b"goo," * 300, b"192.0.2.1," * 200,
]
formats = [None, None, "text", "zone", "json"]
kinds = [None, None, None, "spf", "dmarc", "dkim"]
providers = [None, None, None, "google", "google,sendgrid", "nosuch",
             "google,nosuch", "GOOGLE", ",", ",".join(ids)]

rng = random.Random(seed)
passed = failed = finished = 0
for case in range(ncases):
    argv = [binary, "generate"]
    kind = rng.choice(kinds)
    if kind:
        argv.append(kind)
    argv += ["--interactive", "--offline"]
    if kind == "dkim":
        argv.append("--ed25519")	# key generation stays fast
    p = rng.choice(providers)
    if p is not None:
        argv += ["--provider", p]
    f = rng.choice(formats)
    if f is not None:
        argv += ["--format", f]
    p_good = rng.uniform(0.4, 1.0)
    lines = [rng.choice(good if rng.random() < p_good else bad)
             for _ in range(rng.randint(0, 80))]
    data = b"".join(l + b"\n" for l in lines)
    if data and rng.random() < 0.3:		# end of input at a random byte
        data = data[:rng.randint(0, len(data))]
    cwd = os.path.join(work, str(case))		# dkim writes its key here
    os.mkdir(cwd)
    try:
        r = subprocess.run(argv, input=data, cwd=cwd, capture_output=True,
                           timeout=20)
        rc, err = r.returncode, r.stderr
        if b"==== Records to publish" in r.stdout + r.stderr:
            finished += 1
    except subprocess.TimeoutExpired:
        rc, err = "timeout", b""
    why = None
    if rc not in (0, 1, 2):
        why = "exit status %s" % rc
    elif b"Sanitizer" in err or b"runtime error" in err:
        why = "sanitizer report"
    if why is None:
        passed += 1
        continue
    failed += 1
    print("FAIL: case %d (seed %d): %s" % (case, seed, why))
    print("  argv: %r" % argv[1:])
    print("  input: %r" % data[:2000])
    print("  stderr: %s" % err.decode("utf-8", "replace")[-1500:])
# Not vacuous: enough sequences got through every question.
if finished * 10 >= ncases:
    passed += 1
else:
    failed += 1
    print("FAIL: only %d of %d sequences reached the records" %
          (finished, ncases))
print("%d of %d sequences reached the records" % (finished, ncases))
print("generate_fuzz: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
