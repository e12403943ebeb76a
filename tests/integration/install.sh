#!/bin/sh
# `make install` into a scratch DESTDIR (PREFIX as built): every file where
# it belongs, the installed program run on the installed demo world prints
# what the in-tree program prints on data/demo, the installed completion
# scripts are the program's, and `make uninstall` removes every file.
# Uses the release build ./authcheck (what `make install` installs).
# Prints "install: N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
cd "$top" || exit 1
# The prefix the tree is built for (Makefile default unless overridden).
prefix=$(make -s --no-print-directory -f Makefile -f - print-prefix <<'MK'
print-prefix:
	@echo $(PREFIX)
MK
)
d="$tmp/root"
if make -s --no-print-directory install DESTDIR="$d" >"$tmp/log" 2>&1; then ok; else
	ko "make install DESTDIR=$d failed:"; cat "$tmp/log"
fi
p="$d$prefix"
for f in bin/authcheck share/man/man1/authcheck.1 \
    share/authcheck/providers/google.json share/authcheck/providers/README.md \
    share/authcheck/dkim-selectors.txt share/authcheck/blocklists.json \
    share/authcheck/demo/example.test.zone \
    share/authcheck/demo/run.sh share/authcheck/pre-commit-hook.sh \
    share/bash-completion/completions/authcheck \
    share/zsh/site-functions/_authcheck; do
	[ -f "$p/$f" ] && ok || ko "not installed: $prefix/$f"
done
[ -x "$p/bin/authcheck" ] && ok || ko "$prefix/bin/authcheck is not executable"
[ -x "$p/share/authcheck/pre-commit-hook.sh" ] && ok ||
    ko "$prefix/share/authcheck/pre-commit-hook.sh is not executable"
n=$(ls data/providers/*.json | wc -l)
m=$(ls "$p"/share/authcheck/providers/*.json 2>/dev/null | wc -l)
[ "$n" -eq "$m" ] && ok || ko "$m of $n provider templates installed"
# the installed program finds the installed blocklists (answers from an
# empty zone file: no list is usable, but the file was read)
: >"$tmp/empty.zone"
AUTHCHECK_DATADIR="$p/share/authcheck" "$p/bin/authcheck" blocklist 192.0.2.1 \
    --zone "$tmp/empty.zone" --format json 2>"$tmp/blerr" |
    grep -q '"list":"spamhaus-zen"' && ok ||
    { ko "installed blocklists.json not read"; cat "$tmp/blerr"; }

# The installed program, its data found through AUTHCHECK_DATADIR (the
# compiled-in $prefix/share/authcheck is outside DESTDIR), on the installed
# demo world, against the in-tree program on data/demo.
NO_COLOR= sh data/demo/run.sh ./authcheck --no-color >"$tmp/tree.out" 2>&1
rc1=$?
NO_COLOR= AUTHCHECK_DATADIR="$p/share/authcheck" \
    sh "$p/share/authcheck/demo/run.sh" "$p/bin/authcheck" --no-color \
    >"$tmp/inst.out" 2>&1
rc2=$?
[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && ok ||
    ko "demo exit statuses: in-tree $rc1, installed $rc2 (want 0)"
if cmp -s "$tmp/tree.out" "$tmp/inst.out"; then ok; else
	ko "the installed demo prints something else:"
	diff -u "$tmp/tree.out" "$tmp/inst.out" | head -40
fi
./authcheck providers >"$tmp/prov1" 2>&1
AUTHCHECK_DATADIR="$p/share/authcheck" "$p/bin/authcheck" providers >"$tmp/prov2" 2>&1
cmp -s "$tmp/prov1" "$tmp/prov2" && ok ||
    ko "installed 'providers' differs from the in-tree one"
# Without AUTHCHECK_DATADIR the program looks in the compiled-in place.
if env -u AUTHCHECK_DATADIR "$p/bin/authcheck" providers >/dev/null 2>"$tmp/err"; then
	[ -d "$prefix/share/authcheck/providers" ] && ok ||
	    ko "providers found without AUTHCHECK_DATADIR, but not in $prefix"
else
	grep -q "$prefix/share/authcheck/providers" "$tmp/err" && ok ||
	    ko "templates not looked for in $prefix/share/authcheck: $(cat "$tmp/err")"
fi
./authcheck completion bash | cmp -s - "$p/share/bash-completion/completions/authcheck" &&
    ok || ko "installed bash completion is not the program's"
./authcheck completion zsh | cmp -s - "$p/share/zsh/site-functions/_authcheck" &&
    ok || ko "installed zsh completion is not the program's"

if make -s --no-print-directory uninstall DESTDIR="$d" >"$tmp/log" 2>&1; then ok; else
	ko "make uninstall failed:"; cat "$tmp/log"
fi
left=$(find "$d" ! -type d | head -5)
[ -z "$left" ] && ok || ko "left after make uninstall: $left"

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
