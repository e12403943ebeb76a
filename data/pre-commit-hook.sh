#!/bin/sh
# authcheck pre-commit hook: lint the zone files of a commit with
# `authcheck zone` and block the commit when they have error findings.
# It checks what is staged (the index), not the working tree, so a fix
# left unstaged does not let a broken zone through.
# Zone files: *.zone, *.db, db.*.  Install: `authcheck zone --install-hook`.
# AUTHCHECK names the program (default: authcheck from PATH); extra
# options for it go in AUTHCHECK_ZONE_ARGS (e.g. "--strict").
# Skip once with `git commit --no-verify`.
AUTHCHECK=${AUTHCHECK:-authcheck}

# -z: names as they are (no C quoting); a name holding a newline is the
# one kind this cannot pass on.
files=$(git diff --cached --name-only --diff-filter=ACMR -z | tr '\0' '\n' |
    while IFS= read -r f; do
	case ${f##*/} in
	*.zone|*.db|db.*) printf '%s\n' "$f" ;;
	esac
done)
[ -n "$files" ] || exit 0

case $AUTHCHECK in /*) ;; */*) AUTHCHECK=$PWD/$AUTHCHECK ;; esac
if ! command -v "$AUTHCHECK" >/dev/null 2>&1; then
	echo "authcheck pre-commit: '$AUTHCHECK' not found; set AUTHCHECK or install authcheck" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-hook.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

# Export the staged version of every indexed file in the directories that
# hold the zone files, so that $INCLUDE sees staged content too.
dirs=$(printf '%s\n' "$files" | while IFS= read -r f; do
	case $f in */*) printf '%s/\n' "${f%/*}" ;; *) printf './\n' ;; esac
done | sort -u)
set --
while IFS= read -r d; do
	set -- "$@" "$d"
done <<LIST
$dirs
LIST
git ls-files -z -- "$@" | git checkout-index -z --prefix="$tmp/" --stdin || exit 1

set --
while IFS= read -r f; do
	set -- "$@" "$f"
done <<LIST
$files
LIST

# shellcheck disable=SC2086 # AUTHCHECK_ZONE_ARGS is split on purpose
(cd "$tmp" && "$AUTHCHECK" zone ${AUTHCHECK_ZONE_ARGS:-} -- "$@")
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "authcheck pre-commit: commit blocked (exit $rc); fix the findings above or use --no-verify" >&2
	exit 1
fi
exit 0
