#!/bin/bash
# Moving a domain between two real hosts (docs/fleet.md#moving, issue 22): fleet-harness.sh 2
# (two private libvirtds, each in its own namespaces, on qemu+tcp://10.77.0.I/system). Each host
# runs its own `virtspec apply --host kvmI` inside its namespaces (fleet-on I, qemu:///system);
# the destination reaches the source through the source Host's uri.
#   cold: mv1 (no OS, TCG, a 32 MiB raw volume holding marker bytes) shut off on kvm1, placed on
#         kvm2: plan --host kvm2 shows the move; apply moves it: defined on kvm2 with the marker in
#         its new volume, same UUID, undefined on kvm1, kvm1's volume kept;
#   refused: back to kvm1 while kvm1 still holds that kept volume: not moved (never written over);
#   live: the admin removes the old volume; mv1 running on kvm2 moves live to kvm1: running on
#         kvm1 with the same UUID and the marker, no qemu of it left on kvm2, undefined there;
#   daemon: placed on kvm2 again, `virtspec daemon --host kvm2` inside kvm2 moves it live;
#   failure: kvm1 refuses the migration ports: apply fails with libvirt's reason, mv1 runs on.
# Usage: fleet-harness.sh 2 bash test-fleet-move.sh   (VIRTSPEC_BIN names the binary)
export VIRTSPEC_TEST_TMPDIR=${VIRTSPEC_FLEET_DIR:?run me under tests/integration/fleet-harness.sh 2}
. "$(dirname "$0")/lib.sh"
unset VIRTSPEC_STATE_DIR   # each host's own (private /var/lib/virtspec)
cd "$WORK" || exit 1
uri() { local v="VIRTSPEC_FLEET_URI_$1"; echo "${!v}"; }
on() {   # on I ARGS…: virtspec inside host I, for its own share; output in $out, status in $rc
    local i=$1; shift
    out=$(fleet-on "$i" "$VS" "$@" --host "kvm$i" --config "$WORK/empty.conf" --insecure-spec-perms \
          "$WORK/specs" 2>&1); rc=$?
}
vsh() { local i=$1; shift; virsh -c "$(uri "$i")" "$@" 2>&1; }
: > empty.conf
mkdir -p specs
hosts() {
    for i in 1 2; do printf -- '---\nkind: Host\nname: kvm%s\nuri: %s\n' "$i" "$(uri "$i")"; done
}
spec() {   # spec HOST STATE
    cat <<YAML
kind: Pool
name: mvpool
path: /var/lib/virtspec-images/mvpool
---
kind: Domain
name: mv1
memory: 64MiB
domain_type: qemu
graphics: {type: none}
disks: [{name: root, dev: vda, pool: mvpool, size: 32MiB, format: raw}]
state: $2
placement: {host: $1}
YAML
}
hosts > specs/hosts.yaml
spec kvm1 shutoff > specs/mv1.yaml
vol=/var/lib/virtspec-images/mvpool/mv1-root.raw
marker() {   # marker I: the 16 bytes at 1 MiB of mv1's volume on host I
    fleet-on "$1" dd if="$vol" bs=16 count=1 skip=$((1024 * 1024 / 16)) status=none 2>/dev/null
}

on 1 apply
is "kvm1: mv1 and its pool made (apply --host kvm1)" 0 "$rc"
on 2 apply
is "kvm2: the pool made (every host's), mv1 not (kvm1's)" 0 "$rc"
lacks "…kvm2 creates no mv1" "Domain mv1" "$out"
uuid=$(vsh 1 domuuid mv1 | head -n 1)
printf 'virtspec-moved-ok' | fleet-on 1 dd of="$vol" bs=16 seek=$((1024 * 1024 / 16)) conv=notrunc status=none
is "the marker bytes are in kvm1's volume" virtspec-moved-o "$(marker 1)"

# ---- cold --------------------------------------------------------------------------------
spec kvm2 shutoff > specs/mv1.yaml
on 1 plan
contains "kvm1 (the source) leaves it alone and says kvm2 moves it" \
    "mv1 is defined here but placement now puts it on kvm2: it stays here until kvm2 moves it" "$out"
on 2 plan
is "plan --host kvm2: changes (exit 2)" 2 "$rc"
contains "…the cold move" "→ move mv1 kvm1 → kvm2 (cold, copy 32 MiB)" "$out"
lacks "…no create" "+ create" "$out"
t0=$(date +%s%N)
on 2 apply
cold_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# cold move: ${cold_ms} ms"
is "apply --host kvm2 moves it (exit 0)" 0 "$rc"
contains "…said as planned" "→ move mv1 kvm1 → kvm2 (cold, copy 32 MiB)" "$out"
contains "…the source's volume kept" "! volume mvpool/mv1-root.raw kept: on kvm1" "$out"
is "mv1 defined on kvm2, shut off" "shut off" "$(vsh 2 domstate mv1 | head -n 1)"
is "…the same UUID" "$uuid" "$(vsh 2 domuuid mv1 | head -n 1)"
is "…the marker bytes in kvm2's volume" virtspec-moved-o "$(marker 2)"
ok "mv1 undefined on kvm1" bash -c "! virsh -c '$(uri 1)' dominfo mv1"
ok "kvm1's volume is still there" fleet-on 1 test -f "$vol"
on 2 plan
is "plan --host kvm2 afterwards: in sync (exit 0)" 0 "$rc"

# ---- refused: the destination holds a volume of that name ---------------------------------
spec kvm2 running > specs/mv1.yaml
on 2 apply
is "mv1 started on kvm2" running "$(vsh 2 domstate mv1 | head -n 1)"
spec kvm1 running > specs/mv1.yaml
on 1 plan
contains "back to kvm1, which still has the kept volume: not moved" \
    "not moved: volume mvpool/mv1-root.raw (disk vda) exists on kvm1 already" "$out"
is "…mv1 still runs on kvm2" running "$(vsh 2 domstate mv1 | head -n 1)"

# ---- live --------------------------------------------------------------------------------
fleet-on 1 virsh vol-delete --pool mvpool mv1-root.raw >/dev/null   # the admin's choice
on 1 plan
contains "plan --host kvm1: the live move" "→ move mv1 kvm2 → kvm1 (live, copy-storage 32 MiB)" "$out"
t0=$(date +%s%N)
on 1 apply
live_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# live move: ${live_ms} ms"
printf '%s\n' "$out" | sed 's/^/# /'
is "apply --host kvm1 moves it live (exit 0)" 0 "$rc"
is "mv1 running on kvm1" running "$(vsh 1 domstate mv1 | head -n 1)"
is "…the same UUID" "$uuid" "$(vsh 1 domuuid mv1 | head -n 1)"
is "…the marker bytes in kvm1's new volume (copied by libvirt)" virtspec-moved-o "$(marker 1)"
ok "mv1 undefined on kvm2" bash -c "! virsh -c '$(uri 2)' dominfo mv1"
ok "no qemu of mv1 left on kvm2" bash -c "! fleet-on 2 pgrep -f 'guest=mv1'"
ok "kvm2's volume is still there" fleet-on 2 test -f "$vol"
on 1 plan
is "plan --host kvm1 afterwards: in sync (exit 0)" 0 "$rc"

# ---- the daemon of the destination moves it too ----------------------------------------------
fleet-on 2 virsh vol-delete --pool mvpool mv1-root.raw >/dev/null   # the admin's choice again
spec kvm2 running > specs/mv1.yaml
t0=$(date +%s%N)
fleet-on 2 bash -c 'echo $$ > "$0"; exec "$@"' "$WORK/daemon2.pid" "$VS" daemon --host kvm2 \
    --specs "$WORK/specs" --status-file "$WORK/status2.json" --config "$WORK/empty.conf" \
    --insecure-spec-perms > daemon2.log 2>&1 &
moved2() { [ "$(vsh 2 domstate mv1 | head -n 1)" = running ] && ! virsh -c "$(uri 1)" dominfo mv1 >/dev/null 2>&1; }
ok "kvm2's daemon moves mv1 live from kvm1: running on kvm2, undefined on kvm1" wait_for 120 moved2
echo "# daemon's live move: $(( ($(date +%s%N) - t0) / 1000000 )) ms after its start"
is "…the same UUID" "$uuid" "$(vsh 2 domuuid mv1 | head -n 1)"
is "…the marker bytes in kvm2's volume" virtspec-moved-o "$(marker 2)"
contains "…its journal says the move" "move mv1 kvm1 → kvm2 (live" "$(cat daemon2.log)"
fleet-on 2 sh -c 'kill "$(cat "$0")"' "$WORK/daemon2.pid"

# ---- a live migration that fails: the domain keeps running on the source --------------------
# kvm1 refuses QEMU's migration and NBD ports (49152-49215) in its own network namespace
fleet-on 1 virsh vol-delete --pool mvpool mv1-root.raw >/dev/null
spec kvm1 running > specs/mv1.yaml
if fleet-on 1 iptables -A INPUT -p tcp --dport 49152:49215 -j REJECT --reject-with tcp-reset 2>/dev/null; then
    on 1 apply
    printf '%s\n' "$out" | sed 's/^/# /'
    is "the migration fails: apply exits 1" 1 "$rc"
    contains "…with libvirt's reason, and says it keeps running there" \
        "live migration from kvm2 failed: " "$out"
    contains "…" "mv1 keeps running there" "$out"
    is "mv1 still runs on kvm2" running "$(vsh 2 domstate mv1 | head -n 1)"
    ok "…and is not defined on kvm1" bash -c "! virsh -c '$(uri 1)' dominfo mv1"
    contains "…and that the partial copies on kvm1 are deleted" "(the partial copies here are deleted)" "$out"
    is "…none left in kvm1's pool (libvirt pre-created one)" "" \
        "$(fleet-on 1 virsh vol-list mvpool | awk 'NR > 2 && $1 {print $1}' | xargs)"
    fleet-on 1 iptables -D INPUT -p tcp --dport 49152:49215 -j REJECT --reject-with tcp-reset
    on 1 apply
    is "the ports open again: the next apply moves it (exit 0)" 0 "$rc"
    is "…mv1 running on kvm1" running "$(vsh 1 domstate mv1 | head -n 1)"
    is "…with the marker" virtspec-moved-o "$(marker 1)"
else
    echo "# no iptables in kvm1's namespace here: the failing migration is not tried"
fi
finish
