#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `virtspec fleet status` (docs/fleet.md, issue 22): three Hosts whose uri are libvirt test-driver
# files (test:///ABS/PATH.xml, each file its own state), made in sync by writing into each the
# XML `virtspec render` gives for that host's share. Then: a changed memory on one host (stale,
# exit 2), a host whose socket is missing (reported with libvirt's error, the others still read),
# one that accepts and never answers (bounded by VIRTSPEC_FLEET_TIMEOUT), a host in maintenance
# (its domain placed elsewhere), a Host without uri, --json, and no graphics password anywhere.
# Usage: check-fleet-status.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/specs"
: > "$d/empty.conf"
C=(--config "$d/empty.conf" --insecure-spec-perms)
has() { printf '%s' "$out" | grep -qE -- "$1"; }     # has REGEX: in the last $out
hasnt() { ! has "$1"; }
row() { printf '%s' "$out" | grep -E "^$1 "; }        # row HOST: its line of the table

hosts() {   # hosts URI1 URI2 URI3 [MAINTENANCE-OF-KVM2]
    printf 'kind: Host\nname: kvm1\nuri: %s\nlabels: {role: web}\n---\n' "$1"
    printf 'kind: Host\nname: kvm2\nuri: %s\nlabels: {role: db}\nmaintenance: %s\n---\n' "$2" "${4:-false}"
    printf 'kind: Host\nname: kvm3\nuri: %s\nlabels: {role: web}\n' "$3"
}
u() { printf 'test://%s/%s.xml' "$d" "$1"; }
hosts "$(u kvm1)" "$(u kvm2)" "$(u kvm3)" > "$d/specs/hosts.yaml"
dom() {   # dom NAME PLACEMENT [EXTRA]
    printf -- '---\nkind: Domain\nname: %s\nmemory: 64MiB\n%splacement: %s\n' "$1" "${3:-}" "$2"
}
{ dom w1 '{host: kvm1}' 'graphics: {type: vnc, passwd: s3cretpw}\n'
  dom d1 '{host: kvm2}' 'graphics: {type: none}\n'
  dom w3 '{host: kvm3}' 'graphics: {type: none}\n'
} > "$d/specs/domains.yaml"
sed -i 's/\\n/\n/g' "$d/specs/domains.yaml"
chmod 0644 "$d/specs"/*.yaml
node() {   # node HOST DOMAIN…: HOST's test-driver file, holding what render gives for the domains
    local names=" ${*:2} "
    { echo '<node>'
      "$vs" render --show-secrets --host-kvm=no "${C[@]}" "$d/specs" 2>/dev/null |
          awk -v n="$names" '/^<!-- /{on = index(n, " " $3 " ") > 0} on && !/^<!--/'
      echo '</node>'; } > "$d/$1.xml"
}
node kvm1 w1; node kvm2 d1; node kvm3 w3
fleet() { out=$("$vs" fleet status "${C[@]}" "$@" "$d/specs" 2>&1); rc=$?; }

fleet
ok "three hosts, each in sync: exit 0" test "$rc" = 0
for h in kvm1 kvm2 kvm3; do
    ok "…$h: share 1, libvirt ok, 1 in sync, in-sync" \
        bash -c "printf '%s\n' \"\$1\" | grep -qE '^$h +1 +ok +1 +0 +0 +0 +0 +0 +0 +in-sync\$'" _ "$out"
done
ok "…the header" has "^HOST +SHARE +LIBVIRT +IN-SYNC +LIVE +RELOAD +CREATE +ORPHANED +CONFLICT +FAILED +STATE"
ok "…no revision line for a tree sync did not write" hasnt "^revision"
# the revision of the tree read, as `virtspec sync` writes it (.virtspec-revision)
rev=3f2a9c0e41d7b5a6c8e9f0a1b2c3d4e5f6a7b8c9
printf '%s\n' "$rev" > "$d/specs/.virtspec-revision"; chmod 0644 "$d/specs/.virtspec-revision"
fleet
ok "the tree's revision (.virtspec-revision) heads the table" has "^revision $rev \(the tree read\)$"
fleet --json
ok "…and is the JSON's revision" python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1])["revision"] != sys.argv[2])' "$out" "$rev"

# a tree path that starts with '-' reaches the hosts' plans as a path (after "--"), not as options
# (`-tree` was `-t ree`: the plans read the default tree and fleet said in-sync)
cp -a "$d/specs" "$d/-tree"
dom d9 '{host: kvm1}' 'graphics: {type: none}\n' | sed 's/\\n/\n/g' >> "$d/-tree/domains.yaml"
out=$(cd "$d" && "$vs" fleet status "${C[@]}" -- -tree 2>&1); rc=$?
ok "a tree named -tree: its new domain d9 is to be created on kvm1, exit 2" test "$rc" = 2
ok "…kvm1 stale with d9 to create" has "^kvm1 +2 +ok +1 +0 +0 +1 +0 +0 +0 +stale$"
rm -rf "$d/-tree"

# kvm2's d1 has 128 MiB where the spec says 64: plan --host kvm2 has a change there
sed -i 's|<memory unit="KiB">65536</memory>|<memory unit="KiB">131072</memory>|; s|<currentMemory unit="KiB">65536</currentMemory>|<currentMemory unit="KiB">131072</currentMemory>|' "$d/kvm2.xml"
fleet
ok "d1's memory differs on kvm2: exit 2" test "$rc" = 2
ok "…kvm2 is stale, its change pending" bash -c "printf '%s\n' \"\$1\" | grep -E '^kvm2 ' | grep -qE ' stale\$'" _ "$out"
ok "…not in sync (0 in sync there)" bash -c "printf '%s\n' \"\$1\" | grep -qE '^kvm2 +1 +ok +0 '" _ "$out"
ok "…named under kvm2's row, with its class" has "^  Domain d1: (live|reload)$"
ok "…kvm1 and kvm3 still in sync" bash -c "[ \$(printf '%s\n' \"\$1\" | grep -cE '^kvm[13] .* in-sync\$') = 2 ]" _ "$out"
out2=$("$vs" plan "${C[@]}" --host kvm2 -c "$(u kvm2)" "$d/specs" 2>&1)
ok "…the same change plan --host kvm2 shows" bash -c "printf '%s' \"\$1\" | grep -q 'memory: 128 MiB'" _ "$out2"

# the graphics password of w1 differs on kvm1: a change, never its value
sed -i "s/passwd=\"s3cretpw\"/passwd=\"0therpw9\"/" "$d/kvm1.xml"
grep -q 0therpw9 "$d/kvm1.xml" || echo "# note: the node file has no passwd attribute to change"
fleet
ok "a changed graphics password on kvm1: kvm1 stale" bash -c "printf '%s\n' \"\$1\" | grep -qE '^kvm1 .* stale\$'" _ "$out"
ok "…no password in the table" hasnt "s3cretpw|0therpw9"
fleet --json
ok "…nor in the JSON" hasnt "s3cretpw|0therpw9"
node kvm1 w1

# kvm3's libvirt is not there (a socket that does not exist): reported, the others still read
hosts "$(u kvm1)" "$(u kvm2)" "qemu+unix:///system?socket=$d/nosuch.sock" > "$d/specs/hosts.yaml"
fleet
ok "kvm3 unreachable (no socket): exit 2" test "$rc" = 2
ok "…its row says unreachable" has "^kvm3 +1 +unreachable .* unreachable$"
ok "…with libvirt's error under it" has "cannot connect to qemu\+unix:///system\?socket=$d/nosuch.sock: .*nosuch.sock"
ok "…kvm1 still read, in sync" has "^kvm1 +1 +ok +1 .* in-sync$"
ok "…kvm2 still read, stale" has "^kvm2 +1 +ok .* stale$"

# a socket that accepts and never answers: bounded by VIRTSPEC_FLEET_TIMEOUT, not libvirt's
mute_socket "$d/mute.sock"
hosts "$(u kvm1)" "$(u kvm2)" "qemu+unix:///system?socket=$d/mute.sock" > "$d/specs/hosts.yaml"
# the bound: 2 s, times the sanitizer build's slowness (the other hosts must finish within it)
bound=$((2 * ${VIRTSPEC_TEST_TIME_SCALE:-1}))
start=$(date +%s)
out=$(VIRTSPEC_FLEET_TIMEOUT=$bound "$vs" fleet status "${C[@]}" "$d/specs" 2>&1); rc=$?
took=$(($(date +%s) - start))
ok "a host that never answers: the table comes after the bound (${took} s, bound $bound s)" \
    test "$took" -le $((bound + 4))
ok "…exit 2" test "$rc" = 2
ok "…kvm3: no answer within $bound s" has "no answer within $bound s"
ok "…kvm1 read all the same" has "^kvm1 +1 +ok +1 .* in-sync$"
# SIGINT (Ctrl-C) and SIGTERM of fleet status take the plans along: none is left reading the
# mute host (each plan is in its own process group, so a terminal's Ctrl-C does not reach it)
for sig in INT TERM; do
    VIRTSPEC_FLEET_TIMEOUT=120 "$vs" fleet status "${C[@]}" "$d/specs" > /dev/null 2>&1 & fpid=$!
    # this run's plans only ($d is this test's): other tests read mute sockets of their own
    wait_for 10 pgrep -f "host kvm[3] .*$d/mute.sock" > /dev/null
    kill -s "$sig" "$fpid"; wait "$fpid"; frc=$?
    sleep 1
    ok "SIG$sig of fleet status (exit $frc): no plan of it left running" \
        bash -c '! pgrep -f "host kvm[3] .*$1/mute.sock"' _ "$d"
    for p in $(pgrep -f "host kvm[3] .*$d/mute.sock"); do kill "$p"; done
done
kill $mute 2>/dev/null; wait $mute 2>/dev/null

# kvm2 in maintenance, d1 free to go anywhere: d1 is placed on a web host, where it is to be
# created; kvm2 still runs it (owned there): stale, with the domain placed elsewhere
node kvm2 d1
hosts "$(u kvm1)" "$(u kvm2)" "$(u kvm3)" true > "$d/specs/hosts.yaml"
sed -i 's/placement: {host: kvm2}/placement: {}/' "$d/specs/domains.yaml"
fleet
ok "kvm2 in maintenance: exit 2" test "$rc" = 2
ok "…kvm2 has no share, says maintenance and the domain defined there placed elsewhere" \
    has "^kvm2 +0 +ok .* stale \(maintenance\) \(1 defined there placed on another host\)$"
ok "…d1 is to be created on the web host placement chose (share 2, 1 to create)" \
    has "^kvm[13] +2 +ok +1 +0 +0 +1 +0 +0 +0 +stale$"
fleet --json
ok "--json: one document" python3 -c 'import json, sys; json.loads(sys.argv[1])' "$out"
ok "…kvm2: maintenance, placed_elsewhere 1, state stale" python3 -c '
import json, sys
h = {x["name"]: x for x in json.loads(sys.argv[1])["hosts"]}
k = h["kvm2"]
sys.exit(not (k["maintenance"] and k["objects"]["placed_elsewhere"] == 1 and k["state"] == "stale"
              and k["share"] == 0 and h["kvm1"]["objects"]["in_sync"] == 1))' "$out"
ok "…not_in_sync names d1, to be created on the host placement chose" python3 -c '
import json, sys
h = [x for x in json.loads(sys.argv[1])["hosts"] if x["share"] == 2][0]
sys.exit(h["not_in_sync"] != [{"kind": "Domain", "name": "d1", "class": "create"}])' "$out"
ok "…exit 2 as well" test "$rc" = 2

# a Host without uri: "no uri"; read through -c when --host names it (the local host)
sed -i 's/placement: {}/placement: {host: kvm2}/' "$d/specs/domains.yaml"
hosts "$(u kvm1)" "$(u kvm2)" "$(u kvm3)" | grep -v "^uri: .*kvm2" > "$d/specs/hosts.yaml"
fleet
ok "kvm2 without uri: exit 2" test "$rc" = 2
ok "…reported as no uri" has "^kvm2 +1 +no uri .* no-uri$"
ok "…the others read" has "^kvm3 +1 +ok +1 .* in-sync$"
fleet --host kvm2 -c "$(u kvm2)"
ok "--host kvm2 -c URI: kvm2 is read through -c: all in sync, exit 0" test "$rc" = 0
ok "…kvm2 in sync" has "^kvm2 +1 +ok +1 .* in-sync$"

# not a fleet: no Host document; a bad subcommand
rm "$d/specs/hosts.yaml"; sed -i '/placement/d' "$d/specs/domains.yaml"
t "a tree without Host documents: exit 1" 1 "the tree has no \`kind: Host\` document" fleet status "${C[@]}" "$d/specs"
t "fleet without status: exit 1" 1 "the subcommand is status" fleet "${C[@]}" "$d/specs"
finish
