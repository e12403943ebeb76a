#!/bin/sh
# Every example in README.md and in authcheck(1)'s EXAMPLES is run, in a
# scratch directory that has what they name (data/ of the tree, zones/
# with two zone files, a git repository for --install-hook), and its exit
# status is compared with the one listed below.  Examples that query live
# DNS or need a terminal are listed as such and skipped by name.  An example
# shown with its output (README: a ```sh block followed by a plain block)
# must print exactly that.  An example missing from the list, or a listed
# one no longer in the documents, fails: the list follows the documents.
# Prints "examples: N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
AUTHCHECK=${AUTHCHECK:-$top/authcheck}
case $AUTHCHECK in /*) ;; *) AUTHCHECK=$top/$AUTHCHECK ;; esac
export AUTHCHECK_DATADIR="${AUTHCHECK_DATADIR:-$top/data}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-examples.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# The scratch directory: `authcheck` and `./authcheck` are the program.
mkdir -p "$tmp/bin" "$tmp/work/zones"
ln -s "$AUTHCHECK" "$tmp/bin/authcheck"
ln -s "$AUTHCHECK" "$tmp/work/authcheck"
ln -s "$top/data" "$tmp/work/data"
cat >"$tmp/work/zones/example.com.zone" <<'Z'
$ORIGIN example.com.
$TTL 3600
@	SOA	ns1 hostmaster 2026120301 3600 900 604800 300
@	NS	ns1
ns1	A	192.0.2.53
@	MX	10 mail
mail	A	192.0.2.25
@	TXT	"v=spf1 mx -all"
_dmarc	TXT	"v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
Z
cat >"$tmp/work/zones/db.example.net" <<'Z'
$ORIGIN example.net.
$TTL 3600
@	SOA	ns1 hostmaster 2026120301 3600 900 604800 300
@	NS	ns1
ns1	A	192.0.2.53
@	MX	0 .
@	TXT	"v=spf1 -all"
_dmarc	TXT	"v=DMARC1; p=reject"
Z
git -C "$tmp/work" init -q 2>/dev/null
# The mail server's certificate of the generate tlsa example, made now.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tmp/work/mail.key" -out "$tmp/work/mail.pem" -days 30 \
    -subj /CN=mx.example.com >/dev/null 2>&1

# STATUS (exit status), "network" or "terminal", then the example as
# written (./ dropped, spaces squeezed).
cat >"$tmp/expect" <<'E'
network	authcheck example.com
network	authcheck example.com example.net --format json
network	authcheck --domains list.txt --stats
network	authcheck smtp example.com
network	authcheck smtp mail.example.com:587
network	authcheck smtp mail.example.com:465
network	authcheck smtp mail.example.com:2465 --implicit-tls
network	authcheck example.com --no-smtp
network	authcheck example.com --helo probe.example.net --smtp-timeout 5
network	authcheck example.com --trust-anchor my-anchor.ds
network	authcheck example.com --no-dnssec
network	authcheck smtp mx.example.com:25 --tlsa '3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6'
network	authcheck --domains list.txt
network	authcheck --domains list.txt --format csv >health.csv
network	authcheck --domains list.txt --html health.html >/dev/null
network	authcheck --domains list.txt --format json >today.jsonl
network	authcheck --domains list.txt --baseline today.jsonl
network	authcheck example.com -s s1 -s s2 --ip 192.0.2.10
network	authcheck example.com --reputation --resolver 127.0.0.1
network	authcheck blocklist 192.0.2.10 192.0.2.0/28 example.com --resolver 127.0.0.1
network	authcheck blocklist 192.0.2.10 example.com --resolver 127.0.0.1
0	authcheck record '"v=spf1 include:_spf.example.net" " -all"'
network	authcheck spf --ip 192.0.2.10 --sender alice@example.com
network	authcheck spf example.com --ip 2001:db8::25
network	authcheck spf --ip 192.0.2.10 --sender '' --helo mx.example.com
network	authcheck spf example.com --ip 192.0.2.10 --format json
network	authcheck spf example.com --ip 192.0.2.10 --resolver 9.9.9.9 --timeout 1 --retries 1
network	authcheck spf example.com --ip 192.0.2.10 --no-prefetch
network	authcheck spf example.com
network	authcheck dmarc mail.example.com
network	authcheck dkim example.com -s google -s selector1
0	authcheck spf example.test --ip 198.51.100.7 --zone data/demo/example.test.zone --zone data/demo/mailhost.test.zone --zone data/demo/bulkmail.test.zone
0	authcheck zone zones/example.com.zone zones/db.example.net
0	authcheck zone --strict --ignore spf.ptr --format json zones/*.zone
0	authcheck zone --install-hook
0	authcheck findings
0	authcheck findings --format json
network	authcheck generate spf --domain example.com --provider google,sendgrid --ip4 192.0.2.10
0	authcheck generate dmarc --domain example.com --policy none --rua dmarc@example.com
0	authcheck generate dkim -s 2026a --domain example.com
0	authcheck generate tlsa --cert mail.pem --host mx.example.com
0	authcheck generate spf --domain example.com --provider google --offline
terminal	authcheck generate
network	authcheck spf --ip 192.0.2.10 --sender '' --helo mx.example.com --format json
1	authcheck example.test shop.test --no-https --zone data/demo/example.test.zone --zone data/demo/shop.test.zone --zone data/demo/mailhost.test.zone --zone data/demo/bulkmail.test.zone --zone data/demo/reverse.zone
network	authcheck spf example.com --ip 2001:db8::25 --resolver 127.0.0.1:5353 --timeout 0.5 --retries 1
network	authcheck generate spf --domain example.com --provider google,sendgrid --ip4 192.0.2.10 --format zone
0	authcheck generate spf --domain example.com --provider google,sendgrid --offline
E

PATH="$tmp/bin:$PATH" python3 - "$top" "$tmp" <<'PY'
import os, re, shutil, subprocess, sys

top, tmp = sys.argv[1], sys.argv[2]
work = os.path.join(tmp, "work")
passed = failed = 0

def ok():
    global passed
    passed += 1

def ko(msg):
    global failed
    failed += 1
    print("FAIL: " + msg)

def norm(cmd):
    cmd = re.sub(r"\s+", " ", cmd.strip())
    return cmd[2:] if cmd.startswith("./") else cmd

def commands(lines):
    """authcheck command lines (continuations joined, comments cut)."""
    out, cur = [], None
    for line in lines:
        if cur is None:
            s = line.strip()
            if not (s.startswith("authcheck ") or s.startswith("./authcheck ")
                    or s in ("authcheck", "./authcheck")):
                continue
            cur = ""
        # a comment: '#' after two spaces, outside the example's quotes
        line = re.sub(r"\s{2,}#.*$", "", line)
        if line.rstrip().endswith("\\"):
            cur += line.rstrip()[:-1] + " "
            continue
        out.append(norm(cur + line))
        cur = None
    return out

examples = []   # (source, command, expected output or None)
# README.md: fenced blocks; a ```sh block of one example followed by a
# plain ``` block is an example with its output.
readme = open(os.path.join(top, "README.md")).read().split("\n")
blocks, i = [], 0
while i < len(readme):
    m = re.match(r"^```(\w*)\s*$", readme[i])
    if m:
        j = i + 1
        while j < len(readme) and not readme[j].startswith("```"):
            j += 1
        blocks.append((m.group(1), readme[i + 1:j]))
        i = j + 1
    else:
        i += 1
for k, (lang, body) in enumerate(blocks):
    cmds = commands(body)
    shown = None
    if (len(cmds) == 1 and k + 1 < len(blocks) and blocks[k + 1][0] == ""
            and not commands(blocks[k + 1][1])):
        shown = "\n".join(blocks[k + 1][1]) + "\n"
    for c in cmds:
        examples.append(("README.md", c, shown))
# authcheck(1): .nf/.fi blocks of EXAMPLES.
man = open(os.path.join(top, "man", "authcheck.1")).read()
sec = man.split("\n.SH EXAMPLES\n", 1)[1].split("\n.SH ", 1)[0]
for body in re.findall(r"^\.nf\n(.*?)^\.fi$", sec, re.S | re.M):
    body = body.replace("\\-", "-").replace("\\e", "\\")
    for c in commands(body.split("\n")):
        examples.append(("authcheck(1)", c, None))

expect = {}
for line in open(os.path.join(tmp, "expect")):
    st, cmd = line.rstrip("\n").split("\t", 1)
    expect[cmd] = st
seen = set()
env = dict(os.environ, NO_COLOR="1")
for src, cmd, shown in examples:
    seen.add(cmd)
    st = expect.get(cmd)
    if st is None:
        ko("%s: example not in tests/integration/examples.sh: %s" % (src, cmd))
        continue
    if st in ("network", "terminal"):
        print("SKIP (needs %s): %s: %s" % ("the network" if st == "network"
              else "a terminal", src, cmd))
        continue
    # Each in a fresh copy: examples write files (a key, a git hook).
    run = os.path.join(tmp, "run")
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(work, run, symlinks=True)
    try:
        p = subprocess.run(["sh", "-c", cmd], cwd=run, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=120)
    except subprocess.TimeoutExpired:
        ko("%s: timed out: %s" % (src, cmd))
        continue
    err = p.stderr.decode(errors="replace")
    if p.returncode == int(st):
        ok()
    else:
        ko("%s: exit %d, want %s: %s\n%s" % (src, p.returncode, st, cmd,
           err[-800:]))
    if "runtime error" in err or "Sanitizer" in err:
        ko("%s: sanitizer report: %s\n%s" % (src, cmd, err[-800:]))
    if shown is not None:
        out = p.stdout.decode(errors="replace")
        if out == shown:
            ok()
        else:
            ko("%s: output differs from the one shown: %s\n--- shown\n%s--- got\n%s"
               % (src, cmd, shown, out))
for cmd in expect:
    if cmd not in seen:
        ko("listed but in neither document (update the list): " + cmd)
print("examples: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
