#!/bin/sh
# Many domains at once (`authcheck --domains`): --format csv read back with
# python3's csv module, the --html page (every domain present, hostile DNS
# text escaped, loaded in headless Chromium: no console errors, sorting and
# filtering, a screenshot kept), --baseline over two versions of a world,
# --resume after a killed run, --shard and the GNU parallel recipe of the
# README (merged output equal to one run's), the summary table, the
# progress line (on a terminal only).  DNS from tests/zones/hub/ (--zone).
# Prints "hub: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
export AUTHCHECK_DATADIR=${AUTHCHECK_DATADIR:-$(pwd)/data}
ARTIFACTS=${ARTIFACTS:-$(pwd)/build/artifacts}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0; fail=0
V1="--zone tests/zones/hub/v1.zone --no-https"
V2="--zone tests/zones/hub/v2.zone --no-https"
DOMAINS="good.hub.test soft.hub.test bad.hub.test evil.hub.test moved.hub.test"
printf '%s\n' $DOMAINS >"$tmp/list"

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
	echo "  stdout: $(head -c 600 "$tmp/out")"
	echo "  stderr: $(head -c 600 "$tmp/err")"
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
has() {
	if grep -q -F -e "$3" "$2"; then ok; else bad "$1: $2 lacks '$3'"; fi
}
hasnt() {
	if grep -q -F -e "$3" "$2"; then bad "$1: $2 has '$3'"; else ok; fi
}
# py NAME SCRIPT [ARGS...]: a python3 check that prints "ok" or why not.
py() {
	name=$1; shift
	if r=$(python3 - "$@" 2>&1) && [ "$r" = ok ]; then ok; else
		fail=$((fail + 1)); echo "FAIL: $name: $r"; fi
}

# ---- CSV ------------------------------------------------------------------
ac --domains "$tmp/list" $V1 --format csv
expect "csv exit (errors found)" 1
cp "$tmp/out" "$tmp/v1.csv"
py "csv content" "$tmp/v1.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, body = rows[0], rows[1:]
want = ["domain", "verdict", "score", "spf", "dmarc", "dkim", "mx", "mta_sts",
        "tls_rpt", "bimi", "transport", "reputation", "errors", "warnings",
        "spf_lookups",
        "dmarc_policy", "dkim_selectors", "mx_count", "findings"]
if head != want: print("header", head); sys.exit()
d = {r[0]: dict(zip(head, r)) for r in body}
if [r[0] for r in body] != ["good.hub.test", "soft.hub.test", "bad.hub.test",
                            "evil.hub.test", "moved.hub.test"]:
    print("rows not in input order", [r[0] for r in body]); sys.exit()
checks = [
    d["good.hub.test"]["dmarc_policy"] == "reject",
    d["good.hub.test"]["spf"] == "pass",
    d["good.hub.test"]["mx_count"] == "1",
    d["good.hub.test"]["transport"] == "skipped",   # --zone: not probed
    d["good.hub.test"]["reputation"] == "skipped",  # off by default
    d["soft.hub.test"]["spf_lookups"] == "1",
    d["soft.hub.test"]["dmarc"] == "warn",
    d["bad.hub.test"]["verdict"] == "fail",
    "spf.pass-all" in d["bad.hub.test"]["findings"].split(),
    "dmarc.missing" in d["bad.hub.test"]["findings"].split(),
    d["bad.hub.test"]["dmarc_policy"] == "",
    int(d["bad.hub.test"]["errors"]) == 2,
    "dmarc.uri-invalid" in d["evil.hub.test"]["findings"].split(),
    all(r["score"].isdigit() for r in d.values()),
]
print("ok" if all(checks) else "checks %s" % checks)
PY

# ---- the summary table after text output -------------------------------------
ac --domains "$tmp/list" $V1 --no-color
expect "text exit" 1
has "summary counts" "$tmp/out" "summary: 5 domains: 2 fail, 0 incomplete, 3 warn, 0 pass"
py "summary worst first" "$tmp/out" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = [k for k, l in enumerate(lines) if l.startswith("summary: ")][0]
rows = [l.split() for l in lines[i + 2:] if l.startswith("  ")]
names = [r[0] for r in rows]
scores = [(r[1], int(r[2])) for r in rows]
rank = {"fail": 0, "incomplete": 1, "warn": 2, "pass": 3}
keys = [(rank[v], s) for v, s in scores]
want = sorted(n + ".hub.test" for n in "good soft bad evil moved".split())
print("ok" if sorted(names) == want and keys == sorted(keys)
      and names[0] in ("bad.hub.test", "evil.hub.test") else "table %s" % rows)
PY
ac good.hub.test $V1 --no-color
hasnt "no summary for one domain" "$tmp/out" "summary:"

# ---- baseline ----------------------------------------------------------------
ac --domains "$tmp/list" $V1 --format json
cp "$tmp/out" "$tmp/v1.jsonl"
ac --domains "$tmp/list" $V1 --baseline "$tmp/v1.jsonl" --format json
expect "baseline unchanged: exit 0 despite old errors" 0
py "baseline unchanged: no changes" "$tmp/out" <<'PY'
import json, sys
ds = [json.loads(l) for l in open(sys.argv[1])]
c = [d["changes"] for d in ds]
print("ok" if len(ds) == 5 and all(not x["new_domain"] and not x["appeared"]
      and not x["fixed"] and not x["records"] and x["score"]["old"] ==
      x["score"]["new"] for x in c) else c)
PY
ac --domains "$tmp/list" $V2 --baseline "$tmp/v1.jsonl" --format json
expect "baseline: new errors exit 1" 1
py "baseline changes" "$tmp/out" <<'PY'
import json, sys
ds = {d["domain"]: d for d in map(json.loads, open(sys.argv[1]))}
m = ds["moved.hub.test"]["changes"]
recs = {r["what"]: r for r in m["records"]}
checks = [
    m["new_domain"] is False,
    recs["spf"]["old"] == "v=spf1 ip4:192.0.2.25 -all",
    recs["spf"]["new"] == "v=spf1 include:good.hub.test include:soft.hub.test -all",
    recs["dmarc"]["old"].startswith("v=DMARC1; p=reject") and recs["dmarc"]["new"] is None,
    "dmarc.missing" in [f["id"] for f in m["appeared"]],
    "spf.duplicate-include" in [f["id"] for f in m["appeared"]],
    m["new_errors"] == 1,
    m["spf_lookups"] == {"old": 0, "new": 3},
    m["score"]["new"] < m["score"]["old"],
    m["score"]["new"] == ds["moved.hub.test"]["score"],
    all(not ds[d]["changes"]["records"] and not ds[d]["changes"]["appeared"]
        for d in ds if d != "moved.hub.test"),
]
print("ok" if all(checks) else "checks %s %s" % (checks, m))
PY
# Backwards: v2 as the baseline of v1: the errors were fixed, none new.
ac --domains "$tmp/list" $V2 --format json
cp "$tmp/out" "$tmp/v2.jsonl"
ac --domains "$tmp/list" $V1 --baseline "$tmp/v2.jsonl" --no-color
expect "baseline: fixes only exit 0" 0
has "baseline text: fixed" "$tmp/out" "fixed: error dmarc.missing"
has "baseline text: record" "$tmp/out" 'spf: "v=spf1 include:good.hub.test include:soft.hub.test -all" -> "v=spf1 ip4:192.0.2.25 -all"'
has "baseline text: lookups" "$tmp/out" "SPF lookups 3 -> 0 (-3)"
has "baseline text: unchanged" "$tmp/out" "Changes since $tmp/v2.jsonl: none"
has "baseline summary" "$tmp/out" "1 changed, 0 with new errors"
# A domain the baseline does not know: everything is new.
head -n 4 "$tmp/v1.jsonl" >"$tmp/v1-4.jsonl"
ac --domains "$tmp/list" $V2 --baseline "$tmp/v1-4.jsonl" --format csv
expect "baseline: new domain with errors exit 1" 1
py "baseline csv columns" "$tmp/out" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
m = [r for r in rows if r["domain"] == "moved.hub.test"][0]
g = [r for r in rows if r["domain"] == "good.hub.test"][0]
print("ok" if m["score_change"] == "" and "dkim.none-found" in m["findings_appeared"]
      and "dmarc.missing" in m["findings_appeared"] and g["score_change"] == "+0"
      and g["findings_appeared"] == "" else rows)
PY
# Hostile baselines: a clear error, exit 2, bounded memory.
printf 'not json\n' >"$tmp/junk.jsonl"
ac good.hub.test $V1 --baseline "$tmp/junk.jsonl"
expect "baseline junk exit 2" 2
has "baseline junk message" "$tmp/err" "junk.jsonl:1: not a report of"
python3 -c 'import sys; sys.stdout.write("{\"domain\":\"" + "a" * (17 << 20) + "\"}\n")' >"$tmp/huge.jsonl"
ac good.hub.test $V1 --baseline "$tmp/huge.jsonl"
expect "baseline huge line exit 2" 2
has "baseline huge message" "$tmp/err" "huge.jsonl:1: line longer than"
ac good.hub.test $V1 --baseline "$tmp/missing.jsonl"
expect "baseline missing exit 2" 2

# ---- HTML --------------------------------------------------------------------
ac --domains "$tmp/list" $V2 --baseline "$tmp/v1.jsonl" --html "$tmp/hub.html" --format json
expect "html exit" 1
page="$tmp/hub.html"
ac good.hub.test $V1 --html "$tmp/no/such/dir/x.html"
expect "html: an unwritable path fails first" 2
has "html: unwritable path named" "$tmp/err" "no/such/dir/x.html.tmp"
if [ ! -e "$page.tmp" ]; then ok; else bad "html: scratch page left"; fi
for d in $DOMAINS; do has "html has $d" "$page" "data-name=\"$d\""; done
hasnt "html escapes script" "$page" "<script>alert"
hasnt "html escapes img" "$page" "<img src=x"
has "html escaped script" "$page" "&lt;script&gt;alert(1)&lt;/script&gt;"
has "html escaped img" "$page" "rua=mailto:&lt;img src=x onerror=alert(2)&gt;@evil.hub.test"
has "html control byte shown" "$page" '\x1b[31m'
has "html changes section" "$page" "Changes since"
has "html summary" "$page" "Most common findings"
py "html self-contained" "$page" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
ext = re.findall(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:|//)', s, re.I)
scripts = re.findall(r"<script[^>]*>", s)
print("ok" if not ext and scripts == ["<script>"] and "@import" not in s
      else "external %s scripts %s" % (ext, scripts))
PY
py "html worst first" "$page" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
rows = [(int(r), int(sc)) for r, sc in re.findall(r'<tbody class="dom" data-rank="(\d)" data-score="(\d+)"', s)]
print("ok" if len(rows) == 5 and rows == sorted(rows) else rows)
PY
if command -v chromium >/dev/null 2>&1; then
	# The page as Chromium runs it: console errors, the DOM after the
	# script sorted by score descending and filtered, a screenshot.
	mkdir -p "$ARTIFACTS"
	chrome() {
		timeout 120 chromium --headless --no-sandbox --disable-gpu \
		    --disable-dev-shm-usage --user-data-dir="$tmp/chrome" \
		    --enable-logging=stderr --v=0 "$@"
	}
	chrome --dump-dom "file://$page#sort=-score&filter=dmarc.missing" \
	    >"$tmp/dom.html" 2>"$tmp/chrome.err"
	hasnt "chromium: no console errors" "$tmp/chrome.err" "CONSOLE"
	py "chromium: sorted and filtered" "$tmp/dom.html" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
bodies = re.findall(r'<tbody class="dom"([^>]*)>', s)
order = [re.search(r'data-name="([^"]+)"', b).group(1) for b in bodies]
shown = [re.search(r'data-name="([^"]+)"', b).group(1) for b in bodies if " hidden" not in b]
scores = [int(re.search(r'data-score="(\d+)"', b).group(1)) for b in bodies]
print("ok" if scores == sorted(scores, reverse=True) and
      sorted(shown) == ["bad.hub.test", "moved.hub.test"] and
      "2 of 5 shown" in s else "order %s scores %s shown %s" % (order, scores, shown))
PY
	chrome --hide-scrollbars --window-size=1400,1600 \
	    --screenshot="$ARTIFACTS/hub-report.png" \
	    "file://$page#domain=evil.hub.test" >/dev/null 2>&1
	if [ -s "$ARTIFACTS/hub-report.png" ]; then ok; else
		fail=$((fail + 1)); echo "FAIL: chromium screenshot"; fi
else
	fail=$((fail + 1))
	echo "FAIL: chromium is not installed (make deps installs it)"
fi

# ---- resume ------------------------------------------------------------------
ac --domains "$tmp/list" $V1 --format json
sort "$tmp/out" >"$tmp/single.sorted"
printf 'good.hub.test\nsoft.hub.test\n' >"$tmp/first2"
ac --domains "$tmp/first2" $V1 --resume "$tmp/resumed.jsonl"
expect "resume: first part" 0
# A run killed in the middle of a line.
printf '{"domain":"bad.hub.test","verdict":"fa' >>"$tmp/resumed.jsonl"
ac --domains "$tmp/list" $V1 --resume "$tmp/resumed.jsonl"
expect "resume: the rest" 1
if [ ! -s "$tmp/out" ] && sort "$tmp/resumed.jsonl" | cmp -s - "$tmp/single.sorted"; then ok; else
	bad "resume: the file does not equal a single run"; fi
ac --domains "$tmp/list" $V1 --resume "$tmp/resumed.jsonl"
expect "resume: nothing left" 0
if sort "$tmp/resumed.jsonl" | cmp -s - "$tmp/single.sorted"; then ok; else
	bad "resume: a finished file changed"; fi
ac --domains "$tmp/list" $V1 --resume "$tmp/v1.csv"
expect "resume: not a report file" 2
ac --domains "$tmp/list" $V1 --resume "$tmp/x.jsonl" --format csv
expect "resume: --format csv refused" 2

# ---- shards and GNU parallel -------------------------------------------------
: >"$tmp/shards"
for k in 1 2 3; do
	ac --domains "$tmp/list" $V1 --format json --shard "$k/3"
	cat "$tmp/out" >>"$tmp/shards"
	cp "$tmp/out" "$tmp/shard.$k"
done
# The documented hash: FNV-1a 64 of the lower-case name, modulo N, is K-1.
py "shards follow the documented hash" "$tmp" <<'PY'
import json, sys
def fnv(s):
    h = 14695981039346656037
    for c in s.lower().rstrip(".").encode():
        h = ((h ^ c) * 1099511628211) % (1 << 64)
    return h
bad = []
for k in (1, 2, 3):
    for line in open("%s/shard.%d" % (sys.argv[1], k)):
        d = json.loads(line)["domain"]
        if fnv(d) % 3 != k - 1:
            bad.append((k, d))
print("ok" if not bad else bad)
PY
if sort "$tmp/shards" | cmp -s - "$tmp/single.sorted"; then ok; else
	bad "shards: merged output differs from one run"; fi
ac --domains "$tmp/list" $V1 --shard 4/3
expect "shard K > N refused" 2
ac --domains "$tmp/list" $V1 --shard 0/3
expect "shard 0 refused" 2
if command -v parallel >/dev/null 2>&1; then
	# The README's recipe with local workers instead of --sshlogin.
	parallel --will-cite --pipe -N 2 -j 3 "$AUTHCHECK" --domains - \
	    --format json --zone tests/zones/hub/v1.zone --no-https \
	    <"$tmp/list" >"$tmp/par.jsonl" 2>"$tmp/err"
	if sort "$tmp/par.jsonl" | cmp -s - "$tmp/single.sorted"; then ok; else
		bad "parallel: merged output differs from one run"; fi
else
	fail=$((fail + 1))
	echo "FAIL: GNU parallel is not installed (make deps installs it)"
fi

# ---- progress line -----------------------------------------------------------
ac --domains "$tmp/list" $V1 --format json
hasnt "no progress on a pipe" "$tmp/err" "domains/s"
hasnt "no progress on a pipe (2)" "$tmp/err" "ETA"
if command -v script >/dev/null 2>&1; then
	script -qec "$AUTHCHECK --domains $tmp/list $V1 --format json >/dev/null" \
	    /dev/null >"$tmp/tty" 2>&1
	has "progress on a terminal" "$tmp/tty" "5/5 domains"
	has "progress rate and ETA" "$tmp/tty" "/s, ETA 0:00"
fi

echo "hub: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
