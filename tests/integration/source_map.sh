#!/bin/sh
# The README's source-tree map names every file of src/ exactly once and no
# file that is not there.  Entries are the words at the start of the lines
# of the map's src/ block: "name.c", "name.h", "name.[ch]" (both), in
# comma-separated lists ("render.h, render_json.c").
# Prints "source_map: N passed, M failed".
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-srcmap.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0; fail=0

# The block: from the line "src/" to the first line not indented by two.
awk '
	/^## Source tree/ { insec = 1; next }
	insec && /^src\/$/ { inblk = 1; next }
	inblk && !/^  / { exit }
	inblk && /^  [^ ]/ { print }
' README.md >"$tmp/block"
# The names that open each entry line (a comma-separated list); the
# description after them is dropped; name.[ch] stands for both files.
sed -n -E 's/^  ([A-Za-z0-9_.]+(\[ch\])?(, [A-Za-z0-9_.]+(\[ch\])?)*).*/\1/p' \
    "$tmp/block" | tr ',' '\n' |
    sed -e 's/^ *//' -e 's/ *$//' | grep -v '^$' |
    sed -e 's/^\(.*\)\.\[ch\]$/\1.c\n\1.h/' >"$tmp/listed"
sort "$tmp/listed" >"$tmp/listed.sorted"
(cd src && ls -1 -- *.c *.h) | sort >"$tmp/present"

if [ -s "$tmp/listed" ]; then pass=$((pass + 1)); else
	fail=$((fail + 1)); echo "FAIL: no src/ block found in README.md's Source tree"
fi
dups=$(uniq -d "$tmp/listed.sorted")
if [ -z "$dups" ]; then pass=$((pass + 1)); else
	fail=$((fail + 1)); echo "FAIL: listed more than once:" $dups
fi
missing=$(sort -u "$tmp/listed.sorted" | comm -13 - "$tmp/present")
if [ -z "$missing" ]; then pass=$((pass + 1)); else
	fail=$((fail + 1)); echo "FAIL: in src/ but not in README.md's map:" $missing
fi
extra=$(sort -u "$tmp/listed.sorted" | comm -23 - "$tmp/present")
if [ -z "$extra" ]; then pass=$((pass + 1)); else
	fail=$((fail + 1)); echo "FAIL: in README.md's map but not in src/:" $extra
fi
echo "source_map: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
