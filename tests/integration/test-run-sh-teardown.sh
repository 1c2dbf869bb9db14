#!/bin/bash
# examples/run.sh's teardown offer (`bash examples/run.sh teardown`, also what it runs when its
# daemon against the system libvirtd stops), against the private libvirtd as qemu:///system:
# the examples' pool, network and db1 (state: shutoff, so the prune waits for no guest) applied
# from a copy of examples/; then without a terminal it shows the plan and the commands, asks
# nothing and removes nothing; on a terminal (script(1)) answered "n" it keeps everything, and
# answered "y" it removes the domain, the network and the pool and keeps the volume.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
unset VIRTSPEC_STATE_DIR   # run.sh's commands use the system's state directory (private here)
export VIRTSPEC_BIN=$VS TMPDIR=$WORK
runsh=$TESTDIR/../../examples/run.sh
mkdir ex
cp "$TESTDIR"/../../examples/00-pool.yaml "$TESTDIR"/../../examples/05-template.yaml \
    "$TESTDIR"/../../examples/10-network.yaml ex/   # 05: the template db1 builds on
sed 's/^reload: auto.*/&\nstate: shutoff/' "$TESTDIR"/../../examples/30-db.yaml > ex/30-db.yaml
vs apply ex
is "the examples' pool, network and db1 applied" 0 "$rc"

out=$(bash "$runsh" teardown < /dev/null 2>&1); rc=$?
is "run.sh teardown without a terminal: exit 0" 0 "$rc"
contains "…shows the plan first" "- prune db1 (spec removed: undefine, volumes kept" "$out"
contains "…prints the prune command" "apply -c qemu:///system --prune --config" "$out"
contains "…and the network's and pool's" "virsh -c qemu:///system net-undefine vs-net" "$out"
contains "…" "virsh -c qemu:///system pool-undefine vs-pool" "$out"
lacks "…asks nothing" "remove them now?" "$out"
contains "…keeps everything" "== kept" "$out"
ok "…db1 is still defined" virsh dominfo db1
ok "…and vs-net" virsh net-info vs-net

out=$(printf 'n\n' | script -qec "bash '$runsh' teardown" /dev/null 2>&1); rc=$?
is "on a terminal, answered n: exit 0" 0 "$rc"
contains "…it asked" "remove them now? [y/N]" "$out"
contains "…and kept everything" "== kept" "$out"
ok "…db1 is still defined" virsh dominfo db1

out=$(printf 'y\n' | script -qec "bash '$runsh' teardown" /dev/null 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/    | /'
is "answered y: exit 0" 0 "$rc"
ok "…db1 is undefined" bash -c '! virsh dominfo db1'
ok "…vs-net is gone" bash -c '! virsh net-info vs-net'
ok "…vs-pool is gone" bash -c '! virsh pool-info vs-pool'
ok "…db1's volume is kept" test -f /var/lib/virtspec-images/db1-root.qcow2
ok "…virtspec's record of the pool is gone" test ! -e /var/lib/virtspec/pools/vs-pool
out=$(bash "$runsh" teardown < /dev/null 2>&1)
contains "run again: nothing left" "nothing of the examples is left" "$out"
finish
