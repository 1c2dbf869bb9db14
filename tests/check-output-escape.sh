#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What a spec writes is escaped wherever virtspec prints it (issue 15): a newline in a key or a
# file name cannot forge a second "FILE:LINE:COL: error:" line, an ANSI escape never reaches the
# terminal, a file name with a control character is refused at validate (libvirt would refuse
# it in the metadata), and a file name that is not UTF-8 leaves status.json valid JSON.
# Usage: check-output-escape.sh VIRTSPEC
source "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
esc=$'\e'
mkdir "$d/k" "$d/f" "$d/u"
printf 'kind: Domain\nname: k1\n"mem\\nk.yaml:1:1: error: forged\\e[31m": 1\n' > "$d/k/k.yaml"
"$vs" validate "$d/k" > "$d/k.out" 2>&1
ok "a key's newline does not forge a diagnostic line" \
    test "$(grep -c ': error: ' "$d/k.out")" = 1
ok "a key's newline and ANSI escape are shown escaped" \
    bash -c "grep -qF 'mem\\nk.yaml:1:1: error: forged\\x1b[31m' '$d/k.out' && ! grep -q '$esc' '$d/k.out'"

nl=$'\n'
printf 'kind: Domain\nname: f1\n' > "$d/f/a${nl}b.yaml"
printf 'kind: Domain\nname: f2\n' > "$d/f/c${esc}[31md.yaml"
"$vs" validate "$d/f" > "$d/f.out" 2>&1; rc=$?
ok "a file name with a control character is refused at validate" test "$rc" = 1
ok "…named escaped, one line each" bash -c "grep -qF 'a\\nb.yaml:1:1: error: the file'\"'\"'s name contains a control character' '$d/f.out' &&
    grep -qF 'c\\x1b[31md.yaml:1:1: error:' '$d/f.out' && ! grep -q '$esc' '$d/f.out' && test \$(wc -l < '$d/f.out') = 3"

printf 'kind: Domain\nname: u1\nmemory: 64MiB\n' > "$d/u/$(printf 'bad\xff').yaml"
printf 'kind: Domain\nname: u2\nmemory: 64MiB\n' > "$d/u/good.yaml"
chmod 0755 "$d" "$d/u"; chmod 0644 "$d/u"/*
"$vs" daemon -c test:///default --specs "$d/u" --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
for _ in $(seq 100); do grep -q '"u2"' "$d/status.json" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$dpid"; wait "$dpid"; dpid=
ok "a file name that is not UTF-8: status.json is valid JSON" bash -c "python3 -m json.tool '$d/status.json' > /dev/null"
ok "…and names the file escaped" grep -qF 'bad\\xff.yaml' "$d/status.json"
# a dangling path is a file looked at: "1 error in 1 of 0 files" said otherwise
ln -s "$d/nowhere.yaml" "$d/dangling.yaml"
"$vs" validate "$d/dangling.yaml" > "$d/dangling.out" 2>&1
ok "a dangling path counts as a file in the summary" grep -qx '1 error in 1 of 1 file' "$d/dangling.out"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
