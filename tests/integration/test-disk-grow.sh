#!/bin/bash
# Issue 15: growing `size:` works for every disk kind: a plain volume and an overlay on a base
# image, on a running domain (live, virDomainBlockResize: the guest sees it) and on a shut-off one
# (the volume). An overlay is as large as its base at least; shrinking it is refused.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
qemu-img create -q -f qcow2 tiny.qcow2 32M
dir_pool_spec vs-pool > specs/00-pool.yaml
dom() {   # dom NAME STATE ROOT-SIZE DATA-SIZE
    cat > "specs/10-$1.yaml" <<YAML
kind: Domain
name: $1
memory: 64MiB
state: $2
shutdown_timeout: 1
disks:
  - {name: root, dev: vda, image: $WORK/tiny.qcow2, pool: vs-pool, size: $3}
  - {name: data, dev: vdb, pool: vs-pool, size: $4}
YAML
}
cap() { virsh vol-info --bytes --pool vs-pool "$1" | awk '/Capacity/ {print $2}'; }
guest() { virsh domblkinfo "$1" "$2" | awk '/Capacity/ {print $2}'; }   # what the running domain sees
MiB=1048576

dom vs-run running 64MiB 16MiB
dom vs-off shutoff 64MiB 16MiB
vs apply specs
is "apply two domains with an overlay and a plain disk" 0 "$rc"
is "vs-run's overlay is 64 MiB" $((64 * MiB)) "$(cap vs-run-root.qcow2)"
is "vs-run runs" running "$(domstate vs-run)"

dom vs-run running 128MiB 32MiB
dom vs-off shutoff 128MiB 32MiB
vs plan specs
contains "plan shows the running overlay's growth" "~ disks[vda].size: 64 MiB → 128 MiB (live)" "$out"
contains "…and the plain disk's" "~ disks[vdb].size: 16 MiB → 32 MiB (live)" "$out"
is "plan: 4 disks grow" 4 "$(printf '%s\n' "$out" | grep -c 'size: .* → ')"
id=$(domid vs-run)
vs apply specs
is "apply the growth" 0 "$rc"
is "vs-run's overlay volume is 128 MiB" $((128 * MiB)) "$(cap vs-run-root.qcow2)"
is "…and the running guest's disk" $((128 * MiB)) "$(guest vs-run vda)"
is "vs-run's plain disk is 32 MiB in the guest" $((32 * MiB)) "$(guest vs-run vdb)"
is "…without a restart" "$id" "$(domid vs-run)"
is "vs-off's overlay volume is 128 MiB" $((128 * MiB)) "$(cap vs-off-root.qcow2)"
is "vs-off's plain volume is 32 MiB" $((32 * MiB)) "$(cap vs-off-data.qcow2)"
ok "vs-off's overlay still has its base" sh -c "qemu-img info -U '$WORK/pool/vs-off-root.qcow2' | grep -q '^backing file: .*base-'"
vs plan specs
is "plan after the growth: in sync" 0 "$rc"
lacks "…nothing grows" "→" "$out"

# an overlay smaller than its base is as large as the base: in sync, nothing to refuse
dom vs-small shutoff 16MiB 16MiB
vs apply specs
is "an overlay whose size is below its base's" 0 "$rc"
is "…is as large as the base" $((32 * MiB)) "$(cap vs-small-root.qcow2)"
vs plan specs
is "…and stays in sync" 0 "$rc"
lacks "…nothing to grow or refuse" "size" "$out"

# shrinking an overlay is refused like any disk
dom vs-off shutoff 96MiB 32MiB
vs plan specs
is "shrinking an overlay fails" 1 "$rc"
contains "…with a clear error" "shrinking vs-off-root.qcow2 from 128 MiB to 96 MiB is refused" "$out"

finish
