#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion (completion/virtspec.bash): commands, each command's own options, option values,
# spec files, and the object names of the spec tree the configuration names — driven as bash
# does it: COMP_WORDS/COMP_CWORD set, the function `complete -p virtspec` names called.
# Usage: check-completion.sh VIRTSPEC SRCDIR
. "$(dirname "$0")/check-lib.sh"
src=$(cd "${2:?usage: check-completion.sh VIRTSPEC SRCDIR}" && pwd)
mkdir -p "$d/bin" "$d/specs" "$d/cwd/sub"
ln -s "$vs" "$d/bin/virtspec"
export PATH="$d/bin:$PATH"
printf 'kind: Pool\nname: p\npath: /srv/p\n---\nkind: Network\nname: n1\nip: 10.9.1.1/24\n' > "$d/specs/a.yaml"
printf 'kind: Domain\nname: web\nmemory: 1GiB\n---\nkind: Domain\nname: db\nmemory: 1GiB\n' > "$d/specs/b.yaml"
printf 'specs = %s\n' "$d/specs" > "$d/vs.conf"
: > "$d/cwd/a.yaml"; : > "$d/cwd/b.txt"; : > "$d/cwd/c.yml"
cd "$d/cwd"

ok "bash -n completion/virtspec.bash" bash -n "$src/completion/virtspec.bash"
source "$src/completion/virtspec.bash"
ok "complete -p virtspec names _virtspec" bash -c "source '$src/completion/virtspec.bash'; complete -p virtspec | grep -q -- '-F _virtspec virtspec$'"

comp() {   # comp WORD…: the completions bash offers for the last word
    COMP_WORDS=(virtspec "$@"); COMP_CWORD=$#
    COMPREPLY=()
    _virtspec virtspec "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sort
}
has() {   # has DESCRIPTION "WORDS…" EXPECTED… : each EXPECTED is offered
    local what=$1 words=$2; shift 2
    local got; got=$(eval "comp $words")
    local miss=; for w in "$@"; do grep -qxF -- "$w" <<<"$got" || miss="$miss $w"; done
    ok "$what${miss:+ (missing:$miss; got: $(tr '\n' ' ' <<<"$got"))}" test -z "$miss"
}
hasnt() {   # hasnt DESCRIPTION "WORDS…" UNWANTED…
    local what=$1 words=$2; shift 2
    local got; got=$(eval "comp $words")
    local bad=; for w in "$@"; do grep -qxF -- "$w" <<<"$got" && bad="$bad $w"; done
    ok "$what${bad:+ (offered:$bad)}" test -z "$bad"
}
is() {   # is DESCRIPTION "WORDS…" EXACT-LIST (space separated, sorted)
    local got; got=$(eval "comp $2" | tr '\n' ' '); got=${got% }
    ok "$1${got:+ (got: $got)}" test "$got" = "$3"
}

has "commands" "''" validate render placement plan apply destroy reload snapshot status daemon export reference version help
is "a prefix: one command" "ren" "render"
has "plan: its options" "plan --" --json --prune --target --connect --config --help --insecure-spec-perms
hasnt "…not another command's" "plan --" --vagrant --show-secrets --drift --host-kvm= --man=
has "destroy: its options" "destroy --" --yes --json --target --connect
hasnt "…not prune" "destroy --" --prune
has "render: its options" "render --" --show-secrets --host-kvm=
hasnt "…not plan's" "render --" --json --prune
is "reference --m" "reference --m" "--man="
is "daemon --drift VALUE" "daemon --drift ''" "correct report"
is "daemon --drift=VALUE (bash splits at =)" "daemon --drift = r" "report"
is "render --host-kvm=VALUE" "render --host-kvm = ''" "no yes"
is "reference --man PAGE" "reference --man virtspec.y" "virtspec.yaml.5"
is "plan: spec files and directories in the working directory" "plan ''" "a.yaml c.yml sub"
is "validate a prefix" "validate a" "a.yaml"
has "--config FILE: any file" "validate --config ''" a.yaml b.txt sub
is "daemon: a directory" "daemon ''" "sub"
is "reload NAME: the domains of the tree --config names" "--config $d/vs.conf reload ''" "db web"
is "…after the command too" "reload --config $d/vs.conf w" "web"
is "…--config=FILE" "reload --config = $d/vs.conf ''" "db web"
is "reload with --specs DIR" "reload --specs $d/specs d" "db"
has "status NAME: every object of the tree, KIND/NAME, and spec files" "--config $d/vs.conf status ''" \
    p n1 web db Pool/p Network/n1 Domain/web Domain/db a.yaml sub
is "snapshot: its subcommands" "snapshot ''" "create delete list revert"
is "fleet: its subcommand" "fleet ''" "status"
is "fleet status: spec files and directories" "fleet status ''" "a.yaml c.yml sub"
is "snapshot SUB DOMAIN: the domains of the tree" "--config $d/vs.conf snapshot revert ''" "db web"
is "…after the domain: nothing" "--config $d/vs.conf snapshot revert web ''" ""
has "snapshot: --yes" "snapshot --" --yes --connect
is "export NAME" "--config $d/vs.conf export ''" "db n1 p web"
is "plan -t KIND/NAME" "--config $d/vs.conf plan -t Pool/" "Pool/p"
is "apply --target NAME" "--config $d/vs.conf apply --target w" "web"
is "version takes no arguments" "version ''" ""
is "help COMMAND" "help st" "status"
start=$(date +%s%N)
for i in 1 2 3 4 5 6 7 8 9 10; do comp --config "$d/vs.conf" status '' >/dev/null; done
ms=$(( ($(date +%s%N) - start) / 10000000 ))
ok "a completion from the tree takes ${ms} ms (under 1500 on a loaded CI machine; no libvirt connection)" test "$ms" -lt 1500
# zsh and fish: parse when installed
if command -v zsh >/dev/null; then ok "zsh -n completion/_virtspec" zsh -n "$src/completion/_virtspec"; fi
if command -v fish >/dev/null; then
    ok "fish -n completion/virtspec.fish" fish -n "$src/completion/virtspec.fish"
    fc() { fish -c "source '$src/completion/virtspec.fish'; complete -C '$1'" | tr '\n' ' '; }
    ok "fish: a command" test "$(fc 'virtspec ren')" = "render "
    ok "fish: plan's options" test "$(fc 'virtspec plan --j')" = "--json "
    ok "fish: reload names from the tree" test "$(fc "virtspec --config $d/vs.conf reload ")" = "db web "
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
