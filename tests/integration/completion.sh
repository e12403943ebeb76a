#!/bin/sh
# Shell completion, as printed by `authcheck completion bash|zsh` (what
# `make install` and the package install).  bash: the script registers
# _authcheck (`complete -p`), and the function, called as bash calls it,
# completes commands, each command's options, enumerated values, provider
# IDs and finding IDs on partial words; every option it offers is one the
# parser knows and every enumerated value is one the parser takes (checked
# by running the program).  zsh: compinit finds and loads _authcheck from
# fpath without errors.  Prints "completion: N passed, M failed".
set -u
AUTHCHECK=${AUTHCHECK:-./authcheck}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcheck-compl.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

"$AUTHCHECK" completion bash >"$tmp/authcheck" 2>"$tmp/err" && ok ||
    ko "completion bash: $(cat "$tmp/err")"
mkdir "$tmp/zsh"
"$AUTHCHECK" completion zsh >"$tmp/zsh/_authcheck" 2>"$tmp/err" && ok ||
    ko "completion zsh: $(cat "$tmp/err")"
"$AUTHCHECK" completion fish >/dev/null 2>&1
[ $? -eq 2 ] && ok || ko "completion fish: want exit 2"

# ---- bash ---------------------------------------------------------------
# comp WORD...: what the completion function offers for the last word, one
# a line, sorted (COMP_WORDS as bash splits a line: '=' is a word).
cat >"$tmp/drive.bash" <<'B'
[ -r /usr/share/bash-completion/bash_completion ] &&
    . /usr/share/bash-completion/bash_completion
. "$1"; shift
comp() {
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
	_authcheck authcheck "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}
case $1 in
complete-p) complete -p authcheck ;;
*) comp "$@" ;;
esac
B
comp() { bash --norc --noprofile "$tmp/drive.bash" "$tmp/authcheck" authcheck "$@" 2>&1; }
# want "WORDS" EXPECTED...: the completion of authcheck WORDS is EXPECTED.
want() {
	w=$1; shift
	# shellcheck disable=SC2086 # WORDS split on purpose; '' = empty word
	got=$(eval "comp $w" | tr '\n' ' ')
	exp=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$got" = "$exp" ] && ok || ko "authcheck $w<TAB>: got '$got', want '$exp'"
}

out=$(bash --norc --noprofile "$tmp/drive.bash" "$tmp/authcheck" complete-p 2>&1)
[ "$out" = "complete -F _authcheck authcheck" ] && ok || ko "complete -p: $out"

# Commands: those of --help.
cmds=$("$AUTHCHECK" --help | sed -n 's/^  authcheck \([a-z][a-z]*\).*/\1/p' | sort -u)
# shellcheck disable=SC2086
want "''" check $cmds
want "ge" generate
want "pro" providers
want "-" $(comp --) -V -h -s
want "--v" --version
want "gen --" $(comp gen --)		# not a command: the domain report's
want "generate --pol" --policy
want "generate --policy q" quarantine
want "generate --sp ''" none quarantine reject
want "generate --adkim ''" r s
want "generate --all ''" fail softfail
want "generate --bits 3" 3072
want "generate --format ''" json text zone
want "generate --format = z" zone
want "generate ''" dkim dmarc spf tlsa
want "generate --offline d" dkim dmarc
want "findings --format ''" json man text
want "providers --format ''" json text
want "spf --format j" json
want "--format ''" json text
want "record --type ''" bimi dkim dmarc mta-sts spf tls-rpt
want "record --type t" tls-rpt
# Finding IDs: those of the catalogue (`findings --format json`).
# shellcheck disable=SC2046 # one word per ID
want "zone --ignore spf.p" $("$AUTHCHECK" findings --format json |
    python3 -c 'import json, sys
print(" ".join(o["id"] for o in map(json.loads, sys.stdin)
    if o["id"].startswith("spf.p")))')
want "zone --ignore spf.ptr,dmarc.pol" spf.ptr,dmarc.policy-none
want "generate --provider goo" google
want "generate --provider google,sen" google,sendgrid
want "dkim -s ''"
want "zone data/demo/example.t" data/demo/example.test.zone
want "spf --zone data/demo/shop" data/demo/shop.test.zone
want "--domains data/demo/shop" data/demo/shop.test.zone

# Provider and finding IDs: all of them, from the program's own lists.
ids=$("$AUTHCHECK" providers --format json | python3 -c '
import json, sys
for l in sys.stdin: print(json.loads(l)["id"])')
# shellcheck disable=SC2086
want "generate --provider ''" $ids
ids=$("$AUTHCHECK" findings --format json | python3 -c '
import json, sys
for l in sys.stdin: print(json.loads(l)["id"])')
[ -n "$ids" ] && ok || ko "no finding IDs from 'findings --format json'"
# shellcheck disable=SC2086
want "zone --ignore ''" $ids

# Every option offered is one the parser takes; every enumerated value is
# accepted (the parser reaches the bogus option after it).
for c in $cmds; do
	for o in $(comp "$c" --); do
		"$AUTHCHECK" "$c" "$o" x --no-such-option-x >/dev/null 2>"$tmp/err"
		if grep -q "unknown option '$o'" "$tmp/err"; then
			ko "$c $o: offered, but the parser does not know it"
		else ok; fi
	done
done
for pair in "generate --format" "generate --all" "generate --bits" \
    "generate --policy" "generate --adkim" "record --type" \
    "findings --format" "providers --format" "spf --format" "zone --format"; do
	# shellcheck disable=SC2086
	for v in $(comp $pair "''"); do
		# shellcheck disable=SC2086
		"$AUTHCHECK" $pair "$v" --no-such-option-x >/dev/null 2>"$tmp/err"
		grep -q "unknown option '--no-such-option-x'" "$tmp/err" && ok ||
		    ko "$pair $v: offered, but refused: $(head -1 "$tmp/err")"
	done
done

# ---- zsh ----------------------------------------------------------------
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$tmp/zsh/_authcheck" 2>"$tmp/err" && ok ||
	    ko "zsh -n: $(cat "$tmp/err")"
	# compinit finds it in fpath and binds it to authcheck; autoloading it
	# works; sourced (as a user's .zshrc might), it defines one
	# function per command and registers itself.
	out=$(cd "$tmp" && HOME=$tmp zsh -fc "fpath=($tmp/zsh \$fpath)
autoload -U compinit; compinit -u -d $tmp/zcompdump
print -r -- \$_comps[authcheck]
autoload -Uz +X _authcheck && print loaded
unset '_comps[authcheck]'
source $tmp/zsh/_authcheck
print -r -- \$_comps[authcheck]
for c in $(echo $cmds); do
	(( \$+functions[_authcheck_cmd_\$c] )) || print missing \$c
done" 2>&1)
	[ "$out" = "_authcheck
loaded
_authcheck" ] && ok || ko "zsh compinit: '$out'"
	# Real completion in an interactive zsh on a pseudo-terminal (zpty):
	# type a partial line, TAB, Enter; a stand-in authcheck function prints
	# the arguments the line ended with.
	cat >"$tmp/drive.zsh" <<'Z'
zmodload zsh/zpty || exit 1
dir=$1; shift
zpty -b z 'TERM=dumb zsh -f -i'
zpty -w z "fpath=($dir \$fpath); autoload -U compinit; compinit -u -d $dir/../zdump; PS1='%% '; authcheck() { print -r -- \"ARGS<\$*>\"; }"
for k in "$@"; do zpty -w -n z "${(g::)k}"; sleep 0.3; done
out= n=0 t=0
while (( n < $# && t < 200 )); do
	if zpty -r -t z line; then
		out+=$line
		n=${#${(M)${(f)out}:#*ARGS<[^\$]*}}
	else
		sleep 0.1; (( t++ ))
	fi
done
print -r -- "$out" | tr -d '\r' | grep -ao 'ARGS<[^>]*>' | grep -v 'ARGS<\$\*>'
zpty -d z
Z
	got=$(cd "$(dirname "$0")/../.." && HOME=$tmp timeout 60 zsh -f "$tmp/drive.zsh" "$tmp/zsh" \
	    'authcheck ge\t--pol\tq\t\n' \
	    'authcheck zone --ignore spf.pt\t\n' \
	    'authcheck generate --provider sendg\t\n' \
	    'authcheck record --type tl\t\n' \
	    'authcheck --no-h\t\n' \
	    'authcheck example.com --str\t\n' \
	    'authcheck findings --format m\t\n' \
	    'authcheck spf --zone data/demo/shop\t\n' 2>&1)
	for w in 'generate --policy=quarantine' 'zone --ignore spf.ptr' \
	    'generate --provider sendgrid' 'record --type tls-rpt' '--no-https' \
	    'example.com --strict' 'findings --format man' \
	    'spf --zone data/demo/shop.test.zone'; do
		printf '%s\n' "$got" | grep -qxF "ARGS<$w>" && ok ||
		    ko "zsh: no completion to 'authcheck $w' (got: $(echo $got))"
	done
else
	ko "zsh is not installed (make deps installs it)"
fi

echo "completion: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
