#!/bin/bash
# snapshots: {before_reload: true, keep: N} (issue 20, part 2; docs/snapshots.md): a snapshot
# right before each restart virtspec makes (reload: auto in apply, virtspec reload), keep prunes
# only virtspec's own snapshots, oldest first, a foreign one is untouched; a snapshot that fails
# stops the restart and is reported.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
dir_pool_spec vs-pool > specs/00-pool.yaml
write_spec() {   # write_spec MAX_MEMORY
    cat > specs/10-r.yaml <<YAML
kind: Domain
name: vs-r
memory: 64MiB
max_memory: $1
reload: auto
shutdown_timeout: 1
snapshots: {before_reload: true, keep: 2}
disks:
  - {name: root, size: 16MiB, pool: vs-pool}
YAML
}
ours() { virsh snapshot-list vs-r --name | sed '/^$/d' | grep -c '^virtspec-'; }
write_spec 128MiB
vs apply specs
is "apply" 0 "$rc"
is "running" running "$(domstate vs-r)"
is "no snapshot yet (no restart)" 0 "$(ours)"
virsh snapshot-create-as vs-r foreign --description "made by hand" >/dev/null
ok "a foreign snapshot" virsh snapshot-info vs-r foreign

write_spec 192MiB
vs plan specs
contains "plan says a snapshot is taken before the restart" "+ snapshot before restart (method internal; keep 2 of virtspec's)" "$out"
id0=$(domid vs-r)
vs apply specs
is "apply with a config change: reload" 0 "$rc"
contains "…a snapshot before it" "+ snapshot before restart: virtspec-" "$out"
ok "…restarted" test "$(domid vs-r)" != "$id0"
is "…one of ours" 1 "$(ours)"
first=$(virsh snapshot-list vs-r --name | grep '^virtspec-' | head -1)
contains "…marked as virtspec's" "virtspec: before restart" "$(virsh snapshot-dumpxml vs-r "$first")"
is "…taken of the running domain" running "$(xpath "$(virsh snapshot-dumpxml vs-r "$first")" "string(/domainsnapshot/state)")"

sleep 1   # names are per second (a second one in the same second gets -2)
write_spec 256MiB
vs apply specs
is "a second reload" 0 "$rc"
is "…two of ours" 2 "$(ours)"
sleep 1
vs reload vs-r --specs specs
is "virtspec reload: a third restart" 0 "$rc"
contains "…with a snapshot" "Domain vs-r: + snapshot before restart: virtspec-" "$out"
contains "…keep 2 deleted the oldest" "deleted (keep 2): $first" "$out"
is "…two of ours remain" 2 "$(ours)"
ok "…the oldest of ours is gone" bash -c "! virsh snapshot-info vs-r '$first'"
ok "…the foreign one is untouched" virsh snapshot-info vs-r foreign
is "running" running "$(domstate vs-r)"

# a snapshot that fails stops the restart: a raw disk attached behind virtspec's back
qemu-img create -q -f raw "$WORK/extra.raw" 8M
virsh attach-disk vs-r "$WORK/extra.raw" vdb --driver qemu --subdriver raw --persistent >/dev/null
id1=$(domid vs-r)
vs reload vs-r --specs specs
is "reload with a disk that cannot be snapshotted fails" 1 "$rc"
contains "…saying why, with the reason" "snapshot before restart failed, not restarted: cannot snapshot the domain: disk vdb is raw" "$out"
is "…the domain was not restarted" "$id1" "$(domid vs-r)"
is "…nothing of ours added or deleted" 2 "$(ours)"

echo "# $n_pass passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
