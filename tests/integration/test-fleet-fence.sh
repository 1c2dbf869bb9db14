#!/bin/bash
# Fencing through libvirt's lock manager (docs/fleet.md#fencing-a-disk-open-on-one-host-only,
# issue 22): fleet-harness.sh 2 with VIRTSPEC_FLEET_LOCKD=1 — each host runs its own virtlockd,
# qemu.conf lock_manager = "lockd", auto_disk_leases, and both use one lockspace directory
# (file_lockspace_dir), as docs/fleet.md sets it up on shared storage. A lease is named after the
# disk's path: fd1's disk is a volume of a dir pool at the same path on both hosts. Here each
# host has its own file at that path (the harness's private /var/lib/virtspec-images): with one
# file, QEMU's own image lock (one kernel here) would refuse the second start before libvirt's
# lease is asked for (libvirt takes the leases when the CPUs start), and this test is about the
# lease.
#   fd1 placed on kvm1 runs there (apply --host kvm1 inside kvm1);
#   the human release given while kvm1 is in fact alive (a partition, a wrong call): kvm1
#     `lost: true`, fd1 placed on kvm2. kvm2's apply defines fd1, and its start is refused by
#     libvirt's lock manager: apply fails with libvirt's reason, fd1 runs on kvm1 only;
#   a start by hand on kvm2 is refused too (the lease is libvirt's, not virtspec's);
#   kvm1's fd1 goes down (the host really died): the next apply on kvm2 starts it there, and
#     kvm1's own copy can no longer start.
# What it shows is libvirt's protection as docs/fleet.md sets it up, around virtspec's `lost`
# release and its start: the binary before this test passes it too (virtspec adds no lock of its
# own); without the lock manager the same steps leave fd1 running on both hosts (8 checks fail).
# Usage: VIRTSPEC_FLEET_LOCKD=1 fleet-harness.sh 2 bash test-fleet-fence.sh
export VIRTSPEC_TEST_TMPDIR=${VIRTSPEC_FLEET_DIR:?run me under tests/integration/fleet-harness.sh 2}
. "$(dirname "$0")/lib.sh"
unset VIRTSPEC_STATE_DIR   # each host's own (private /var/lib/virtspec)
cd "$WORK" || exit 1
[ -n "${VIRTSPEC_HARNESS_LOCKD:-}" ] || { echo "# not under VIRTSPEC_FLEET_LOCKD=1"; exit 99; }
uri() { local v="VIRTSPEC_FLEET_URI_$1"; echo "${!v}"; }
on() {   # on I ARGS…: virtspec inside host I, for its own share; output in $out, status in $rc
    local i=$1; shift
    out=$(fleet-on "$i" "$VS" "$@" --host "kvm$i" --config "$WORK/empty.conf" --insecure-spec-perms \
          "$WORK/specs" 2>&1); rc=$?
}
state() { virsh -c "$(uri "$1")" domstate fd1 2>/dev/null | head -n 1; }   # state I: fd1's on host I
: > empty.conf
shared=/var/lib/virtspec-images/fence   # the same path on both hosts
mkdir -p specs
# shellcheck disable=SC2016  # expanded by the inner sh
for i in 1 2; do fleet-on "$i" sh -c 'mkdir -p "$0" && qemu-img create -q -f raw "$0/fd1.raw" 16M' "$shared"; done
specs() {   # specs HOST LOST-HOST
    local i
    for i in 1 2; do
        printf -- '---\nkind: Host\nname: kvm%s\nuri: %s\n' "$i" "$(uri "$i")"
        [ "kvm$i" = "${2:-}" ] && printf 'lost: true\n'
    done
    cat <<YAML
---
kind: Pool
name: shared
path: $shared
---
kind: Domain
name: fd1
memory: 64MiB
domain_type: qemu
graphics: {type: none}
disks: [{name: root, dev: vda, pool: shared, volume: fd1.raw, format: raw}]
state: running
placement: {host: $1}
YAML
}
specs kvm1 > specs/fd1.yaml

on 1 apply
is "kvm1: fd1 defined and started (apply --host kvm1)" 0 "$rc"
is "…running on kvm1" running "$(state 1)"
lease=$VIRTSPEC_HARNESS_LOCKD/$(printf '%s' "$shared/fd1.raw" | sha256sum | cut -d' ' -f1)
ok "…its disk's lease is in the shared lockspace (named by the path's SHA-256)" test -f "$lease"
dev=$(stat -c %d "$lease")
ok "…and held (a POSIX lock on it in /proc/locks)" \
    grep -q " $(printf '%02x:%02x' $(( (dev >> 8) & 0xfff )) $(( (dev & 0xff) | ((dev >> 12) & 0xfff00) ))):$(stat -c %i "$lease") " /proc/locks
on 2 apply
is "kvm2: its share (the pool) applied, no fd1" 0 "$rc"
is "…fd1 not defined on kvm2 (which answers)" "kvm2 " \
    "$(virsh -c "$(uri 2)" hostname 2>&1 | head -n 1) $(virsh -c "$(uri 2)" list --all --name | grep -x fd1)"

# ---- the human release while kvm1 still runs fd1 -------------------------------------------
specs kvm2 kvm1 > specs/fd1.yaml
on 2 plan
contains "kvm2's plan: kvm1 lost, so fd1 is created here (no look there)" "+ create" "$out"
on 2 apply
printf '%s\n' "$out" | sed 's/^/# /'
is "kvm2's apply fails (exit 1): the start is refused" 1 "$rc"
contains "…with libvirt's lock manager's reason" "resource busy: Lockspace resource '${lease##*/}' is locked" "$out"
is "fd1 still runs on kvm1" running "$(state 1)"
is "…and is defined but not running on kvm2" "shut off" "$(state 2)"
out=$(fleet-on 2 virsh start fd1 2>&1); rc=$?
is "a start by hand on kvm2 is refused too" 1 "$rc"
contains "…by the lease" "is locked" "$out"
is "…fd1 runs on kvm1 only" "running shut off" "$(state 1) $(state 2)"

# ---- kvm1's fd1 really goes down: the lease is free ----------------------------------------
fleet-on 1 virsh destroy fd1 >/dev/null
on 2 apply
is "the next apply on kvm2 starts fd1 (exit 0)" 0 "$rc"
is "…running on kvm2" running "$(state 2)"
out=$(fleet-on 1 virsh start fd1 2>&1); rc=$?
is "and now kvm1's own copy cannot start (exit 1)" 1 "$rc"
contains "…refused by the lease kvm2 holds" "is locked" "$out"
finish
