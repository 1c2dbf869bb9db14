#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Moving a domain (docs/fleet.md#moving, issue 22), without a real migration: Hosts whose uri are
# libvirt test-driver files (test:///ABS/PATH.xml, each its own state). d1 (a 64 MiB qcow2 disk)
# is defined on kvm1 and placed on kvm2: `plan --host kvm2` shows the move (live while it runs,
# cold when shut off) instead of a create; a volume of its name on kvm2 refuses it; found on two
# hosts is a conflict; a host that does not answer (no socket, or a socket that never answers:
# bounded by VIRTSPEC_FLEET_TIMEOUT) makes the create wait; `lost: true` and a Host without uri
# are not looked at; a domain of that name virtspec does not own is not ours; one whose source
# host can still take it stays there (sticky). The copy's failure path: the test driver has no
# storage streams, so apply's cold move fails at the copy and deletes its partial copy.
# Usage: check-fleet-move.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/specs"
: > "$d/empty.conf"
C=(--config "$d/empty.conf" --insecure-spec-perms)
has() { printf '%s' "$out" | grep -qE -- "$1"; }
hasnt() { ! has "$1"; }
u() { printf 'test://%s/%s.xml' "$d" "$1"; }
hosts() {   # hosts KVM3-URI [KVM3-EXTRA] [KVM1-URI-LINE]
    printf 'kind: Host\nname: kvm1\n%slabels: {role: web}\n---\n' "${3-uri: $(u kvm1)
}"
    printf 'kind: Host\nname: kvm2\nuri: %s\nlabels: {role: web}\n---\n' "$(u kvm2)"
    printf 'kind: Host\nname: kvm3\nuri: %s\nlabels: {role: db}\n%s' "$1" "${2:-}"
}
hosts "$(u kvm3)" > "$d/specs/hosts.yaml"
spec() {   # spec PLACEMENT
    printf 'kind: Pool\nname: vs\ntype: dir\npath: %s/pool\n---\n' "$d"
    printf 'kind: Domain\nname: d1\nmemory: 64MiB\ngraphics: {type: none}\n'
    printf 'disks: [{name: root, dev: vda, pool: vs, size: 64MiB}]\nplacement: %s\n' "$1"
}
spec '{host: kvm2}' > "$d/specs/d.yaml"
chmod 0644 "$d/specs"/*.yaml
R=$("$vs" render --host-kvm=no "${C[@]}" "$d/specs" 2>/dev/null)
vol="<volume type='file'><name>d1-root.qcow2</name><capacity unit='MiB'>64</capacity><target><format type='qcow2'/></target></volume>"
pool_xml() { printf '%s\n' "$R" | awk '/^<!-- Pool/{on=1;next} /^<!--/{on=0} on' | sed "s|</target>|</target>$1|"; }
dom_xml() {   # dom_xml RUNSTATE (1 running, 5 shut off)
    printf '%s\n' "$R" | awk '/^<!-- Domain/{on=1;next} /^<!--/{on=0} on' |
        sed "s|<domain type=\"qemu\">|<domain type=\"qemu\" xmlns:test=\"http://libvirt.org/schemas/domain/test/1.0\">|; s|</devices>|</devices><test:runstate>$1</test:runstate>|"
}
node() {   # node HOST VOLUME-XML [RUNSTATE]: the host's test-driver file (d1 on it with a RUNSTATE)
    { echo '<node>'; pool_xml "$2"; [ -n "${3:-}" ] && dom_xml "$3"; echo '</node>'; } > "$d/$1.xml"
}
node kvm1 "$vol" 1; node kvm2 ""; node kvm3 ""
plan() { out=$("$vs" plan "${C[@]}" -t d1 --host "${H:-kvm2}" -c "$(u "${H:-kvm2}")" "$@" "$d/specs" 2>&1); rc=$?; }

plan
ok "d1 runs on kvm1, placed on kvm2: plan --host kvm2 moves it live, exit 2" test "$rc" = 2
ok "…the move line, with the storage libvirt copies" has "^  → move d1 kvm1 → kvm2 \(live, copy-storage 64 MiB\)$"
ok "…no create" hasnt "\+ create"
plan --json
ok "…JSON: op move, from kvm1, to kvm2" python3 -c '
import json, sys
o = [x for x in json.loads(sys.argv[1])["objects"] if x["name"] == "d1"][0]
a = o["action_items"][0]
sys.exit(not (a["op"] == "move" and a["from"] == "kvm1" and a["to"] == "kvm2" and o["state"] == "missing"))' "$out"
out=$(LC_ALL=C "$vs" plan "${C[@]}" --host kvm2 -c "$(u kvm2)" "$d/specs" 2>&1)
ok "…in ASCII without a UTF-8 locale" has "^  -> move d1 kvm1 -> kvm2 \(live, copy-storage 64 MiB\)$"
H=kvm1 plan
ok "kvm1 (the source) does nothing to d1, and says kvm2 moves it" \
    has "warning: d1 is defined here but placement now puts it on kvm2: it stays here until kvm2 moves it"

node kvm1 "$vol" 5
plan
ok "d1 shut off on kvm1: a cold move, its volume copied" has "^  → move d1 kvm1 → kvm2 \(cold, copy 64 MiB\)$"
out=$("$vs" apply "${C[@]}" -t d1 --host kvm2 -c "$(u kvm2)" "$d/specs" 2>&1); rc=$?
ok "…apply: the test driver has no storage streams: fails at the copy, exit 1" test "$rc" = 1
ok "…with libvirt's reason, and the partial copy deleted" \
    has "not moved: copying volume vs/d1-root.qcow2 from kvm1: .*virStorageVolDownload \(the partial copy on kvm2 is deleted\)"

node kvm2 "$vol"
plan
ok "a volume of d1's disk already on kvm2: refused, never written over" \
    has "not moved: volume vs/d1-root.qcow2 \(disk vda\) exists on kvm2 already"
node kvm2 ""

# what a move cannot carry: refused before anything is copied
kvm1_with() {   # kvm1_with SED-EXPRESSION: d1 shut off on kvm1, its XML changed so
    { echo '<node>'; pool_xml "$vol"; dom_xml 5 | sed "$1"; echo '</node>'; } > "$d/kvm1.xml"
}
kvm1_with "s|</os>|<loader readonly='yes' type='pflash'>$d/OVMF_CODE.fd</loader><nvram>$d/d1_VARS.fd</nvram></os>|"
plan
ok "d1 with UEFI variables (NVRAM) on kvm1: not moved, and why" \
    has "not moved: moving does not carry d1's UEFI variables \(its NVRAM file on kvm1\) yet"
ok "…no move planned" hasnt "→ move"
kvm1_with "s|</devices>|<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm></devices>|"
plan
ok "d1 with an emulated TPM, shut off: a cold move would lose its state: refused" \
    has "not moved: a cold move does not copy d1's TPM state \(kept on kvm1\)"
node kvm1 "$vol" 5

node kvm3 "$vol" 1
plan
ok "d1 on kvm1 and on kvm3: a conflict, exit 1" test "$rc" = 1
ok "…naming both, nothing planned" has "d1 is defined on several hosts \(kvm1, kvm3\), each owned by virtspec"
hasnt_move() { hasnt "→ move" && hasnt "\+ create"; }
ok "…no move, no create" hasnt_move
node kvm3 ""

hosts "qemu+unix:///system?socket=$d/nosuch.sock" > "$d/specs/hosts.yaml"
plan
ok "kvm3 does not answer (no socket): the create waits, exit 2" test "$rc" = 2
ok "…saying why" has "^  … create waits: d1 may run on kvm3, which did not answer \(.*nosuch.sock.*\); a host gone for good: set lost: true"
ok "…no move, no create" hasnt_move
out=$("$vs" apply "${C[@]}" -t d1 --host kvm2 -c "$(u kvm2)" "$d/specs" 2>&1); rc=$?
ok "…apply: not created, exit 1" bash -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "not created: d1 may run on kvm3"' _ "$rc" "$out"

hosts "qemu+unix:///system?socket=$d/nosuch.sock" 'lost: true\n' > "$d/specs/hosts.yaml"
sed -i 's/\\n/\n/g' "$d/specs/hosts.yaml"
plan
ok "kvm3 lost: true: not looked at, d1 moved from kvm1" has "^  → move d1 kvm1 → kvm2 \(cold"
spec '{}' > "$d/specs/d.yaml"
out=$("$vs" placement "${C[@]}" "$d/specs" 2>&1)
ok "…and it takes no placement (lost)" has "^  kvm3: lost$"
spec '{host: kvm2}' > "$d/specs/d.yaml"
out=$("$vs" fleet status "${C[@]}" "$d/specs" 2>&1)
ok "fleet status does not read the lost kvm3" has "^kvm3 +[0-9]+ +not read .* lost$"
ok "…and says why" has "^  lost: true: declared gone, not read"

# a socket that accepts and never answers: the look-up is bounded by VIRTSPEC_FLEET_TIMEOUT
mute_socket "$d/mute.sock"
hosts "qemu+unix:///system?socket=$d/mute.sock" > "$d/specs/hosts.yaml"
bound=$((2 * ${VIRTSPEC_TEST_TIME_SCALE:-1}))
start=$(date +%s)
out=$(VIRTSPEC_FLEET_TIMEOUT=$bound "$vs" plan "${C[@]}" --host kvm2 -c "$(u kvm2)" "$d/specs" 2>&1); rc=$?
took=$(($(date +%s) - start))
ok "kvm3 never answers: plan ends after the bound (${took} s, bound $bound s)" test "$took" -le $((bound + 5))
ok "…the create waits: no answer within the bound" has "d1 may run on kvm3, which did not answer \(no answer within $bound s \(VIRTSPEC_FLEET_TIMEOUT\)\)"
# fleet status's plans do not look at the other hosts: kvm3 mute costs kvm3's row only
out=$(VIRTSPEC_FLEET_TIMEOUT=$bound "$vs" fleet status "${C[@]}" "$d/specs" 2>&1)
ok "fleet status with kvm3 mute: kvm2's row is read, not unreachable" has "^kvm2 +[0-9]+ +ok "
ok "…d1 to create there" has "^  Domain d1: create$"
ok "…kvm3 unreachable" has "^kvm3 .* unreachable$"
kill $mute 2>/dev/null

# kvm1 without uri: not looked at (documented): kvm2 would create d1
hosts "$(u kvm3)" "" "" > "$d/specs/hosts.yaml"
plan
ok "kvm1 has no uri: not looked at, d1 is created on kvm2 (docs/fleet.md#moving)" has "^  \+ create$"
hosts "$(u kvm3)" > "$d/specs/hosts.yaml"

# a domain of that name virtspec does not own on kvm1 is not d1
sed -i 's|<vs:virtspec .*||; s|<vs:spec .*||; s|<vs:managed>.*||; s|</vs:virtspec>||' "$d/kvm1.xml"
plan
ok "an unowned d1 on kvm1 is not this spec's: created on kvm2" has "^  \+ create$"
node kvm1 "$vol" 1

# sticky: placed by labels (kvm1 and kvm2 are both role=web); the host the repository picks looks
# on the other, which can still take it: left there
spec '{match: {role: web}}' > "$d/specs/d.yaml"
out=$("$vs" placement "${C[@]}" "$d/specs" 2>&1)
to=$(printf '%s' "$out" | sed -n 's/^Domain d1 .* → \(kvm[12]\)$/\1/p')
from=$([ "$to" = kvm1 ] && echo kvm2 || echo kvm1)
node "$to" ""; node "$from" "$vol" 1
H=$to plan
ok "placed on $to by labels, running on $from which can still take it: left there" \
    has "= runs on $from, which can still take it: left there \(sticky"
ok "…no move, no create" hasnt_move

finish
