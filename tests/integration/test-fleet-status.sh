#!/bin/bash
# `virtspec fleet status` against the harness's private libvirtd (real qemu driver), issue 22.
# LABEL: NOT the issue's three libvirtds in three network namespaces. Here two Host documents name
# ONE libvirtd under two names and two spellings of its URI (qemu:///system and
# qemu+unix:///system?socket=/run/libvirt/libvirt-sock), plus a third Host whose socket does not
# exist. Each named host therefore also sees the other's domain defined "there": that is counted
# as placed on another host (stale), which is what fleet status must say of such a setup.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir -p specs
cat > specs/hosts.yaml <<YAML
kind: Host
name: hv-a
uri: qemu:///system
---
kind: Host
name: hv-b
uri: qemu+unix:///system?socket=/run/libvirt/libvirt-sock
YAML
for x in fa1:hv-a fb1:hv-b; do
    printf -- '---\nkind: Domain\nname: %s\nmemory: 64MiB\nstate: shutoff\ngraphics: {type: none}\nplacement: {host: %s}\n' \
        "${x%:*}" "${x#*:}"
done > specs/domains.yaml
: > empty.conf
C=(--config empty.conf --insecure-spec-perms)
match() { printf '%s\n' "$out" | grep -qE -- "$1"; }   # match REGEX: a line of the last $out
vs fleet status "${C[@]}" specs
is "before any apply: stale (exit 2)" 2 "$rc"
ok "…hv-a: its domain to be created" match "^hv-a +1 +ok +0 +0 +0 +1 "
vs apply "${C[@]}" --host hv-a -c qemu:///system specs
is "apply --host hv-a" 0 "$rc"
vs apply "${C[@]}" --host hv-b -c qemu:///system specs
is "apply --host hv-b (the same libvirtd)" 0 "$rc"
vs fleet status "${C[@]}" --json specs
is "after both applies: exit 2 (each name sees the other's domain there)" 2 "$rc"
ok "…JSON: each host 1 in sync, 0 pending, 1 placed elsewhere, libvirt read" python3 -c '
import json, sys
for h in json.loads(sys.argv[1])["hosts"]:
    o = h["objects"]
    assert h["state"] == "stale" and h["error"] is None, h
    assert o["in_sync"] == 1 and o["live"] + o["reload"] + o["create"] == 0, h
    assert o["placed_elsewhere"] == 1, h' "$out"
virsh setmaxmem fa1 128M --config >/dev/null
vs fleet status "${C[@]}" specs
ok "fa1's memory changed by hand: hv-a has 0 in sync now" match "^hv-a +1 +ok +0 "
vs plan "${C[@]}" --host hv-a -c qemu:///system specs
contains "…as plan --host hv-a says" "memory: 128 MiB" "$out"
printf -- '---\nkind: Host\nname: hv-c\nuri: qemu+unix:///system?socket=%s/none.sock\n' "$WORK" >> specs/hosts.yaml
vs fleet status "${C[@]}" specs
ok "a Host whose socket is missing: unreachable" match "^hv-c +0 +unreachable "
contains "…with libvirt's error" "cannot connect to qemu+unix:///system?socket=$WORK/none.sock" "$out"
ok "…hv-b still read" match "^hv-b +1 +ok +1 "
vs plan "${C[@]}" --host hv-b -c qemu:///system specs
contains "plan changed nothing: hv-b's fb1 is still in sync" "= in sync" "$out"
virsh undefine fa1 >/dev/null; virsh undefine fb1 >/dev/null
finish
