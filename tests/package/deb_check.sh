#!/bin/sh
# `make deb-check`: build the Debian package from a clean clone of the
# committed tree (`make deb`, i.e. dpkg-buildpackage -us -uc -b), run
# lintian on it (no error or warning may remain: the info tags that do are
# explained in debian/authcheck.lintian-overrides), and check what it holds:
# its name, its files, its dependencies (shared libraries from
# ${shlibs:Depends}, libcurl only recommended), the program extracted from
# it (dpkg -x) on the demo world it ships, against tests/golden/demo.txt.
# With AUTHCHECK_DEB_INSTALL=1 (CI, as root) it also installs the package
# with apt-get, runs the demo with the installed program finding its data
# by itself, and purges it again.  Prints "deb-check: N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-deb.XXXXXX") || exit 1
installed=
cleanup() {
	[ -n "$installed" ] && dpkg --purge authcheck >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
finish() {
	echo "deb-check: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

git clone -q "$top" "$tmp/src" && ok || { ko "git clone $top"; finish; }
echo "building from a clean clone of $(git -C "$tmp/src" log -1 --format='%h %s' | cut -c1-72)"
if (cd "$tmp/src" && make deb) >"$tmp/build.log" 2>&1; then ok; else
	ko "make deb failed:"; tail -40 "$tmp/build.log"; finish
fi
version=$(cd "$tmp/src" && dpkg-parsechangelog -SVersion)
arch=$(dpkg --print-architecture)
deb="$tmp/src/build/deb/authcheck_${version}_${arch}.deb"
changes="$tmp/src/build/deb/authcheck_${version}_${arch}.changes"
[ -f "$deb" ] && ok || { ko "no $(basename "$deb"):"; ls "$tmp/src/build/deb"; finish; }
echo "built $(basename "$deb")"

# lintian: errors and warnings fail; what is left is shown.
lintian --fail-on error,warning --display-level '>=info' --show-overrides \
    "$changes" >"$tmp/lintian" 2>&1
rc=$?
grep -v '^running with root privileges' "$tmp/lintian" | sed 's/^/lintian: /'
[ "$rc" -eq 0 ] && ok || ko "lintian exit $rc (errors or warnings above)"

# The files.
dpkg -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$tmp/files"
for f in /usr/bin/authcheck /usr/share/man/man1/authcheck.1.gz \
    /usr/share/authcheck/providers/google.json \
    /usr/share/authcheck/dkim-selectors.txt \
    /usr/share/authcheck/demo/example.test.zone /usr/share/authcheck/demo/run.sh \
    /usr/share/authcheck/pre-commit-hook.sh \
    /usr/share/bash-completion/completions/authcheck \
    /usr/share/zsh/vendor-completions/_authcheck \
    /usr/share/doc/authcheck/copyright; do
	grep -qxF "$f" "$tmp/files" && ok || ko "not in the package: $f"
done
n=$(ls "$top"/data/providers/*.json | wc -l)
m=$(grep -c '^/usr/share/authcheck/providers/.*\.json$' "$tmp/files")
[ "$n" -eq "$m" ] && ok || ko "$m of $n provider templates in the package"

# Dependencies: the linked libraries (shlibs), never libcurl; libcurl4
# recommended.
dep=$(dpkg-deb -f "$deb" Depends)
rec=$(dpkg-deb -f "$deb" Recommends)
for lib in libc6 libldns3 libpcre2-8-0 libssl3 libjansson4 libpsl5 libedit2; do
	case ", $dep" in *", $lib "*|*", $lib,"*|*", $lib") ok ;;
	*) ko "Depends lacks $lib: $dep" ;; esac
done
case $dep in *curl*) ko "Depends names libcurl: $dep" ;; *) ok ;; esac
case $rec in *libcurl4*) ok ;; *) ko "Recommends lacks libcurl4: '$rec'" ;; esac

# The extracted program.
x="$tmp/x"
dpkg -x "$deb" "$x" && ok || ko "dpkg -x"
bin="$x/usr/bin/authcheck"
[ "$("$bin" --version)" = "authcheck $version" ] && ok ||
    ko "version: '$("$bin" --version)', the package is $version"
NO_COLOR= AUTHCHECK_DATADIR="$x/usr/share/authcheck" \
    sh "$x/usr/share/authcheck/demo/run.sh" "$bin" --no-color >"$tmp/demo" 2>&1
rc=$?
[ "$rc" -eq 0 ] && ok || ko "the packaged demo exited $rc"
if diff -u "$tmp/src/tests/golden/demo.txt" "$tmp/demo" >"$tmp/diff"; then ok; else
	ko "the packaged demo differs from tests/golden/demo.txt:"; head -30 "$tmp/diff"
fi
# Its data directory is /usr/share/authcheck.
if env -u AUTHCHECK_DATADIR "$bin" providers >/dev/null 2>"$tmp/err"; then
	[ -d /usr/share/authcheck/providers ] && ok ||
	    ko "templates found without /usr/share/authcheck/providers"
else
	grep -q '/usr/share/authcheck/providers' "$tmp/err" && ok ||
	    ko "templates not looked for in /usr/share/authcheck: $(cat "$tmp/err")"
fi
AUTHCHECK_DATADIR="$x/usr/share/authcheck" "$bin" completion bash |
    cmp -s - "$x/usr/share/bash-completion/completions/authcheck" && ok ||
    ko "packaged bash completion is not the program's"
bash --norc -c ". '$x/usr/share/bash-completion/completions/authcheck' && complete -p authcheck" \
    >/dev/null 2>&1 && ok || ko "packaged bash completion does not load"

# Installed for real (CI): apt-get, the demo with the data found in
# /usr/share/authcheck, the man page, then purge.
if [ "${AUTHCHECK_DEB_INSTALL:-}" = 1 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		ko "AUTHCHECK_DEB_INSTALL=1 needs root"
	elif dpkg-query -W -f='${Status}' authcheck 2>/dev/null | grep -q 'ok installed'; then
		ko "authcheck is already installed: not touching it"
	else
		installed=1
		if DEBIAN_FRONTEND=noninteractive apt-get install -y \
		    --no-install-recommends "$deb" >"$tmp/apt" 2>&1; then ok; else
			ko "apt-get install:"; tail -20 "$tmp/apt"
		fi
		NO_COLOR= env -u AUTHCHECK_DATADIR sh /usr/share/authcheck/demo/run.sh \
		    /usr/bin/authcheck --no-color >"$tmp/demo2" 2>&1
		rc=$?
		[ "$rc" -eq 0 ] && ok || ko "installed demo exited $rc"
		diff -u "$tmp/src/tests/golden/demo.txt" "$tmp/demo2" >/dev/null && ok ||
		    ko "installed demo differs from tests/golden/demo.txt"
		env -u AUTHCHECK_DATADIR /usr/bin/authcheck generate spf \
		    --domain example.com --provider google --offline >/dev/null 2>&1 &&
		    ok || ko "installed: generate --provider google (templates) failed"
		man -w authcheck >/dev/null 2>&1 && ok || ko "man -w authcheck"
		dpkg --purge authcheck >/dev/null 2>&1 && ok || ko "dpkg --purge"
		installed=
		[ ! -e /usr/bin/authcheck ] && [ ! -e /usr/share/authcheck ] && ok ||
		    ko "files left after purge"
	fi
fi
finish
