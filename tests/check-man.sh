#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The manual pages meson built (man/meson.build) format without a warning, and say what the
# tables say: every command and option of virtspec(8), every key of the spec reference in
# virtspec.yaml(5), every key of the configuration file in virtspec.conf(5) (each one accepted by
# the parser with its default).
# Usage: check-man.sh VIRTSPEC MANDIR
. "$(dirname "$0")/check-lib.sh"
man=${2:?usage: check-man.sh VIRTSPEC MANDIR}
export LC_ALL=C.UTF-8 MANWIDTH=100

for p in virtspec.8 virtspec.yaml.5 virtspec.conf.5; do
    ok "$p was built" test -s "$man/$p"
    "$vs" reference --man "$p" > "$d/$p"
    ok "$p is the current output of virtspec reference --man $p" cmp -s "$d/$p" "$man/$p"
    warn=$(groff -man -Tutf8 -ww -z "$man/$p" 2>&1)
    ok "groff -man -ww: $p has no warning${warn:+ ($warn)}" test -z "$warn"
    warn=$(man --warnings -l "$man/$p" 2>&1 >"$d/$p.txt")
    ok "man -l: $p formats without a warning${warn:+ ($warn)}" test -z "$warn"
done
ok "virtspec.8: its name line" grep -q "^virtspec - keep libvirt domains" <(sed 's/^ *//' "$d/virtspec.8.txt")

# virtspec(8): every command of --help has its section, every option its entry, exit statuses
for c in $("$vs" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\).*/\1/p'); do
    ok "virtspec.8 has the command $c" grep -qE "^   $c( |$)" "$d/virtspec.8.txt"
done
tags() {   # tags: the words of the entries at the page's left margin (7 spaces): "-c," "--connect"…
    awk '/^       [^ ]/ { for (i = 1; i <= 2 && i <= NF; i++) { w = $i; sub(/[=,]$/, "", w); sub(/=.*/, "", w); print w } }'
}
for o in $("$vs" --help | sed -n '/^Options/,/^$/p' | grep -oE -- '--[a-z-]+' | sort -u); do
    ok "virtspec.8 has the option $o" grep -qxF -- "$o" <(sed -n '/^OPTIONS/,/^[A-Z]/p' "$d/virtspec.8.txt" | tags)
done
for s in 0 1 2 78; do
    ok "virtspec.8 documents exit status $s" grep -qE "^       $s +[a-z]|^       $s$" <(sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$d/virtspec.8.txt")
done

# virtspec.yaml(5): every key of `virtspec reference`, under its kind
"$vs" reference > "$d/ref.md"
for kind in Domain Network Pool; do
    keys=$(sed -n "/^### $kind\$/,/^### /p" "$d/ref.md" | sed -n 's/^| `\([^`]*\)` |.*/\1/p')
    n=$(wc -l <<<"$keys")
    sect=$(sed -n "/^KIND: $kind\$/,/^[A-Z]/p" "$d/virtspec.yaml.5.txt")
    have=$(tags <<<"$sect")
    missing=$(comm -23 <(sort -u <<<"$keys") <(sort -u <<<"$have") | head -3)
    ok "virtspec.yaml.5 has all $n keys of $kind${missing:+ (missing: $missing)}" test -z "$missing"
done
ok "virtspec.yaml.5 explains the change classes" grep -qE '^       identity' "$d/virtspec.yaml.5.txt"

# virtspec.conf(5): each key it documents is one the parser takes, with the default it states
keys=$(sed -n 's/^       \([a-z_]\+\) = VALUE$/\1/p' "$d/virtspec.conf.5.txt")
ok "virtspec.conf.5 documents 17 keys" test "$(wc -l <<<"$keys")" = 17
for k in $keys; do
    def=$(sed -n "/^       $k = VALUE\$/,/Default:/p" "$d/virtspec.conf.5.txt" | sed -n 's/.*Default: \([^ ,]*\).*/\1/p' | sed 's/\.$//')
    [ "${def:0:1}" = '$' ] && def=/x   # a default computed at run time: any path
    printf '%s = %s\n' "$k" "$def" > "$d/one.conf"
    ok "the parser takes '$k = $def' from virtspec.conf.5" "$vs" reference --config "$d/one.conf" --vagrant >/dev/null
done
for k in $keys; do
    ok "docs/daemon.md's table has $k too" grep -qF "| \`$k\` |" "$(dirname "$0")/../docs/daemon.md"
done
printf 'nokey = 1\n' > "$d/one.conf"
ok "…and refuses a key it does not document" bash -c "! '$vs' reference --config '$d/one.conf' >/dev/null 2>&1"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
