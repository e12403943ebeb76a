#!/bin/sh
# The pre-commit integrations end to end in a temporary git repository:
# `authcheck zone --install-hook` installs data/pre-commit-hook.sh (byte
# for byte), a bad zone blocks the commit, a good one passes, the staged
# content is what counts (not the working tree), $INCLUDE sees staged files,
# an existing foreign hook is kept unless --force.  Also checks
# .pre-commit-hooks.yaml.  Prints "zone_hook: N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${AUTHCHECK:-$top/authcheck}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

if ! command -v git >/dev/null 2>&1; then
	echo "zone_hook: git not installed; skipped"
	echo "zone_hook: 0 passed, 0 failed"
	exit 0
fi

# ---- .pre-commit-hooks.yaml ------------------------------------------------
python3 - "$top/.pre-commit-hooks.yaml" <<'PY' && ok || ko ".pre-commit-hooks.yaml"
import re, sys, yaml
hooks = yaml.safe_load(open(sys.argv[1]))
h = [x for x in hooks if x["id"] == "authcheck-zone"][0]
assert h["language"] == "system" and h["entry"] == "authcheck zone", h
r = re.compile(h["files"])
for yes in ["example.com.zone", "zones/db.example.com", "x/example.db", "db.local"]:
    assert r.search(yes), yes
for no in ["README.md", "zone.txt", "dbx/file.txt", "zones/example.zonefile"]:
    assert not r.search(no), no
PY

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.test
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.test
export GIT_CONFIG_NOSYSTEM=1 HOME=$tmp
export AUTHCHECK=$bin
repo=$tmp/repo
git init -q "$repo" || { ko "git init"; echo "zone_hook: $pass passed, $fail failed"; exit 1; }
cd "$repo" || exit 1

good() {
	cat <<'Z'
$ORIGIN example.test.
$TTL 300
@	IN SOA	ns hostmaster 1 7200 3600 1209600 300
@	IN NS	ns
ns	IN A	192.0.2.1
@	IN TXT	"v=spf1 ip4:192.0.2.0/24 -all"
_dmarc	IN TXT	"v=DMARC1; p=reject; rua=mailto:d@example.test"
Z
}

# ---- --install-hook ------------------------------------------------------
"$bin" zone --install-hook >"$tmp/out" 2>&1; rc=$?
hook=$(git rev-parse --git-path hooks)/pre-commit
[ $rc -eq 0 ] && [ -x "$hook" ] && ok || ko "--install-hook: exit $rc: $(cat "$tmp/out")"
cmp -s "$hook" "$top/data/pre-commit-hook.sh" && ok || ko "installed hook differs from data/pre-commit-hook.sh"
"$bin" zone --install-hook >/dev/null 2>&1; [ $? -eq 0 ] && ok || ko "installing again is fine"

# a good zone is committed
mkdir zones
good >zones/example.test.zone
git add zones/example.test.zone
git commit -q -m good >"$tmp/out" 2>&1 && ok || ko "good zone blocked: $(cat "$tmp/out")"

# a bad zone blocks the commit, and the finding is shown with its path
good >zones/example.test.zone
printf '@\tIN TXT\t"v=spf1 +all"\n' >>zones/example.test.zone
git add zones/example.test.zone
if git commit -q -m bad >"$tmp/out" 2>&1; then
	ko "bad zone was committed"
else
	ok
	grep -q 'zones/example.test.zone:8: error: .*\[spf.pass-all\]' "$tmp/out" && ok ||
	    ko "hook output names the file and line: $(cat "$tmp/out")"
fi

# the staged content counts: fixing only the working tree still blocks
{ good; printf '; fixed\n'; } >zones/example.test.zone
# (a failed commit alone could be the hook failing: the finding must show)
if git commit -q -m still-bad >"$tmp/out" 2>&1; then
	ko "unstaged fix let a bad zone through"
else
	grep -q 'zones/example.test.zone:8: error: .*\[spf.pass-all\]' "$tmp/out" && ok ||
	    ko "unstaged fix: the staged finding is not shown: $(cat "$tmp/out")"
fi
git add zones/example.test.zone
git commit -q -m fixed >"$tmp/out" 2>&1 && ok || ko "staged fix blocked: $(cat "$tmp/out")"
# ... and a good staged zone passes although the working tree is broken
{ good; printf '; v2\n'; } >zones/example.test.zone
git add zones/example.test.zone
printf '@\tIN TXT\t"v=spf1 +all"\n' >>zones/example.test.zone
git commit -q -m v2 >"$tmp/out" 2>&1 && ok || ko "working-tree breakage blocked a good commit: $(cat "$tmp/out")"
good >zones/example.test.zone

# db.NAME files and $INCLUDE of a staged file
good | sed 's/example.test/inc.test/' >zones/db.inc.test
printf '$INCLUDE keys.inc\n' >>zones/db.inc.test
printf 'sel._domainkey\tIN TXT\t"v=DKIM1; k=rsa; p=bm90IGEga2V5IGF0IGFsbA=="\n' >zones/keys.inc
git add zones/db.inc.test zones/keys.inc
git commit -q -m include >"$tmp/out" 2>&1 && ko "bad key in a staged \$INCLUDE file was committed" || ok
grep -q 'zones/keys.inc:1: error: .*\[dkim.invalid-key\]' "$tmp/out" && ok ||
    ko "included file's finding: $(cat "$tmp/out")"
printf 'sel._domainkey\tIN TXT\t"v=DKIM1; k=rsa; p="\n' >zones/keys.inc
git add zones/keys.inc
git commit -q -m include-ok >"$tmp/out" 2>&1 && ok || ko "warning-only zone blocked: $(cat "$tmp/out")"

# names with a space and non-ASCII bytes reach authcheck unquoted
mkdir -p "zones/by site"
printf '@\tIN MX\t0 .\n@\tIN MX\t10 mail.example.test.\n' >"zones/by site/$(printf '\303\244').db"
printf '@\tIN MX\t0 .\n@\tIN MX\t10 mail.example.test.\n' >"zones/by site/back\\slash\"q.zone"
git add "zones/by site"
git commit -q -m names >"$tmp/out" 2>&1 && ko "bad zone with an unusual name was committed" || ok
grep -q "zones/by site/$(printf '\303\244').db:2: error: .*\[mx.null-mixed\]" "$tmp/out" && ok ||
    ko "unusual file name in the hook output: $(cat "$tmp/out")"
grep -q 'zones/by site/back\\slash"q.zone:2: error: .*\[mx.null-mixed\]' "$tmp/out" && ok ||
    ko "a name with a backslash and a quote: $(cat "$tmp/out")"
git rm -q -r --cached "zones/by site" && rm -rf "zones/by site"

# ---- a foreign hook is kept ----------------------------------------------
printf '#!/bin/sh\nexit 0\n' >"$hook"
"$bin" zone --install-hook >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q '^exit 0$' "$hook" && ok || ko "foreign hook replaced without --force (exit $rc)"
"$bin" zone --install-hook --force >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 0 ] && cmp -s "$hook" "$top/data/pre-commit-hook.sh" && ok || ko "--force did not install (exit $rc)"
"$bin" zone --install-hook extra.zone >/dev/null 2>&1; [ $? -eq 2 ] && ok || ko "--install-hook with FILE is a usage error"

# ---- the plain script, used directly ---------------------------------------
cd "$tmp" && git init -q plain && cd plain && cp "$top/data/pre-commit-hook.sh" .git/hooks/pre-commit &&
    chmod +x .git/hooks/pre-commit
printf '@\tIN MX\t10 192.0.2.7\n' >db.plain.test
git add db.plain.test
git commit -q -m bad >"$tmp/out" 2>&1 && ko "plain hook let mx.ip-literal through" || ok
grep -q 'db.plain.test:1: error: .*\[mx.ip-literal\]' "$tmp/out" && ok || ko "plain hook output: $(cat "$tmp/out")"
cd "$tmp" && git init -q outside && cd outside && rm -rf .git && {
	"$bin" zone --install-hook >/dev/null 2>&1; [ $? -eq 2 ] && ok || ko "--install-hook outside a repository exits 2"; }

echo "zone_hook: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
